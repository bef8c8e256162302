"""Editions of ICE's lists as records: as-of dating of every real edition, one edition per
file's bytes, editions applied in as-of order, the change list between two real
editions, and a changed signing date reaching the installation's clock."""

import datetime as dt
import re
from io import StringIO
from pathlib import Path

import pytest
import time_machine
from django.core.management import call_command

from agreements import services
from agreements.choices import ImportStatus
from agreements.editions import date_edition
from agreements.importers import read_ice_file
from agreements.models import Agreement, AgreementSettings, EditionChange, IceImport, SigningDateReview

HISTORY = Path(__file__).parent / "fixtures" / "history"
NOW = dt.datetime(2026, 2, 1, 14, tzinfo=dt.UTC)

#: What each edition of the history folder is as of, and why (README of the folder).
AS_OF = {
    "ParticipatingEntities-20210113002027.xlsx": dt.date(2021, 1, 13),
    "ParticipatingEntities-20220104000430.xlsx": dt.date(2022, 1, 4),
    "ParticipatingEntities-20230102120329.xlsx": dt.date(2023, 1, 2),
    "ParticipatingEntities-20240102122914.xlsx": dt.date(2024, 1, 2),
    "ParticipatingEntities-20250104041613.xlsx": dt.date(2025, 1, 4),
    "ParticipatingEntities-20250219163339.xlsx": dt.date(2025, 2, 19),
    "participatingAgencies03062025am.xlsx": dt.date(2025, 3, 6),
    "participatingAgencies04212025am.xlsx": dt.date(2025, 4, 21),
    "participatingAgencies05012025am.xlsx": dt.date(2025, 5, 1),
    "participatingAgencies06042025am.xlsx": dt.date(2025, 6, 4),
    "participatingAgencies07012025pm.xlsx": dt.date(2025, 7, 1),
    "participatingAgencies08012025am.xlsx": dt.date(2025, 8, 1),
    "participatingAgencies09032025am.xlsx": dt.date(2025, 9, 3),
    "participatingAgencies10012025am.xlsx": dt.date(2025, 10, 1),
    "participatingAgencies11032025am.xlsx": dt.date(2025, 11, 3),
    "participatingAgencies12012025am.xlsx": dt.date(2025, 12, 1),
    # misnamed: its latest signing date is 2025-12-18, so it is the 5 January 2026 edition
    "participatingAgencies01052025pm.xlsx": dt.date(2026, 1, 5),
    # published under the same stamp as the misnamed participating list: the same correction
    "pendingAgencies01052025pm.xlsx": dt.date(2026, 1, 5),
    "pendingAgencies04282025pm.xlsx": dt.date(2025, 4, 28),
    "pendingAgencies06022025pm.xlsx": dt.date(2025, 6, 2),
    "pendingAgencies08012025am.xlsx": dt.date(2025, 8, 1),
    "pendingAgencies10012025am.xlsx": dt.date(2025, 10, 1),
    "pendingAgencies12012025am.xlsx": dt.date(2025, 12, 1),
}


def test_every_edition_of_the_history_folder_is_dated_from_its_evidence():
    assert sorted(AS_OF) == sorted(p.name for p in HISTORY.glob("*.xlsx"))
    today = NOW.date()
    participating_stamps = {}
    for name in sorted(AS_OF, key=lambda n: not n.startswith("p" + "articipating")):
        read = read_ice_file((HISTORY / name).read_bytes(), name, today=today)
        dating = date_edition(file_name=name, rows=read.rows, today=today, stamp_dates=participating_stamps)
        assert dating.as_of == AS_OF[name], (name, dating.basis)
        # never before the latest signing date inside, never the upload day
        assert dating.latest_signed_on is None or dating.as_of >= dating.latest_signed_on
        assert dating.as_of != today
        if dating.name_stamp and read.edition == "participating":
            participating_stamps[dating.name_stamp] = dating.as_of
    misnamed = date_edition(
        file_name="participatingAgencies01052025pm.xlsx",
        today=today,
        rows=read_ice_file((HISTORY / "participatingAgencies01052025pm.xlsx").read_bytes(), "x.xlsx", today=today).rows,
    )
    assert "year corrected to 2026" in misnamed.basis and "12/18/2025" in misnamed.basis


