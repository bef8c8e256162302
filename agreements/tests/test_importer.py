"""Import of ICE's published lists: the two real sample files, and small files written
the ways ICE's later editions are written."""

import datetime as dt
from io import StringIO
from pathlib import Path

import pytest
import time_machine
from django.core.management import call_command

from agreements import services
from agreements.choices import AgreementStatus, IceEdition, ImportStatus, Transition
from agreements.importers import clean_url, read_ice_file
from agreements.models import Agency, Agreement, IceImport
from agreements.tests.factories import AgencyFactory, AgreementFactory

FIXTURES = Path(__file__).parent / "fixtures"
PARTICIPATING = FIXTURES / "participatingAgencies07182025pm.xlsx"
PENDING = FIXTURES / "pendingAgencies01232026am.xlsx"
HEADER = "STATE,LAW ENFORCEMENT AGENCY,TYPE,COUNTY,SUPPORT TYPE,SIGNED,MOA,ADDENDUM\n"
PENDING_HEADER = "STATE,LAW ENFORCEMENT AGENCY,TYPE,COUNTY,SUPPORT TYPE,MOA\n"
EXCEL_TIME = dt.datetime(2025, 1, 2, 3, 4)  # noqa: DTZ001 - Excel's cells have no time zone


def run(path: Path, *args) -> str:
    out = StringIO()
    call_command("import_ice_agencies", str(path), *args, stdout=out)
    return out.getvalue()


def load(content: str, name: str, user, apply_valid=False):
    # HQ uploads these small lists as current: dated as of today by HQ (a file without
    # evidence of its date is never dated by the upload day on its own).
    from portal import dates

    ice_import = services.ice_import_preview(
        content=content.encode(), file_name=name, acting_user=user, as_of=dates.today()
    )
    if ice_import.report["rejected"] and not apply_valid:
        return ice_import
    return services.ice_import_apply(ice_import=ice_import, acting_user=user, apply_valid=apply_valid)


@pytest.mark.django_db
@time_machine.travel(dt.datetime(2025, 7, 21, 14, tzinfo=dt.UTC), tick=False)
def test_the_real_files_load_flag_bad_dates_rerun_without_change_and_add_pending(offices):
    # given ICE's participating list of 18 July 2025
    output = run(PARTICIPATING)
    # then every row is one agreement, and ICE's three unreadable signing dates are flagged by row number
    assert "832 rows read" in output
    assert "Agencies: 685 new, 0 updated, 0 unchanged" in output
    assert "Agreements: 832 new, 0 updated, 0 signed, 0 unchanged, 0 no longer listed" in output
    assert Agreement.objects.filter(status=AgreementStatus.SIGNED).count() == 832
    assert Agency.objects.count() == 685
    flagged = {a.signed_on_raw: a for a in Agreement.objects.filter(needs_review=True).select_related("agency")}
    assert set(flagged) == {"5025-07-07", "7/72025", "05/082025"}
    assert all(a.signed_on is None for a in flagged.values())
    assert flagged["7/72025"].agency.name == "Tooele County Sheriff's Office"
    assert "row 775" in flagged["7/72025"].review_reason
    for row in ("row 639", "row 775", "row 785"):
        assert row in output
    report = IceImport.objects.get().report
    assert [r["row"] for r in report["flagged_dates"]] == [639, 775, 785]
    assert report["cleanings"]["excel_errors"] >= 200 and report["cleanings"]["redirects_unwrapped"] == 207
    # redirect-wrapped links point at ice.gov; the county's split-state office is flagged when unknown
    colbert = Agreement.objects.get(agency__name="Colbert County Sheriff's Office", program_model="wso")
    assert colbert.moa_url == "https://www.ice.gov/doclib/287gMOA/ColbertCoSheriffsOfficeAL_WSO_MOA_05.08.25.pdf"
    assert not Agreement.objects.filter(moa_url__contains="safelinks").exists()
    galveston = Agency.objects.get(state="TX", name__startswith="Galveston County Sheriff")
    assert (galveston.field_office.code, galveston.field_office_confirmed) == ("HOU", True)
    assert (
        Agreement.history.filter(history_change_reason__startswith="ICE list import participatingAgencies").count()
        == 832
    )
    history_rows = Agreement.history.count() + Agency.history.count()

    # when the same file is imported again, it is the same edition: nothing to do
    again = run(PARTICIPATING)
    assert "the same bytes as edition" in again
    assert IceImport.objects.count() == 1
    # and applying its rows once more (a re-saved copy) changes nothing
    from agreements.importers import apply_ice_import

    edition = IceImport.objects.get()
    plan = apply_ice_import(
        rows=edition.rows,
        edition=edition.edition,
        import_date=edition.as_of,
        acting_user=None,
        file_name=edition.file_name,
    )
    assert (len(plan.new_agencies), len(plan.updated_agencies), plan.unchanged_agencies) == (0, 0, 685)
    assert (
        len(plan.new_agreements),
        len(plan.updated_agreements),
        len(plan.signed_agreements),
        plan.unchanged_agreements,
        len(plan.no_longer_listed),
    ) == (0, 0, 0, 832, 0)
    assert Agreement.history.count() + Agency.history.count() == history_rows

    # when the pending list of January 2026 follows, its 57 applications are added under review
    with time_machine.travel(dt.datetime(2026, 1, 23, 15, tzinfo=dt.UTC), tick=False):
        pending = run(PENDING)
    assert "Agreements: 57 new, 0 updated, 0 signed, 0 unchanged, 0 no longer listed" in pending
    under_review = Agreement.objects.filter(status=AgreementStatus.UNDER_REVIEW)
    assert under_review.count() == 57
    assert set(under_review.values_list("pending_listed_on", flat=True)) == {dt.date(2026, 1, 23)}
    assert Agreement.objects.filter(status=AgreementStatus.SIGNED).count() == 832


