"""Pages: the board (scope, filters, export, what-if, constant queries), an installation's
page with its step form, the chart, bulk confirmation and the agency panel."""

import datetime as dt
import html
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from agreements.tests.factories import AgencyFactory, AgreementFactory
from itdeploy.choices import InstallationStatus
from itdeploy.models import Installation
from staffing.tests.factories import AssignmentFactory

from .factories import open_for, steps_of
from .test_rules import finish

pytestmark = pytest.mark.django_db


def test_board_shows_the_callers_sites_with_forecast(client, people, installations):
    client.force_login(people["pm"])
    page = client.get("/installations/").content.decode()
    assert "Harris County" in page and "Collier County" not in page
    assert "01/28/2018" in page  # forecast date
    assert "Forecast misses the goal" in page
    assert "Breached" in page


def test_board_filters_by_field_office(client, people, installations, offices):
    client.force_login(people["chief"])
    page = client.get("/installations/", {"field_office": offices["MIA"].pk}).content.decode()
    assert "Collier County" in page and "Harris County" not in page


def test_board_exports_csv_and_xlsx(client, people, installations):
    client.force_login(people["ocio"])
    response = client.get("/installations/?export=csv")
    body = b"".join(response.streaming_content).decode()
    assert "Forecast operational" in body and body.count("\n") == 4
    xlsx = client.get("/installations/?export=xlsx")
    assert xlsx["Content-Type"].startswith("application/vnd.openxmlformats")


def test_what_if_shows_what_a_second_installer_changes(client, people, installations):
    # given three sites ready for equipment installation today, one installer
    for installation in installations.values():
        finish_but_install(installation, people["ocio"])
    client.force_login(people["chief"])
    page = client.get("/installations/", {"installers": 2}).content.decode()
    assert "With 2 dedicated installers" in page
    assert "Days spent waiting for an installer: 90 today, 30 with 2" in page


def finish_but_install(installation, user, on=dt.date(2017, 7, 1)):
    from itdeploy import services

    steps = steps_of(installation)
    for number in range(1, 6):
        if steps[number].started_on is None:
            services.step_start(step=steps[number], started_on=on, acting_user=user)
        services.step_complete(step=steps[number], completed_on=on, acting_user=user)


def test_board_query_count_does_not_grow_with_installations(client, people, installations):
    client.force_login(people["chief"])
    client.get("/installations/")

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/installations/").status_code == 200
        return len(ctx.captured_queries)

    few = count()
    for _ in range(12):
        open_for(AgreementFactory(signed_on=dt.date(2017, 7, 1)))
    # The first read after a change stores the forecast afresh, once; reads after it use the stored one.
    assert count() > few
    assert count() == few


def test_installation_page_and_a_step_completed_from_its_row(client, people, installations):
    installation = installations["mine"]
    step = steps_of(installation)[1]
    client.force_login(people["pm"])
    page = html.unescape(client.get(installation.get_absolute_url()).content.decode())
    assert "History of changes" in page and "06/11/2017" in page
    assert f'aria-label="Complete: {step.name}">Complete</button>' in page
    response = client.post(installation.get_absolute_url(), {"action": "complete", "step": step.pk, "on": "2017-06-09"})
    assert response.status_code == 302
    step.refresh_from_db()
    assert step.completed_on == dt.date(2017, 6, 9)
    shown = html.unescape(client.get(installation.get_absolute_url()).content.decode())
    assert shown.count(f"Step 1, {step.name}: completed.") == 1  # the success message, once
    assert f'aria-label="Complete: {step.name}">Complete</button>' not in shown  # no longer offered
    client.post(installation.get_absolute_url(), {"action": "complete", "step": step.pk, "on": "2017-06-10"})
    step.refresh_from_db()
    assert step.completed_on == dt.date(2017, 6, 9)