def test_last_modified_and_the_latest_signing_date_bound_the_date():
    rows = [{"signed_on": "2025-12-18"}]
    dating = date_edition(
        file_name="list.xlsx",
        rows=rows,
        today=dt.date(2026, 2, 1),
        last_modified=dt.datetime(2025, 12, 1, 9, tzinfo=dt.UTC),
    )
    assert dating.as_of == dt.date(2025, 12, 18) and "cannot precede" in dating.basis
    assert date_edition(file_name="pending.xlsx", rows=[], today=dt.date(2026, 2, 1)).as_of is None


@pytest.mark.django_db
@time_machine.travel(NOW, tick=False)
def test_the_same_file_twice_is_one_edition(offices, people):
    content = (HISTORY / "participatingAgencies03062025am.xlsx").read_bytes()
    first = services.ice_import_preview(
        content=content, file_name="participatingAgencies03062025am.xlsx", acting_user=people["chief"]
    )
    # ICE published the same bytes again on 21 April: one edition, the sighting kept as evidence
    again = services.ice_import_preview(
        content=(HISTORY / "participatingAgencies04212025am.xlsx").read_bytes(),
        file_name="participatingAgencies04212025am.xlsx",
        acting_user=people["chief"],
    )
    assert again.pk == first.pk and again.known and IceImport.objects.count() == 1
    assert first.sha256 and len(first.sha256) == 64
    again.refresh_from_db()
    assert again.as_of == dt.date(2025, 3, 6)
    assert {
        "kind": "seen_again",
        "date": "2025-04-21",
        "detail": "The same bytes published again as participatingAgencies04212025am.xlsx",
    } in again.as_of_evidence
    assert bytes(again.content) == content


def _snapshot():
    return sorted(
        Agreement.objects.values_list(
            "agency__state", "agency__match_key", "program_model", "status", "signed_on", "not_listed_since", "moa_url"
        )
    )


@pytest.mark.django_db
@time_machine.travel(NOW, tick=False)
def test_an_older_edition_arriving_late_is_stored_and_compared_but_undoes_nothing(offices, people):
    chief = people["chief"]

    def load(name):
        edition = services.ice_import_preview(content=(HISTORY / name).read_bytes(), file_name=name, acting_user=chief)
        return services.ice_import_apply(ice_import=edition, acting_user=chief, apply_valid=True)

    october, december = load("participatingAgencies10012025am.xlsx"), load("participatingAgencies12012025am.xlsx")
    before = _snapshot()
    # when November's edition arrives after December's
    november = load("participatingAgencies11032025am.xlsx")
    # then it is stored, not applied, and the newer edition's state stands
    assert november.status == ImportStatus.STORED
    assert _snapshot() == before
    # and it takes its place in the comparisons: October -> November -> December
    december.refresh_from_db()
    assert november.previous == october and december.previous == november
    assert november.changes.filter(kind="new").exists() and december.changes.exists()


def _fold(text):
    text = " ".join(str(text or "").split()).lower()
    return re.sub("['\u2019\u2018`]", "", text)


def _independent_keys(path):
    """The agreements of a workbook keyed by state, agency and model, trimmed and folded
    (case and apostrophes), read with openpyxl directly, and their signing dates."""
    from openpyxl import load_workbook

    sheet = load_workbook(path, data_only=True).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    header_at = next(i for i, r in enumerate(rows) if r and any(str(c or "").strip().upper() == "STATE" for c in r))
    header = [str(c or "").strip().upper() for c in rows[header_at]]
    col = {name: header.index(name) for name in ("STATE", "LAW ENFORCEMENT AGENCY", "SUPPORT TYPE", "SIGNED")}
    found = {}
    for r in rows[header_at + 1 :]:
        if not r or not str(r[col["LAW ENFORCEMENT AGENCY"]] or "").strip():
            continue
        key = (_fold(r[col["STATE"]]), _fold(r[col["LAW ENFORCEMENT AGENCY"]]), _fold(r[col["SUPPORT TYPE"]]))
        signed = r[col["SIGNED"]]
        found[key] = signed.date() if isinstance(signed, dt.datetime) else signed
    return found