def test_the_edition_comes_from_the_header_not_the_file_name():
    pending = read_ice_file(
        PENDING_HEADER.encode()
        + b"Texas,Hays County Sheriff's Office,County,Hays County,Task Force Model,link pending\n",
        "participatingAgencies.csv",
        today=dt.date(2026, 1, 23),
    )
    assert pending.edition == IceEdition.PENDING
    participating = read_ice_file(PENDING.read_bytes(), "participating.xlsx")
    assert participating.edition == IceEdition.PENDING and participating.rows_read == 57


@pytest.mark.django_db
def test_an_agency_written_two_ways_in_one_file_is_one_agency(offices, people):
    content = HEADER + (
        "FLORIDA,Lee County Sheriff's Office ,County,Lee County,Task Force Model,2025-02-26,link,\n"
        "Florida,LEE  COUNTY SHERIFF’S OFFICE,County,#N/A,Warrant Service Officer,2025-03-01,link,\n"
        ",,,,,,,\n"
    )
    ice_import = load(content, "list.csv", people["chief"])
    assert ice_import.report["agencies"]["new"] == 1 and ice_import.report["agreements"]["new"] == 2
    agency = Agency.objects.get()
    assert agency.name == "Lee County Sheriff's Office" and agency.county == "Lee County"
    assert agency.agreements.count() == 2
    assert ice_import.report["cleanings"]["blank_rows"] == 1


@pytest.mark.django_db
def test_rejected_rows_apply_nothing_unless_the_valid_rows_are_chosen(offices, people, tmp_path):
    content = HEADER + (
        "TEXAS,Hays County Sheriff's Office,County,Hays County,Task Force Model,2025-02-26,link,\n"
        "TEXAS,,County,Hays County,Task Force Model,2025-02-26,link,\n"
        "ATLANTIS,Poseidon Police Department,Municipality,,Task Force Model,2025-02-26,link,\n"
        "TEXAS,Kerr County Sheriff's Office,County,Kerr County,Border Patrol Model,2025-02-26,link,\n"
    )
    path = tmp_path / "list-02262025.csv"
    path.write_text(content)
    # when the file is imported without --apply-valid, nothing is written and the rows are reported
    output = run(path)
    assert "nothing was applied" in output
    assert "row 3: no agency name" in output
    assert "row 4: unknown state or territory 'ATLANTIS'" in output
    assert "row 5: unknown 287(g) model 'Border Patrol Model'" in output
    assert not Agency.objects.exists() and not Agreement.objects.exists() and not IceImport.objects.exists()
    # on the page, "apply nothing" discards the import
    ice_import = services.ice_import_preview(
        content=content.encode(), file_name="list.csv", acting_user=people["chief"]
    )
    with pytest.raises(Exception):
        services.ice_import_apply(ice_import=ice_import, acting_user=people["chief"])
    services.ice_import_discard(ice_import=ice_import, acting_user=people["chief"])
    assert not Agreement.objects.exists()
    # with --apply-valid the valid row is applied and the rejected ones stay listed
    output = run(path, "--apply-valid")
    assert Agreement.objects.get().agency.name == "Hays County Sheriff's Office"
    applied = IceImport.objects.get(status=ImportStatus.APPLIED)
    assert applied.applied_valid_only and [r["row"] for r in applied.report["rejected"]] == [3, 4, 5]


