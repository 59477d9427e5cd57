"""Malicious uploads, each POSTed to the real upload view as the unit lead (the virus
scanner's cases with a real clamd: tests/security/test_malware.py covers the scanner itself).

Each must be refused with a message that says why, leave no file in storage and no Evidence
row. A name with "../" and control characters is the exception: it is accepted, stored under
a generated key and shown cleaned.
"""

import io
import struct
import zipfile
import zlib
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from ee_portal.audit.models import AuditEvent
from portfolios.demo import demo_pdf_bytes
from portfolios.models import Evidence
from portfolios.services import evidence_upload
from tests.services import EICAR


def stored_files(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def post_upload(client, portfolio, name: str, content: bytes, *, as_json: bool = True):
    headers = {"HTTP_X_REQUESTED_WITH": "XMLHttpRequest"} if as_json else {}
    return client.post(
        reverse("portfolios:evidence_upload", kwargs={"pk": portfolio.pk}),
        {"up-files": SimpleUploadedFile(name, content), "up-evidence_type": "document"},
        **headers,
    )


# --- the corpus -------------------------------------------------------------------------------


def _pdf(catalog_extra: bytes = b"", objects: bytes = b"", prefix: bytes = b"") -> bytes:
    return (
        prefix + b"%PDF-1.4\n"
        b"1 0 obj << /Type /Catalog /Pages 2 0 R " + catalog_extra + b" >>\nendobj\n"
        b"2 0 obj << /Type /Pages /Kids [3 0 R] /Count 1 >>\nendobj\n"
        b"3 0 obj << /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >>\nendobj\n"
        + objects
        + b"trailer << /Root 1 0 R >>\n%%EOF\n"
    )


def polyglot_pdf_js() -> bytes:
    """A PDF whose OpenAction runs JavaScript, with an HTML/JS page after %%EOF (a PDF/HTML
    polyglot: a browser sniffing it as a page would run the script)."""
    return (
        _pdf(b"/OpenAction << /S /JavaScript /JS (app.alert\\(document.cookie\\)) >>")
        + b"<html><script>alert(document.cookie)</script></html>\n"
    )


def header_shifted_pdf_js() -> bytes:
    """The same with the %PDF header moved down (readers search the first KiB; JS comment)."""
    return b"/*" + polyglot_pdf_js() + b"*/ alert(document.cookie);\n"


def pdf_js_with_name_escapes() -> bytes:
    return _pdf(b"/OpenAction << /S /J#61vaScript /J#53 (app.alert\\(1\\)) >>")


def pdf_js_in_object_stream() -> bytes:
    hidden = zlib.compress(b"4 0 << /Type /Action /S /JavaScript /JS (app.alert(1)) >>")
    return _pdf(
        b"/OpenAction 4 0 R",
        b"5 0 obj << /Type /ObjStm /N 1 /First 4 /Filter /FlateDecode /Length %d >>\nstream\n"
        % len(hidden)
        + hidden
        + b"\nendstream\nendobj\n",
    )


def pdf_launch_action() -> bytes:
    return _pdf(b"/OpenAction << /S /Launch /F (cmd.exe) >>")


SVG_WITH_SCRIPT = (
    b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)">'
    b"<script>alert(document.domain)</script></svg>"
)


def zip_bomb_docx() -> bytes:
    """A .docx-shaped zip whose one member inflates ~1000:1 to 110 MiB of zeros."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", b"<Types/>")
        with archive.open("word/document.xml", "w", force_zip64=True) as member:
            zeros = bytes(1024 * 1024)
            for _ in range(110):
                member.write(zeros)
    return buffer.getvalue()


def many_entries_docx() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        archive.writestr("[Content_Types].xml", b"<Types/>")
        for number in range(6000):
            archive.writestr(f"word/media/{number}.xml", b"")
    return buffer.getvalue()


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_declaring(width: int, height: int) -> bytes:
    """A PNG header declaring width x height pixels, with a tiny (truncated) image body."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    idat = zlib.compress(b"\x00" * 1024)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", ihdr)
        + _png_chunk(b"IDAT", idat)
        + _png_chunk(b"IEND", b"")
    )


CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
    'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/word/document.xml" ContentType="{main}"/>{extra}</Types>'
)
DOCX_MAIN = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
DOCM_MAIN = "application/vnd.ms-word.document.macroEnabled.main+xml"
RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/officeDocument" Target="word/document.xml"/></Relationships>'
)
DOCUMENT = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
    "<w:body><w:p><w:r><w:t>Community meeting minutes</w:t></w:r></w:p></w:body></w:document>"
)


def docx(*, main: str = DOCX_MAIN, extra_types: str = "", parts: dict | None = None) -> bytes:
    """A valid minimal Word document, with any extra parts."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES.format(main=main, extra=extra_types))
        archive.writestr("_rels/.rels", RELS)
        archive.writestr("word/document.xml", DOCUMENT)
        for name, content in (parts or {}).items():
            archive.writestr(name, content)
    return buffer.getvalue()


def macro_docx() -> bytes:
    """A .docx with a VBA project part, as Word leaves one when saved under the wrong type."""
    return docx(parts={"word/vbaProject.bin": b"\xcc\x61" + b"Attribute VB_Name = x" * 20})


def docm_content_type() -> bytes:
    """No vbaProject.bin, but the main part declares itself macro-enabled (a renamed .docm)."""
    return docx(main=DOCM_MAIN)


ELF = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 56 + b"payload"
MZ = b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 56 + b"This program cannot be run in DOS mode"

REJECTED = [
    ("polyglot.pdf", polyglot_pdf_js(), "JavaScript"),
    ("shifted.pdf", header_shifted_pdf_js(), "content is plain text"),
    ("escaped.pdf", pdf_js_with_name_escapes(), "JavaScript"),
    ("hidden.pdf", pdf_js_in_object_stream(), "JavaScript"),
    ("launch.pdf", pdf_launch_action(), "starts a program"),
    ("drawing.svg", SVG_WITH_SCRIPT, "SVG"),
    ("drawing.png", SVG_WITH_SCRIPT, "SVG"),
    ("bomb.docx", zip_bomb_docx(), "zip bomb"),
    ("parts.docx", many_entries_docx(), "parts"),
    ("huge.png", png_declaring(50_000, 50_000), "too large (in pixels)"),
    ("empty.pdf", b"", "empty"),
    ("report.pdf", ELF, "program"),
    ("report.pdf", MZ, "program"),
    ("notes.txt", b"<!DOCTYPE html><html><script>alert(1)</script></html>", "Web pages"),
    ("notes.txt", b"<html><body onload=alert(1)>", "Web pages"),
    ("report.docx", macro_docx(), "contains macros"),
    ("report.docx", docm_content_type(), "contains macros"),
]


# Refused by the virus scanner: these need the real clamd (tests/services.py).
SCANNED = [
    ("eicar.txt", EICAR, "virus scanner found something harmful"),
]
CORPUS = [pytest.param(case, id=f"{case[0]}-{case[2]}") for case in REJECTED] + [
    pytest.param(case, id=f"{case[0]}-{case[2]}", marks=pytest.mark.services) for case in SCANNED
]


@pytest.mark.parametrize("case", CORPUS)
def test_malicious_upload_is_refused_and_leaves_nothing(  # noqa: PLR0917 -- pytest fixtures
    request, client, portfolio, lead, storage_root, case
):
    name, content, reason = case
    if case in SCANNED:
        request.getfixturevalue("clamd")
    client.force_login(lead)
    response = post_upload(client, portfolio, name, content)
    assert response.status_code == 400
    body = response.json()
    assert body["ok"] is False
    [result] = body["files"]
    assert reason in result["error"]
    assert not Evidence.objects.exists()
    assert not AuditEvent.objects.filter(verb="evidence.upload").exists()
    assert stored_files(storage_root) == []


def test_refusal_is_explained_on_the_page_without_javascript(client, portfolio, lead, storage_root):
    client.force_login(lead)
    response = post_upload(client, portfolio, "polyglot.pdf", polyglot_pdf_js(), as_json=False)
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "“polyglot.pdf” was not uploaded" in page
    assert "JavaScript" in page
    assert not Evidence.objects.exists()
    assert stored_files(storage_root) == []


@pytest.mark.filterwarnings("ignore::PIL.Image.DecompressionBombWarning")
def test_image_over_the_pixel_limit_is_refused_even_when_pillow_only_warns(
    client, portfolio, lead, storage_root
):
    """10,000 x 10,000 pixels: Pillow only *warns* (below twice its limit); outside the test
    settings warnings are not errors, so the upload check must refuse it itself."""
    client.force_login(lead)
    response = post_upload(client, portfolio, "big.png", png_declaring(10_000, 10_000))
    assert response.status_code == 400
    assert "too large (in pixels)" in response.json()["files"][0]["error"]
    assert not Evidence.objects.exists()
    assert stored_files(storage_root) == []


def test_a_clean_pdf_and_a_real_office_document_still_pass(client, portfolio, lead, storage_root):
    client.force_login(lead)
    assert (
        post_upload(client, portfolio, "minutes.pdf", demo_pdf_bytes("Minutes")).status_code == 200
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", b"<Types/>")
        archive.writestr("word/document.xml", b"<w:document>" + b"<w:p/>" * 5000 + b"</w:document>")
    assert post_upload(client, portfolio, "letter.docx", buffer.getvalue()).status_code == 200
    assert Evidence.objects.count() == 2
    assert len(stored_files(storage_root)) == 2


NASTY_NAME = "../../etc/\x07pass\x1bwd\x7f\u202etxt.exe\u202c.txt"


def test_path_and_control_characters_in_a_name_are_stored_under_a_generated_key(
    client, portfolio, lead, storage_root
):
    """Through the view (Django drops the folders) and the service (we drop them too)."""
    client.force_login(lead)
    response = post_upload(client, portfolio, NASTY_NAME, b"Minutes of the meeting\n")
    assert response.status_code == 200, response.content
    evidence_upload(
        portfolio=portfolio,
        actor=lead,
        upload=SimpleUploadedFile(NASTY_NAME, b"More minutes\n"),
        criterion_ids=[],
    )
    assert Evidence.objects.count() == 2
    for evidence in Evidence.objects.all():
        assert evidence.original_name == "passwdtxt.exe.txt"  # in the order it is seen
        assert "/" not in evidence.original_name
        assert ".." not in evidence.original_name
        assert not any(ord(ch) < 32 or 127 <= ord(ch) < 160 for ch in evidence.original_name)
        assert evidence.file.name.startswith(f"evidence/{portfolio.pk}/")
        assert len(evidence.file.name.rsplit("/", 1)[1]) == 32  # a uuid4 hex, not the name
        assert evidence.title == evidence.original_name
    files = stored_files(storage_root)
    assert len(files) == 2
    assert all(f.resolve().is_relative_to(storage_root.resolve()) for f in files)
    assert not (storage_root.parent / "etc").exists()
    # Shown cleaned (and escaped) in the library; downloaded under the cleaned name.
    page = client.get(reverse("portfolios:evidence_library", kwargs={"pk": portfolio.pk}))
    assert "passwd" in page.content.decode()
    assert "\x07" not in page.content.decode()
    download = client.get(
        reverse("portfolios:evidence_download", kwargs={"pk": Evidence.objects.first().pk})
    )
    assert download["Content-Disposition"].startswith('attachment; filename="passwdtxt.exe.txt"')
    b"".join(download.streaming_content)  # consuming it closes the file, like close() would


def test_html_later_in_a_text_file_is_served_as_inert_text(client, portfolio, lead):
    """Plain text that contains markup further down is text: it is accepted, but served as
    text/plain, as an attachment, with nosniff, so no browser renders it as a page."""
    client.force_login(lead)
    content = b"Notes from the meeting\n<script>alert(document.cookie)</script>\n"
    response = post_upload(client, portfolio, "notes.txt", content)
    assert response.status_code == 200
    evidence = Evidence.objects.get()
    assert evidence.content_type == "text/plain"
    for params in ("", "?inline=1"):
        download = client.get(
            reverse("portfolios:evidence_download", kwargs={"pk": evidence.pk}) + params
        )
        assert download["Content-Type"] == "text/plain"
        assert download["Content-Disposition"].startswith("attachment;")
        assert download["X-Content-Type-Options"] == "nosniff"
        assert "default-src" in download["Content-Security-Policy"]
        b"".join(download.streaming_content)