@pytest.mark.django_db
@time_machine.travel(NOW, tick=False)
def test_change_list_between_two_real_editions_matches_an_independent_count(offices, people):
    names = ["participatingAgencies11032025am.xlsx", "participatingAgencies12012025am.xlsx"]
    for name in names:
        services.ice_import_preview(content=(HISTORY / name).read_bytes(), file_name=name, acting_user=people["chief"])
    december = IceImport.objects.get(file_name=names[1])
    old, new = (_independent_keys(HISTORY / n) for n in names)
    changes = EditionChange.objects.filter(edition=december)
    assert changes.filter(kind="new").count() == len(new.keys() - old.keys())
    assert changes.filter(kind="removed").count() == len(old.keys() - new.keys())
    moved = {k for k in new.keys() & old.keys() if new[k] != old[k] and new[k] and old[k]}
    assert changes.filter(kind="changed", field="signed_on").count() == len(moved)
    assert changes.filter(kind="new").count() > 50  # 1,096 -> 1,187 rows
    line = changes.filter(kind="changed", field="signed_on").first()
    if line is not None:
        assert line.before and line.after and line.before != line.after


HEADER = "STATE,LAW ENFORCEMENT AGENCY,TYPE,COUNTY,SUPPORT TYPE,SIGNED,MOA,ADDENDUM\n"
ROW = "TEXAS,Hays County Sheriff's Office,County,Hays County,Jail Enforcement Model,{},link,\n"


def _edition(day, signed, user):
    edition = services.ice_import_preview(
        content=(HEADER + ROW.format(signed)).encode(),
        file_name=f"participatingAgencies{day:%m%d%Y}am.csv",
        acting_user=user,
    )
    return services.ice_import_apply(ice_import=edition, acting_user=user)


@pytest.mark.django_db
@time_machine.travel(dt.datetime(2025, 8, 20, 14, tzinfo=dt.UTC), tick=False)
def test_an_accepted_signing_date_change_moves_the_installation_clock(offices, people):
    from itdeploy.models import Installation, InstallationSettings
    from itdeploy.selectors import installation_clock

    chief = people["chief"]
    _edition(dt.date(2025, 7, 10), "2025-07-01", chief)
    installation = Installation.objects.get()
    assert installation.moa_signed_on == dt.date(2025, 7, 1)
    # when a later edition gives another signing date, HQ is asked first: nothing moves yet
    august = _edition(dt.date(2025, 8, 1), "2025-07-03", chief)
    review = SigningDateReview.objects.get()
    assert august.changes.get(field="signed_on").after == "2025-07-03"
    installation.refresh_from_db()
    assert installation.moa_signed_on == dt.date(2025, 7, 1)
    # when HQ accepts it, the agreement's date and the installation's clock move, with history
    services.signing_date_review_decide(review=review, acting_user=chief, accept=True)
    installation.refresh_from_db()
    agreement = Agreement.objects.get()
    assert agreement.signed_on == installation.moa_signed_on == dt.date(2025, 7, 3)
    assert installation.history.filter(moa_signed_on=dt.date(2025, 7, 1)).exists()
    assert installation.history.first().history_user == chief
    assert installation.steps.filter(started_on=dt.date(2025, 7, 3)).exists()
    assert not installation.steps.filter(started_on=dt.date(2025, 7, 1)).exists()
    clock = installation_clock(installation, dt.date(2025, 8, 20), InstallationSettings.current())
    assert clock.due_on == dt.date(2025, 7, 3) + dt.timedelta(days=180) and clock.used_days == 48
    # a second decision is refused
    from portal.errors import TransitionNotAllowed

    with pytest.raises(TransitionNotAllowed):
        services.signing_date_review_decide(review=review, acting_user=chief, accept=False)