@pytest.mark.django_db
def test_dry_run_writes_nothing(offices, tmp_path):
    path = tmp_path / "list.csv"
    path.write_text(HEADER + "TEXAS,Hays County Sheriff's Office,County,Hays County,Task Force Model,2025-02-26,,\n")
    output = run(path, "--dry-run")
    assert "Agreements: 1 new" in output and "Dry run" in output
    assert not Agreement.objects.exists() and not IceImport.objects.exists()


@pytest.mark.django_db
@time_machine.travel(dt.datetime(2025, 9, 1, 14, tzinfo=dt.UTC), tick=False)
def test_editions_sign_pending_agreements_update_dates_and_mark_the_missing(offices, people):
    chief = people["chief"]
    with time_machine.travel(dt.datetime(2025, 5, 1, 14, tzinfo=dt.UTC), tick=False):
        load(
            PENDING_HEADER + "TEXAS,Hays County Sheriff's Office,County,Hays County,Task Force Model,link pending\n"
            "TEXAS,Kerr County Sheriff's Office,County,Kerr County,Task Force Model,link pending\n",
            "pending.csv",
            chief,
        )
        load(
            HEADER + "TEXAS,Bexar County Sheriff's Office,County,Bexar County,Jail Enforcement Model,2024-01-10,link,\n"
            "TEXAS,Smith County Sheriff's Office,County,Smith County,Jail Enforcement Model,2024-02-10,link,\n",
            "participating-1.csv",
            chief,
        )
    hays = Agreement.objects.get(agency__name__startswith="Hays")
    assert (hays.status, hays.pending_listed_on, hays.applied_on) == ("under_review", dt.date(2025, 5, 1), None)
    # a later participating edition lists Hays as signed, moves Bexar's signing date and drops Smith
    ice_import = load(
        HEADER
        + (
            "TEXAS,Hays County Sheriff's Office,County,Hays County,Task Force Model,2025-07-01,"
            "https:/www.ice.gov/doclib/287gMOA/HaysCoTX_TFM.pdf,\n"
            "TEXAS,Bexar County Sheriff's Office,County,Bexar County,Jail Enforcement Model,2024-01-12,link,\n"
        ),
        "participating-2.csv",
        chief,
    )
    counts = ice_import.report["agreements"]
    # Bexar's new signing date waits for HQ's review (the default setting): not yet an update
    assert counts == {"new": 0, "updated": 0, "signed": 1, "unchanged": 1, "no_longer_listed": 1}
    review = ice_import.date_reviews.get()
    assert (review.previous_signed_on, review.new_signed_on, review.status) == (
        dt.date(2024, 1, 10),
        dt.date(2024, 1, 12),
        "pending",
    )
    assert Agreement.objects.get(agency__name__startswith="Bexar").signed_on == dt.date(2024, 1, 10)
    services.signing_date_review_decide(review=review, acting_user=chief, accept=True)
    hays.refresh_from_db()
    assert (hays.status, hays.signed_on) == (AgreementStatus.SIGNED, dt.date(2025, 7, 1))
    assert hays.moa_url == "https://www.ice.gov/doclib/287gMOA/HaysCoTX_TFM.pdf"
    assert hays.events.get().transition == Transition.SIGN
    bexar = Agreement.objects.get(agency__name__startswith="Bexar")
    assert bexar.signed_on == dt.date(2024, 1, 12)
    assert bexar.history.filter(signed_on=dt.date(2024, 1, 10)).exists()
    assert Agreement.objects.filter(agency__name__startswith="Bexar").count() == 1
    smith = Agreement.objects.get(agency__name__startswith="Smith")
    assert (smith.status, smith.not_listed_since) == (AgreementStatus.SIGNED, dt.date(2025, 9, 1))
    # Kerr was pending on the pending list only: a participating edition does not judge it
    assert Agreement.objects.get(agency__name__startswith="Kerr").not_listed_since is None
    assert Agreement.objects.count() == 4  # never deleted


