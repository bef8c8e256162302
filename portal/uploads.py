"""Checks of uploaded files, shared by every upload of the portal (pages and API): the
kind of file an upload takes (by its name's extension and its first bytes), a size limit
(``UPLOAD_MAX_BYTES``), and for Excel workbooks, which are zip archives, a limit on the
size of their decompressed content (``UPLOAD_XLSX_MAX_UNCOMPRESSED_BYTES``), so that a
small "zip bomb" cannot fill the memory of the worker that opens it.

``check_upload(file, kinds=...)`` raises ``ValidationError`` with a message for the person
who chose the file; forms and serializers put it on their ``file`` field.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat


@dataclass(frozen=True)
class FileKind:
    label: str
    extensions: tuple[str, ...]
    #: The file's first bytes (any of them); None: text, checked as text instead.
    signatures: tuple[bytes, ...] | None


KINDS = {
    "csv": FileKind("a CSV file (.csv)", (".csv",), None),
    "xlsx": FileKind("an Excel workbook (.xlsx)", (".xlsx",), (b"PK\x03\x04",)),
    "pdf": FileKind("a PDF document (.pdf)", (".pdf",), (b"%PDF-",)),
    "docx": FileKind("a Word document (.docx)", (".docx",), (b"PK\x03\x04",)),
}

#: Zip entries a workbook of ICE's lists needs, many times over; a bomb has far more.
XLSX_MAX_ENTRIES = 2000


def max_bytes() -> int:
    return getattr(settings, "UPLOAD_MAX_BYTES", 10 * 1024 * 1024)


def xlsx_max_uncompressed_bytes() -> int:
    return getattr(settings, "UPLOAD_XLSX_MAX_UNCOMPRESSED_BYTES", 100 * 1024 * 1024)


def _kinds_label(kinds) -> str:
    labels = [KINDS[k].label for k in kinds]
    return labels[0] if len(labels) == 1 else ", ".join(labels[:-1]) + " or " + labels[-1]


def _head(upload, size: int = 8) -> bytes:
    position = upload.tell() if hasattr(upload, "tell") else 0
    upload.seek(0)
    head = upload.read(size)
    upload.seek(position)
    return head if isinstance(head, bytes) else head.encode()


def kind_of(upload, kinds) -> str:
    """The kind (a key of ``KINDS``) of the uploaded file among ``kinds``, or
    ``ValidationError`` when it is none of them."""
    name = (getattr(upload, "name", "") or "").lower()
    head = _head(upload)
    for key in kinds:
        kind = KINDS[key]
        if not name.endswith(kind.extensions):
            continue
        if kind.signatures is None:
            # Text: no zip, PDF or other binary format pretending to be a CSV.
            if b"\x00" in _head(upload, 4096) or head.startswith((b"PK\x03\x04", b"%PDF-")):
                break
            return key
        if head.startswith(kind.signatures):
            return key
        break
    raise ValidationError(f"Choose {_kinds_label(kinds)}: this file is not one.", code="file_type")


def check_size(upload) -> None:
    limit = max_bytes()
    size = getattr(upload, "size", None)
    if size is None:
        size = len(upload)
    if size > limit:
        raise ValidationError(
            f"The file is {filesizeformat(size)}; the limit is {filesizeformat(limit)}.", code="file_size"
        )


def check_zip_content(content: bytes, *, what: str = "workbook") -> None:
    """Refuses a zip archive (an .xlsx or .docx) whose content would decompress beyond
    the limit, or that holds an unreasonable number of entries, without decompressing it."""
    limit = xlsx_max_uncompressed_bytes()
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            entries = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError):
        raise ValidationError(f"This file cannot be read as an Excel {what}.", code="file_type") from None
    if len(entries) > XLSX_MAX_ENTRIES:
        raise ValidationError(f"This {what} holds {len(entries)} parts; a real one has far fewer.", code="file_size")
    total = sum(entry.file_size for entry in entries)
    if total > limit:
        raise ValidationError(
            f"This {what} would take {filesizeformat(total)} once opened; the limit is {filesizeformat(limit)}.",
            code="file_size",
        )


def check_upload(upload, *, kinds) -> str:
    """Checks an uploaded file (a Django ``UploadedFile``) and returns its kind."""
    check_size(upload)
    kind = kind_of(upload, kinds)
    if kind in ("xlsx", "docx"):
        position = upload.tell()
        upload.seek(0)
        check_zip_content(upload.read(), what="workbook" if kind == "xlsx" else "document")
        upload.seek(position)
    return kind


def read_text(upload) -> str:
    """The text of an uploaded CSV file (UTF-8, with or without a byte-order mark)."""
    check_upload(upload, kinds=("csv",))
    upload.seek(0)
    try:
        return upload.read().decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValidationError("The file is not UTF-8 text: save it as CSV UTF-8.", code="file_encoding") from None


class UploadValidator:
    """A field validator (forms and serializers alike) for uploads of ``kinds``."""

    def __init__(self, *kinds: str):
        self.kinds = kinds

    def __call__(self, upload):
        if upload:
            check_upload(upload, kinds=self.kinds)


CSV_UPLOAD = UploadValidator("csv")
ICE_LIST_UPLOAD = UploadValidator("xlsx", "csv")
DOCUMENT_UPLOAD = UploadValidator("pdf", "docx")