def test_a_refused_step_action_shows_its_reason_once_where_it_belongs(client, people, installations):
    installation = installations["mine"]
    step = steps_of(installation)[1]
    client.force_login(people["pm"])
    # a date before the step's start: on that row's date field
    early = client.post(installation.get_absolute_url(), {"action": "complete", "step": step.pk, "on": "2016-01-01"})
    assert early.status_code == 400
    page = html.unescape(early.content.decode())
    assert page.count("cannot be before the step's start") == 1
    field = f"step-{step.pk}-complete-on"
    assert f'id="{field}-error"' in page and f'aria-describedby="{field}-error"' in page
    assert 'value="2016-01-01"' in page  # the posted date is kept for correcting
    # a second completion (a page left open): once, at that row's form's top, not as a page alert
    assert (
        client.post(
            installation.get_absolute_url(), {"action": "complete", "step": step.pk, "on": "2017-06-09"}
        ).status_code
        == 302
    )
    twice = client.post(installation.get_absolute_url(), {"action": "complete", "step": step.pk, "on": "2017-06-10"})
    assert twice.status_code == 400
    body = twice.content.decode()
    assert body.count("was already completed on 06/09/2017") == 1
    row_form = re.search(
        rf'<form class="itd-action" method="post">(?:(?!</form>).)*value="{step.pk}"(?:(?!</form>).)*</form>',
        body,
        re.S,
    )
    assert row_form and "was already completed on 06/09/2017" in row_form.group(0)
    step.refresh_from_db()
    assert step.completed_on == dt.date(2017, 6, 9)


def test_installation_page_scope_and_roles(client, people, installations):
    client.force_login(people["pm"])
    assert client.get(installations["miami"].get_absolute_url()).status_code == 404
    mine = installations["mine"]
    step = steps_of(mine)[1]
    for role in ("fod", "analyst"):  # they see the installation, and no button on it
        client.force_login(people[role])
        page = client.get(mine.get_absolute_url()).content.decode()
        assert page.count('class="itd-action"') == 0 and "Actions</th>" not in page
        assert (
            client.post(
                mine.get_absolute_url(), {"action": "complete", "step": step.pk, "on": "2017-06-09"}
            ).status_code
            == 403
        )
    step.refresh_from_db()
    assert step.completed_on is None


def test_chart_lists_completed_sites_against_the_goal(client, people, installations):
    finish(installations["mine"], people["ocio"])
    client.force_login(people["analyst"])
    page = client.get("/installations/chart/").content.decode()
    assert "days-chart-data" in page and "Harris County" in page
    assert "Where the days go" in page


def test_bulk_confirm_page(client, people, plan, frozen):
    old = [open_for(AgreementFactory(applied_on=dt.date(2014, 1, 1), signed_on=dt.date(2015, 1, 1))) for _ in range(2)]
    client.force_login(people["analyst"])
    assert (
        client.post(
            "/installations/confirm/", {"installation": [old[0].pk], "how": "operational", "on": "2015-07-01"}
        ).status_code
        == 403
    )
    client.force_login(people["npm"])
    assert "to confirm" in client.get("/installations/confirm/").content.decode()
    response = client.post(
        "/installations/confirm/",
        {"installation": [o.pk for o in old], "how": "in_progress", "at_step": "6", "on": "2017-07-15"},
    )
    assert response.status_code == 302
    assert set(Installation.objects.values_list("status", flat=True)) == {InstallationStatus.IN_PROGRESS}
    bad = client.post(
        "/installations/confirm/", {"installation": [old[0].pk], "how": "operational", "on": "2015-07-01"}
    )
    assert bad.status_code == 400


def test_bulk_confirm_refusals_show_once_next_to_their_input(client, people, plan, frozen):
    site = open_for(AgreementFactory(applied_on=dt.date(2014, 1, 1), signed_on=dt.date(2015, 1, 1)))
    client.force_login(people["npm"])
    nothing = client.post("/installations/confirm/", {"how": "operational", "on": "2015-07-01"}).content.decode()
    assert nothing.count("Choose at least one installation.") == 1 and 'id="confirm-installation-error"' in nothing
    early = client.post(
        "/installations/confirm/", {"installation": [site.pk], "how": "operational", "on": "2014-07-01"}
    )
    assert early.status_code == 400
    page = html.unescape(early.content.decode())
    assert page.count("cannot be before the MOA signature") == 1
    assert re.search(r'id="confirm-on-error">[^<]*cannot be before the MOA signature', page)
    site.refresh_from_db()
    assert site.status == InstallationStatus.UNCONFIRMED


def test_agency_page_shows_the_installation_panel(client, people, installations, world):
    client.force_login(people["pm"])
    page = client.get(world["mine"].get_absolute_url()).content.decode()
    assert "IT installation" in page and "In progress" in page
    other = AgencyFactory()
    AssignmentFactory(agency=other, program_manager=people["pm"])
    assert "No installation is open" in client.get(other.get_absolute_url()).content.decode()