@pytest.mark.django_db
def test_new_agencies_take_their_field_office_from_state_or_county(offices, people):
    load(
        HEADER
        + (
            "TEXAS,El Paso County Sheriff's Office,County,El Paso County,Task Force Model,2025-02-26,,\n"
            "TEXAS,Nowhere Police Department,Municipality,Nowhere County,Task Force Model,2025-02-26,,\n"
            "FLORIDA,Lee County Sheriff's Office,County,Lee County,Task Force Model,2025-02-26,,\n"
        ),
        "list.csv",
        people["chief"],
    )
    offices_of = {a.name.split()[0]: (a.field_office.code, a.field_office_confirmed) for a in Agency.objects.all()}
    assert offices_of == {"El": ("ELP", True), "Nowhere": ("HOU", False), "Lee": ("MIA", True)}


@pytest.mark.django_db
def test_an_untrustworthy_date_never_replaces_a_known_one(offices, people, world):
    agreement = AgreementFactory(
        agency=AgencyFactory(name="Hays County Sheriff's Office", county="Hays", state="TX"),
        program_model="tfm",
        applied_on=None,
        signed_on=dt.date(2025, 2, 26),
    )
    load(
        HEADER + "TEXAS,Hays County Sheriff's Office,County,Hays County,Task Force Model,2/262025,,\n",
        "l.csv",
        people["chief"],
    )
    agreement.refresh_from_db()
    assert agreement.signed_on == dt.date(2025, 2, 26)
    assert agreement.needs_review and agreement.signed_on_raw == "2/262025"


@pytest.mark.parametrize(
    "wrapped, meant",
    [
        (
            "https://gcc02.safelinks.protection.outlook.com/?url=https%3A%2F%2Fwww.ice.gov%2Fdoclib%2F287gMOA%2FA.pdf&data=05",
            "https://www.ice.gov/doclib/287gMOA/A.pdf",
        ),
        (
            "https://urldefense.com/v3/__https://www.ice.gov/doclib/287gMOA/B.pdf__;!!BClRuOV5cvtbuNI!abc$",
            "https://www.ice.gov/doclib/287gMOA/B.pdf",
        ),
        (
            "https://urldefense.proofpoint.com/v2/url?u=https-3A__www.ice.gov_doclib_287gMOA_C.pdf&d=DwMFAg",
            "https://www.ice.gov/doclib/287gMOA/C.pdf",
        ),
        ("https:/www.ice.gov/doclib/287gMOA/D.pdf", "https://www.ice.gov/doclib/287gMOA/D.pdf"),
        (
            "chrome-extension://efaidnbmnnnibpcajpcglclefindmkaj/https://www.ice.gov/doclib/287gMOA/E.pdf",
            "https://www.ice.gov/doclib/287gMOA/E.pdf",
        ),
        ("link pending", ""),
        ("not a link", ""),
    ],
)
def test_document_links_are_unwrapped_and_repaired(wrapped, meant):
    from collections import Counter

    assert clean_url(wrapped, Counter()) == meant


def _full_load_cells(content: bytes) -> list[list[tuple]]:
    """The cells of the first sheet as openpyxl's full load gives them (value, link
    target), without the empty cells that pad each row to the widest."""
    from io import BytesIO

    from openpyxl import load_workbook

    sheet = load_workbook(BytesIO(content), data_only=True).worksheets[0]
    rows = []
    for row in sheet.iter_rows():
        cells = [(c.value, c.hyperlink.target if getattr(c, "hyperlink", None) else None) for c in row]
        while cells and cells[-1] == (None, None):
            cells.pop()
        rows.append(cells)
    return rows


def _read_cells(content: bytes) -> list[list[tuple]]:
    from agreements.importers import _cells_of_xlsx

    rows = []
    for values, links in _cells_of_xlsx(content):
        cells = [(value, (links or {}).get(i)) for i, value in enumerate(values)]
        while cells and cells[-1] == (None, None):
            cells.pop()
        rows.append(cells)
    return rows