@pytest.mark.django_db
@time_machine.travel(dt.datetime(2025, 8, 20, 14, tzinfo=dt.UTC), tick=False)
def test_with_hqs_setting_a_changed_signing_date_applies_at_once(offices, people):
    from itdeploy.models import Installation

    settings_row = AgreementSettings.current()
    settings_row.apply_signing_date_changes = True
    settings_row.save()
    _edition(dt.date(2025, 7, 10), "2025-07-01", people["chief"])
    _edition(dt.date(2025, 8, 1), "2025-07-03", people["chief"])
    assert Installation.objects.get().moa_signed_on == dt.date(2025, 7, 3)
    assert SigningDateReview.objects.get().status == "accepted"


@pytest.mark.django_db
@time_machine.travel(NOW, tick=False)
def test_hq_corrects_an_editions_date_with_a_reason_in_its_history(offices, people):
    from django.core.exceptions import ValidationError

    name = "pendingAgencies12012025am.xlsx"
    edition = services.ice_import_preview(
        content=(HISTORY / name).read_bytes(), file_name=name, acting_user=people["chief"]
    )
    with pytest.raises(ValidationError) as error:
        services.ice_edition_set_as_of(
            edition=edition, acting_user=people["chief"], as_of=dt.date(2025, 12, 2), reason=""
        )
    assert "reason" in error.value.message_dict
    services.ice_edition_set_as_of(
        edition=edition,
        acting_user=people["npm"],
        as_of=dt.date(2025, 12, 2),
        reason="ICE's page showed it on 2 December",
    )
    edition.refresh_from_db()
    assert edition.as_of == dt.date(2025, 12, 2) and "Corrected by HQ" in edition.as_of_basis
    record = edition.history.first()
    assert record.history_user == people["npm"] and "12/02/2025" in record.history_change_reason


@pytest.mark.django_db
@time_machine.travel(NOW, tick=False)
def test_the_whole_history_folder_imports_in_as_of_order_and_twice_is_the_same(offices):
    # given the whole history folder, imported once
    out = StringIO()
    call_command("import_ice_history", str(HISTORY), stdout=out)

    def state():
        return (
            _snapshot(),
            sorted(IceImport.objects.values_list("file_name", "as_of", "status", "sha256")),
            EditionChange.objects.count(),
        )

    first = state()
    # then every file is an edition (the 21 April list is the 6 March bytes) dated as the folder's README says
    editions = {e.file_name: e for e in IceImport.objects.all()}
    assert len(editions) == 22
    for name, edition in editions.items():
        assert edition.as_of == AS_OF[name], name
    assert {e.status for e in editions.values()} == {ImportStatus.APPLIED}
    # applied in as-of order: the newest participating list is January 2026's, and what it lists is in force
    latest = max((e for e in editions.values() if e.edition == "participating"), key=lambda e: e.as_of)
    assert latest.file_name == "participatingAgencies01052025pm.xlsx"
    listed = Agreement.objects.filter(ice_listed_on=dt.date(2026, 1, 5), status="signed").count()
    assert listed == len(latest.rows)
    # the older format's web-archive links are unwrapped to ice.gov
    assert not Agreement.objects.filter(moa_url__contains="web.archive.org").exists()
    assert Agreement.objects.filter(moa_url__startswith="https://www.ice.gov/").count() > 1000
    # agreements that left the list since 2021 are marked, never deleted
    assert Agreement.objects.filter(not_listed_since__isnull=False).exists()
    # when it is imported again, nothing changes
    again = StringIO()
    call_command("import_ice_history", str(HISTORY), stdout=again)
    assert state() == first
    assert again.getvalue().count("already imported") == 23
