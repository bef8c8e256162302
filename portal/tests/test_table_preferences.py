"""The column chooser of the list pages: a person's choice of columns, per list, saved in
``portal.TablePreference``; the page and its exports show those columns, the field
policy still hides its fields, and a name the list does not offer is refused."""

from __future__ import annotations

import csv
import io
from html.parser import HTMLParser

import pytest
from django.core.exceptions import ValidationError

from agreements.views import AgencyListView
from portal import services
from portal.audit.models import AuditEvent
from portal.models import TablePreference
from portal.tables import Column, chosen_columns
from training.tests.factories import OfficerFactory

pytestmark = pytest.mark.django_db


def header_row(response) -> list[str]:
    content = b"".join(response.streaming_content).decode().lstrip("\ufeff")
    return next(csv.reader(io.StringIO(content)))


class _Headers(HTMLParser):
    """The text of the column headers of a page's table, the screen-reader-only hints left out."""

    def __init__(self):
        super().__init__()
        self.headers, self.in_head, self.in_th, self.hidden = [], False, False, 0

    def handle_starttag(self, tag, attrs):
        if tag == "thead":
            self.in_head = True
        elif tag == "th" and self.in_head:
            self.in_th = True
            self.headers.append("")
        elif tag == "span" and self.in_th and "usa-sr-only" in (dict(attrs).get("class") or ""):
            self.hidden += 1
        elif tag == "span" and self.hidden:
            self.hidden += 1

    def handle_endtag(self, tag):
        if tag == "thead":
            self.in_head = False
        elif tag == "th":
            self.in_th = False
        elif tag == "span" and self.hidden:
            self.hidden -= 1

    def handle_data(self, data):
        if self.in_th and not self.hidden:
            self.headers[-1] += data


def page_headers(client, url) -> list[str]:
    """The table's column headers as the page shows them (the sort arrow removed)."""
    parser = _Headers()
    parser.feed(client.get(url).content.decode())
    return [" ".join(h.split()).rstrip(" ▲▼") for h in parser.headers]


def test_a_column_key_defaults_to_its_label_and_the_defaults_are_the_default_columns():
    columns = [Column("Officer", "x", link=True), Column("Refresher due", "y"), Column("Number", "z", default=False)]
    assert [c.key for c in columns] == ["officer", "refresher-due", "number"]
    assert Column("Custom", "x", key="mine").key == "mine"
    assert chosen_columns(columns, None) == columns[:2]
    # the choice's order; unknown names skipped; the linking column kept, first
    assert chosen_columns(columns, ["number", "gone", "refresher-due"]) == [columns[0], columns[2], columns[1]]


def test_the_chosen_columns_show_in_order_persist_and_are_exported(client, people, world):
    OfficerFactory(agency=world["mine"], last_name="Chosen")
    client.force_login(people["analyst"])
    assert "Number" not in page_headers(client, "/officers/")  # not a default column
    response = client.post(
        "/officers/",
        {"order": ["officer", "can-act-today", "number", "agency"], "columns": ["officer", "can-act-today", "number"]},
    )
    assert response.status_code == 302
    assert page_headers(client, "/officers/") == ["Officer", "Can act today", "Number"]
    assert header_row(client.get("/officers/?export=csv")) == ["Officer", "Can act today", "Number"]
    preference = TablePreference.objects.get(user=people["analyst"], table="officers")
    assert preference.columns == ["officer", "can-act-today", "number"]
    assert AuditEvent.objects.filter(object_id=str(preference.pk), action="create").exists()
    # another person, and another list, keep their defaults
    client.force_login(people["chief"])
    assert "Refresher due" in page_headers(client, "/officers/")


def test_move_reorders_and_reset_restores_the_defaults(client, people, world):
    client.force_login(people["analyst"])
    defaults = page_headers(client, "/agencies/")
    keys = ["agency", "type", "state", "county", "field-office", "office-confirmed"]
    response = client.post("/agencies/?q=x", {"order": keys, "columns": keys, "move": "up:county"})
    assert response.status_code == 302 and response["Location"].startswith("/agencies/?q=x")
    assert page_headers(client, "/agencies/") == [
        "Agency",
        "Type",
        "County",
        "State",
        "Field office",
        "Office confirmed",
    ]
    response = client.post("/agencies/", {"reset": "1"})
    assert response.status_code == 302
    assert page_headers(client, "/agencies/") == defaults
    assert not TablePreference.objects.filter(user=people["analyst"]).exists()
    assert TablePreference.history.filter(history_type="-", user=people["analyst"]).exists()
    assert AuditEvent.objects.filter(action="delete", content_type__model="tablepreference").exists()


def test_the_linking_column_is_always_kept(client, people, world):
    client.force_login(people["analyst"])
    client.post("/agencies/", {"columns": ["state"]})
    assert page_headers(client, "/agencies/") == ["Agency", "State"]


def test_an_unknown_column_is_refused_on_the_form_and_nothing_is_saved(client, people, world):
    client.force_login(people["analyst"])
    response = client.post("/officers/", {"columns": ["officer", "salary"]})
    assert response.status_code == 400
    page = response.content.decode()
    assert "Not a column of this list: “salary”" in page and 'id="columns-error"' in page
    assert '<details class="portal-columns margin-bottom-1" id="columns" open>' in page
    assert not TablePreference.objects.exists()
    assert client.post("/officers/", {"columns": []}).status_code == 400  # nothing to show


def test_the_field_policy_hides_its_fields_whatever_is_chosen(client, people, world):
    # HQ may export an agency's contacts (export-only columns) and choose them.
    client.force_login(people["analyst"])
    client.post("/agencies/", {"columns": ["agency", "contact-e-mail"]})
    assert header_row(client.get("/agencies/?export=csv")) == ["Agency", "Contact e-mail"]
    assert page_headers(client, "/agencies/") == ["Agency"]  # an export-only column is not on the page
    # OCIO does not see contacts: the chooser does not offer them, a choice of them is refused ...
    client.force_login(people["ocio"])
    page = client.get("/agencies/").content.decode()
    assert 'value="contact-e-mail"' not in page and 'value="office-confirmed"' not in page
    response = client.post("/agencies/", {"columns": ["agency", "contact-e-mail"]})
    assert response.status_code == 400 and "“contact-e-mail”" in response.content.decode()
    # ... and one saved anyway (say, before a change of role) is not shown nor exported.
    TablePreference.objects.create(user=people["ocio"], table="agencies", columns=["agency", "contact-e-mail", "state"])
    assert page_headers(client, "/agencies/") == ["Agency", "State"]
    assert header_row(client.get("/agencies/?export=csv")) == ["Agency", "State"]


def test_the_service_names_the_refused_columns_and_what_may_be_chosen(people, rf):
    request = rf.get("/agencies/")
    request.user = people["ocio"]
    view = AgencyListView()
    view.setup(request)
    offered = view.offered_columns()
    with pytest.raises(ValidationError) as refused:
        services.table_preference_save(user=people["ocio"], table="agencies", columns=["address"], offered=offered)
    message = refused.value.message_dict["columns"][0]
    assert "“address”" in message and "Choose among: Agency, Type, State" in message and "Address" not in message


def test_a_person_with_no_role_may_not_save_columns(client, people, world):
    client.force_login(people["norole"])
    assert client.post("/agencies/", {"columns": ["agency"]}).status_code in (403, 404)
    assert not TablePreference.objects.exists()