def _reader(content: bytes):
    """openpyxl's reader of a workbook, read up to its first worksheet's path."""
    from io import BytesIO

    from openpyxl.reader.excel import ExcelReader
    from openpyxl.styles.stylesheet import apply_stylesheet

    reader = ExcelReader(BytesIO(content), read_only=True, data_only=True)
    reader.read_manifest()
    reader.read_strings()
    reader.read_workbook()
    apply_stylesheet(reader.archive, reader.wb)
    return reader, next(rel.target for _sheet, rel in reader.parser.find_sheets())


def _workbook(build, links: str = "", relations: str = "") -> bytes:
    """A workbook openpyxl writes, with ``links`` added to the first sheet's <hyperlinks>
    and ``relations`` to its relations (openpyxl writes no link on an empty cell)."""
    import zipfile
    from io import BytesIO

    from openpyxl import Workbook

    workbook = Workbook()
    build(workbook.active)
    workbook.create_sheet("Other")["A1"] = "not read"
    out = BytesIO()
    workbook.save(out)
    source, patched = zipfile.ZipFile(out), BytesIO()
    with zipfile.ZipFile(patched, "w") as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = data.replace(b"</hyperlinks>", links.encode() + b"</hyperlinks>")
            if item.filename == "xl/worksheets/_rels/sheet1.xml.rels":
                data = data.replace(b"</Relationships>", relations.encode() + b"</Relationships>")
            target.writestr(item, data)
    return patched.getvalue()


def test_the_workbook_is_read_as_openpyxls_full_load_reads_it():
    """The import reads the sheet in read-only mode with its links from the sheet's XML:
    the cells and links are those of openpyxl's full load, for ICE's files and for sheets
    with what a full load changes (an empty linked cell shows its link, a link creates its
    cell, the later of two links of a cell wins, rows run to the last cell, gaps kept,
    empty row elements are no rows); sheets with merged cells or comments are loaded in
    full."""

    from openpyxl.comments import Comment
    from openpyxl.styles import Font

    from agreements.importers import _FullLoadNeeded, _read_only_rows

    for path in (PARTICIPATING, PENDING, FIXTURES / "history" / "participatingAgencies01052025pm.xlsx"):
        assert _read_cells(path.read_bytes()) == _full_load_cells(path.read_bytes())

    def sheet_of(sheet):
        sheet.append(["STATE", "LAW ENFORCEMENT AGENCY", "SUPPORT TYPE", "SIGNED", "MOA", "ADDENDUM"])
        sheet.append(["TX", "Hays County Sheriff's Office", "Task Force Model", dt.date(2025, 2, 26), "link", None])
        sheet["E2"].hyperlink = "https://www.ice.gov/doclib/287gMOA/Hays.pdf"
        sheet["E6"] = "link"
        sheet["E6"].hyperlink = "https://www.ice.gov/doclib/287gMOA/Other.pdf"
        sheet["B9"].font = Font(bold=True)  # a styled empty cell below the data extends the rows
        sheet.append([True, 3.5, "=1+1", "#N/A", 42, EXCEL_TIME, "7/72025"])  # row 10

    r = 'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'
    links = (
        f'<hyperlink {r} ref="F2" r:id="rId7"/>'  # an empty cell: the full load shows the link as its value
        f'<hyperlink {r} ref="G12" r:id="rId8"/>'  # a link past the data creates its cell
        '<hyperlink ref="E6" location="\'Other\'!A1"/>'  # a second link of a cell, inside the workbook
        '<hyperlink ref="H3" location="\'Other\'!A1"/>'
    )
    relations = "".join(
        f'<Relationship Id="{rid}" Target="https://www.ice.gov/doclib/287gMOA/{name}.pdf" TargetMode="External" '
        'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/hyperlink"/>'
        for rid, name in (("rId7", "Hays-addendum"), ("rId8", "Beyond"))
    )
    content = _workbook(sheet_of, links, relations)
    assert _read_only_rows(*_reader(content))  # read without a full load
    cells = _read_cells(content)
    assert cells == _full_load_cells(content)
    addendum = "https://www.ice.gov/doclib/287gMOA/Hays-addendum.pdf"
    assert cells[1][5] == (addendum, addendum)
    assert cells[5][4] == ("link", None) and cells[2][7] == ("'Other'!A1", None)
    assert len(cells) == 12 and cells[3] == [] and cells[8] == []
    assert [value for value, _link in cells[9]] == [
        True,
        3.5,
        None,
        "#N/A",
        42,
        EXCEL_TIME,
        "7/72025",
    ]

    def merged(sheet):
        sheet_of(sheet)
        sheet.merge_cells("A7:C7")

    def commented(sheet):
        sheet_of(sheet)
        sheet["H12"].comment = Comment("checked", "HQ")

    for build in (merged, commented):
        content = _workbook(build, links, relations)
        with pytest.raises(_FullLoadNeeded):
            _read_only_rows(*_reader(content))
        assert _read_cells(content) == _full_load_cells(content)


