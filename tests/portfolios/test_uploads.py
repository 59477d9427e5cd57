import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from portfolios.uploads import UploadRejectedError, prepare_upload, sanitise_display_name

from .conftest import SAMPLES, upload

LIMIT = 10 * 1024 * 1024

EXPECTED_TYPES = {
    "report.pdf": "application/pdf",
    "photo.png": "image/png",
    "photo.jpg": "image/jpeg",
    "notes.txt": "text/plain",
    "survey.csv": "text/csv",
    "letter.docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "scores.xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "slides.pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "story.odt": "application/vnd.oasis.opendocument.text",
    "video.mp4": "video/mp4",
    "voice.m4a": "audio/mp4",
    "song.mp3": "audio/mpeg",
}


@pytest.mark.parametrize("name", sorted(EXPECTED_TYPES))
def test_prepare_upload_accepts_each_allowed_type(name):
    prepared = prepare_upload(upload(name), max_bytes=LIMIT)
    try:
        assert prepared.content_type == EXPECTED_TYPES[name]
        assert prepared.display_name == name
        assert len(prepared.sha256) == 64
        assert prepared.size > 0
    finally:
        prepared.close()


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("report.pdf", b"MZ\x90\x00" + b"\x00" * 100, "program"),
        ("notes.txt", b"\x7fELF\x02\x01\x01" + b"\x00" * 100, "program"),
        ("notes.txt", b"\xcf\xfa\xed\xfe" + b"\x00" * 100, "program"),
        ("notes.txt", b"#!/bin/sh\nrm -rf /\n", "script"),
        ("photo.png", SAMPLES["report.pdf"], "PDF"),
        ("report.pdf", SAMPLES["photo.png"], "PNG image"),
        ("letter.docx", SAMPLES["scores.xlsx"], "Excel"),
        ("notes.txt", SAMPLES["report.pdf"], ".txt"),
        ("archive.docx", None, "zip archive"),
        ("data.txt", b"\x1f\x8b\x08\x00" + b"\x00" * 100, "archive"),
        ("drawing.txt", b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"/>', "SVG"),
        ("page.txt", b"<!DOCTYPE html><html><script>alert(1)</script></html>", "HTML"),
        ("binary.txt", b"abc\x00def", "binary"),
        ("latin.txt", "café".encode("latin-1"), "UTF-8"),
        ("run.exe", b"hello", "programs or scripts"),
        ("bundle.zip", b"PK\x03\x04", "Archives"),
        ("empty.pdf", b"", "empty"),
        ("image.gif", b"GIF89a" + b"\x00" * 100, "GIF"),
    ],
)
def test_prepare_upload_rejects_with_a_reason(name, content, reason):
    if name == "archive.docx":
        import zipfile  # noqa: PLC0415 -- only this case needs it

        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            archive.writestr("secret/readme.txt", "hello")
        content = buffer.getvalue()
    with pytest.raises(UploadRejectedError) as excinfo:
        prepare_upload(SimpleUploadedFile(name, content), max_bytes=LIMIT)
    assert reason.lower() in " ".join(excinfo.value.messages).lower()


def test_prepare_upload_rejects_over_the_limit():
    with pytest.raises(UploadRejectedError, match="more than the limit"):
        prepare_upload(SimpleUploadedFile("big.txt", b"a" * 2048), max_bytes=1024)


def test_prepare_upload_removes_exif_and_gps_but_applies_orientation():
    original = Image.open(io.BytesIO(SAMPLES["photo.jpg"]))
    assert original.getexif()[0x010F] == "SecretCam"
    prepared = prepare_upload(upload("photo.jpg"), max_bytes=LIMIT)
    try:
        cleaned = Image.open(prepared.file)
        assert dict(cleaned.getexif()) == {}
        assert "exif" not in cleaned.info
        # Orientation 6 was applied: the 40x20 image is now 20x40.
        assert cleaned.size == (20, 40)
        prepared.file.seek(0)
        assert b"SecretCam" not in prepared.file.read()
    finally:
        prepared.close()


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("../../etc/passwd", "passwd"),
        ("C:\\Users\\me\\minutes.pdf", "minutes.pdf"),
        ("caf\u0065\u0301 notes.txt", "café notes.txt"),
        ("evil\x00name\x1b.pdf", "evilname.pdf"),
        ("...", "file"),
        ("a" * 300 + ".pdf", "a" * 116 + ".pdf"),
    ],
)
def test_sanitise_display_name(raw, expected):
    assert sanitise_display_name(raw) == expected
