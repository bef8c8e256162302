"""Exports never carry a live formula; uploads take the allowed kinds only, within a size
limit, and a workbook whose content would decompress beyond the limit is refused before it
is opened (issue 15, item 3)."""

from __future__ import annotations

import datetime as dt
import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook

from agreements.models import Agency, AgreementDocument, IceImport
from portal.tables import safe_cell

pytestmark = pytest.mark.django_db

FORMULAS = [
    "=1+1",
    "+1+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(A1:A2)",
    "\t=1+1",
    "\r=1+1",
    "＝1+1",
    "＋1+1",
    "－2+3",
    "＠SUM(A1)",
    '=HYPERLINK("http://x","y")',
]


@pytest.mark.parametrize("text", FORMULAS)
def test_formula_looking_text_is_neutralised(text):
    assert safe_cell(text) == "'" + text


@pytest.mark.parametrize("value", ["-5", "3.25", "+7", "Harris County", "", "a=b", 42, -1.5, None, dt.date(2018, 3, 1)])
def test_plain_values_pass_unchanged(value):
    assert safe_cell(value) == value


@pytest.mark.parametrize("text", ["-inf", "+nan", "-Infinity", "－5"])
def test_text_that_only_looks_like_a_number_is_neutralised(text):
    assert safe_cell(text) == "'" + text


@pytest.fixture
def formula_agency(world):
    Agency.objects.filter(pk=world["mine"].pk).update(name='＝HYPERLINK("http://evil","Harris")', county="@SUM(1+1)")
    return world["mine"]


def test_csv_export_neutralises_formulas(client, people, formula_agency):
    client.force_login(people["chief"])

    export = client.get("/agencies/?export=csv")

    text = b"".join(export.streaming_content).decode("utf-8-sig")
    assert "'＝HYPERLINK" in text and "'@SUM(1+1)" in text
    assert "\n＝HYPERLINK" not in text and ",＝HYPERLINK" not in text


def test_excel_export_holds_text_not_formulas(client, people, formula_agency):
    client.force_login(people["chief"])

    export = client.get("/agencies/?export=xlsx")

    sheet = load_workbook(io.BytesIO(export.content)).active
    cells = [cell for row in sheet.iter_rows() for cell in row if isinstance(cell.value, str)]
    assert any(cell.value == "'@SUM(1+1)" for cell in cells)
    assert all(cell.data_type != "f" for cell in cells)


def test_staffing_plan_export_uses_the_same_neutraliser():
    from staffing import exports

    assert exports._safe("=1+1") == "'=1+1" and exports._safe("＠x") == "'＠x"


# --- uploads --------------------------------------------------------------------------


def _zip_bomb(size: int) -> bytes:
    """A small .xlsx-looking zip whose one entry decompresses to ``size`` bytes of zeros."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * size)
    return buffer.getvalue()


def test_ice_list_workbook_that_decompresses_beyond_the_limit_is_refused(client, people, world, settings):
    settings.UPLOAD_XLSX_MAX_UNCOMPRESSED_BYTES = 1024 * 1024
    bomb = _zip_bomb(4 * 1024 * 1024)
    assert len(bomb) < 20 * 1024
    client.force_login(people["chief"])

    response = client.post("/agreements/ice-imports/", {"file": SimpleUploadedFile("list.xlsx", bomb)})

    assert response.status_code == 400
    assert "once opened" in response.content.decode()
    assert not IceImport.objects.exists()


def test_ice_list_reader_refuses_a_bomb_from_any_caller(settings):
    from agreements.importers import IceFileError, read_ice_file

    settings.UPLOAD_XLSX_MAX_UNCOMPRESSED_BYTES = 1024 * 1024
    with pytest.raises(IceFileError) as raised:
        read_ice_file(_zip_bomb(2 * 1024 * 1024), "list.xlsx")
    assert "once opened" in " ".join(raised.value.messages)


@pytest.mark.parametrize(
    "name, content, message",
    [
        ("list.xlsx", b"not a zip at all", "Choose an Excel workbook"),
        ("list.exe", b"MZ\x90\x00", "Choose an Excel workbook"),
        ("list.csv", b"PK\x03\x04 a zip named .csv", "Choose an Excel workbook"),
    ],
)
def test_ice_list_upload_of_another_kind_is_refused(client, people, world, name, content, message):
    client.force_login(people["chief"])

    response = client.post("/agreements/ice-imports/", {"file": SimpleUploadedFile(name, content)})

    assert response.status_code == 400 and message in response.content.decode()
    assert not IceImport.objects.exists()


def test_upload_above_the_size_limit_is_refused(api, people, world, settings):
    settings.UPLOAD_MAX_BYTES = 1000
    text = "agency_id,month,encounters_processed,charging_documents_prepared,detainers_issued\n" + "x" * 2000

    response = api(people["chief"]).post(
        "/api/v1/workload-reports/import/", {"file": SimpleUploadedFile("w.csv", text.encode())}, format="multipart"
    )

    assert response.status_code == 400
    assert "the limit is 1000" in response.json()["file"][0]


def test_workload_import_refuses_an_image_named_csv(api, people, world):
    png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR" + b"\0" * 50

    response = api(people["chief"]).post(
        "/api/v1/workload-reports/import/", {"file": SimpleUploadedFile("w.csv", png)}, format="multipart"
    )

    assert response.status_code == 400 and "file" in response.json()


def test_bulk_import_of_a_file_that_is_not_utf8_is_400(api, people, world):
    latin1 = "officer_number,last_name\nHC-1,Muñoz\n".encode("latin-1")

    response = api(people["pm"]).post(
        "/api/v1/officers/import/", {"file": SimpleUploadedFile("roster.csv", latin1)}, format="multipart"
    )

    assert response.status_code == 400 and "UTF-8" in response.json()["file"][0]


def test_agreement_document_of_another_kind_is_refused(api, people, world):
    agreement = world["agreements"]["mine"]
    body = {
        "agreement": agreement.pk,
        "kind": "addendum",
        "dated_on": "2017-06-01",
        "title": "Addendum",
        "file": SimpleUploadedFile("addendum.pdf.exe", b"MZ\x90\x00"),
    }

    response = api(people["chief"]).post("/api/v1/agreement-documents/", body, format="multipart")

    assert response.status_code == 400 and "file" in response.json()
    assert not AgreementDocument.objects.exists()


def test_agreement_document_pdf_is_kept(api, people, world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    agreement = world["agreements"]["mine"]
    body = {
        "agreement": agreement.pk,
        "kind": "addendum",
        "dated_on": "2017-06-01",
        "title": "Addendum",
        "file": SimpleUploadedFile("addendum.pdf", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n"),
    }

    response = api(people["chief"]).post("/api/v1/agreement-documents/", body, format="multipart")

    assert response.status_code == 201, response.json()
    assert AgreementDocument.objects.get().file.name.endswith(".pdf")


def test_form_encoded_bodies_are_refused_where_no_file_is_taken(api, people, world):
    response = api(people["chief"]).post(
        "/api/v1/agencies/", "name=x&state=TX", content_type="application/x-www-form-urlencoded"
    )

    assert response.status_code == 415