@pytest.mark.django_db
@time_machine.travel(dt.datetime(2025, 9, 1, 14, tzinfo=dt.UTC), tick=False)
def test_the_preview_runs_as_many_statements_for_three_times_the_rows(offices, people):
    """Reading, planning and comparing an edition runs a fixed number of statements: a
    list three times as long, naming three times as many agencies the portal has (with a
    signed agreement whose signing date moves, a pending agreement the list signs, an
    unchanged one), three times as many new ones and rejected rows, runs as many as the
    short one."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    chief = people["chief"]
    # an edition before, so that each preview is compared with it
    load(
        HEADER + "TEXAS,Earlier County Sheriff's Office,County,Earlier,Task Force Model,2025-01-02,,\n", "a.csv", chief
    )
    groups = []
    for i in range(6):
        moved = AgreementFactory(
            agency=AgencyFactory(name=f"Moved {i} County Sheriff's Office", county=f"Moved {i}"),
            program_model="jem",
            signed_on=dt.date(2024, 1, 10),
        )
        pending = AgreementFactory(
            agency=AgencyFactory(name=f"Pending {i} County Sheriff's Office", county=f"Pending {i}"),
            program_model="tfm",
            status=AgreementStatus.UNDER_REVIEW,
            applied_on=dt.date(2025, 1, 2),
            signed_on=None,
        )
        same = AgreementFactory(
            agency=AgencyFactory(name=f"Same {i} County Sheriff's Office", county=f"Same {i}"),
            program_model="wso",
            signed_on=dt.date(2024, 3, 1),
            ice_listed_on=dt.date(2025, 9, 1),
        )
        AgreementFactory(agency=AgencyFactory(name=f"Gone {i} Police Department"), program_model="tfm")
        groups.append(
            [
                f"TEXAS,{moved.agency.name},County,{moved.agency.county},Jail Enforcement Model,2024-01-12,link,",
                f"TEXAS,{pending.agency.name},County,{pending.agency.county},Task Force Model,2025-07-01,link,",
                f"TEXAS,{same.agency.name},County,{same.agency.county},Warrant Service Officer,2024-03-01,link,",
                f"Texas,New {i} Police Department,Municipality,Hays County,Task Force Model,07/01/2025,"
                f"https://www.ice.gov/doclib/287gMOA/New{i}.pdf,",
                f"ATLANTIS,Rejected {i} Police Department,Municipality,,Task Force Model,2025-02-26,link,",
            ]
        )

    def preview(n: int):
        rows = [line for group in groups[:n] for line in group]
        with CaptureQueriesContext(connection) as queries:
            edition = services.ice_import_preview(
                content=(HEADER + "\n".join(rows) + "\n").encode(),
                file_name=f"list-{n}.csv",
                acting_user=chief,
                as_of=dt.date(2025, 9, 1),
            )
        report = edition.report
        counts = report["agreements"]
        assert (counts["new"], counts["updated"], counts["signed"], counts["unchanged"]) == (n, 0, n, 2 * n)
        assert (len(report["signing_dates_changed"]), len(report["rejected"])) == (n, n)
        assert report["agencies"] == {"new": n, "updated": 0, "unchanged": 3 * n}
        assert edition.changes.count() > 2 * n
        services.ice_import_drop(ice_import=edition)  # the next preview is compared with a.csv again
        return len(queries.captured_queries)

    assert preview(6) == preview(2)