def test_navigation_has_it_installations(client, people, installations):
    client.force_login(people["ocio"])
    assert "IT installations" in client.get("/").content.decode()


def test_chart_excess_is_the_days_over_the_goal(client, people, plan, world):
    from itdeploy.models import InstallationPause

    moa = dt.date(2016, 1, 4)
    for key, days in [("mine", 193), ("houston_other", 180), ("miami", 181)]:
        Installation.objects.create(
            agency=world[key],
            moa_signed_on=moa,
            opened_on=moa,
            status=InstallationStatus.OPERATIONAL,
            operational_on=moa + dt.timedelta(days=days),
        )
    # a suspended period is left out of the days counted against the goal
    other = AgreementFactory(applied_on=dt.date(2015, 6, 1), signed_on=moa)
    suspended = Installation.objects.create(
        agency=other.agency,
        moa_signed_on=moa,
        opened_on=moa,
        status=InstallationStatus.OPERATIONAL,
        operational_on=moa + dt.timedelta(days=200),
    )
    InstallationPause.objects.create(
        installation=suspended, started_on=moa + dt.timedelta(days=50), ended_on=moa + dt.timedelta(days=65)
    )
    client.force_login(people["analyst"])
    page = client.get("/installations/chart/").content.decode()
    assert "Over by 13 days" in page and "Over by 193" not in page
    assert "Over by 1 day<" in page and "Over by 5 days" in page  # 200 - 15 suspended = 185
    assert page.count("Within") == 1


#: The board's card as the page's template wrote it before the cards were written in one
#: pass (``itdeploy.views.board_cards``), its clock tag included.
TEMPLATE_CARD = """{% for row in rows %}
<li class="itd-card itd-{{ row.clock_state }}">
  <h3><a href="{{ row.installation.get_absolute_url }}">{{ row.agency.name }}</a></h3>
  <p>{{ row.agency.state }} · {{ row.agency.field_office.name }}</p>
  <p>Clock: <span class="itd-tag itd-{{ row.clock_state }}">{{ row.clock_label }}</span></p>
  <p>{{ row.days_since_moa }} days since the MOA ({{ row.installation.moa_signed_on|date }}); steps in progress: {{ row.running }}</p>
  <p>Forecast: {{ row.forecast_on|date|default:"no installer" }}; pessimistic: {{ row.pessimistic_on|date|default:"no installer" }}; goal {{ row.goal_on|date }}</p>
  {% if row.flags %}<ul class="usa-list">{% for flag in row.flags %}<li>{{ flag }}</li>{% endfor %}</ul>{% endif %}
</li>{% endfor %}"""


def test_board_cards_are_the_templates_cards_with_every_clock_state(people, installations):
    from django.template import Context, Template

    from itdeploy import selectors, services
    from itdeploy.models import InstallationSettings
    from itdeploy.views import board_cards, board_forecast, board_installations, board_rows
    from portal import dates

    # given a paused site, one agency named with markup
    running = next(s for s in steps_of(installations["houston_other"]).values() if s.started_on and not s.completed_on)
    services.step_pause(
        step=running, paused_on=dt.date(2017, 7, 20), reason="waiting_on_agency", acting_user=people["chief"]
    )
    agency = installations["miami"].agency
    agency.name = 'Collier <County> & "Sons"'
    agency.save()
    today, settings = dates.today(), InstallationSettings.current()
    ids = {i.pk for i in installations.values()}
    visible = Installation.objects.filter(pk__in=ids)
    rows = board_rows(list(board_installations(visible)), ids, board_forecast(visible, today), today, settings)
    # The forecast's dates the board reads from the stored documents' keys are the stored forecast's.
    stored = selectors.stored_forecast(today=today, installation_ids=ids)
    assert {r["installation"].pk: (r["forecast_on"], r["pessimistic_on"], r["wait_days"]) for r in rows} == {
        pk: (f.operational_on, stored.pessimistic[pk].operational_on, f.queue_wait_days)
        for pk, f in stored.expected.items()
    }
    assert len(rows) == 3 and any("Paused" in r["flags"] for r in rows)

    def tags(markup):
        return re.sub(r">\s+<", "><", markup.strip())

    written = board_cards(rows)
    assert tags(written) == tags(Template(TEMPLATE_CARD).render(Context({"rows": rows})))
    assert "Collier &lt;County&gt; &amp; &quot;Sons&quot;" in written
