import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from portfolios.demo import demo_pdf_bytes, demo_png_bytes
from portfolios.enums import Cycle
from portfolios.models import CriterionResponse
from portfolios.services import evidence_create_text, portfolio_create


def _zip(members: dict[str, bytes], *, first: str | None = None) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        if first:
            archive.writestr(first, members.pop(first), compress_type=zipfile.ZIP_STORED)
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def jpeg_with_gps() -> bytes:
    image = Image.new("RGB", (40, 20), (200, 30, 30))
    exif = Image.Exif()
    exif[0x010F] = "SecretCam"  # Make
    exif[0x0112] = 6  # Orientation: rotate 90
    exif.get_ifd(0x8825)[2] = (51.0, 30.0, 0.0)  # GPSLatitude
    exif.get_ifd(0x8825)[1] = "N"
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", exif=exif)
    return buffer.getvalue()


SAMPLES: dict[str, bytes] = {
    "report.pdf": demo_pdf_bytes("Report"),
    "photo.png": demo_png_bytes(),
    "photo.jpg": jpeg_with_gps(),
    "notes.txt": "Minutes of the community meeting – café at 10:00\n".encode(),
    "survey.csv": b"question,answer\nDo you feel welcome?,Yes\n",
    "letter.docx": _zip({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w/>"}),
    "scores.xlsx": _zip({"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b"<x/>"}),
    "slides.pptx": _zip({"[Content_Types].xml": b"<Types/>", "ppt/presentation.xml": b"<p/>"}),
    "story.odt": _zip(
        {"mimetype": b"application/vnd.oasis.opendocument.text", "content.xml": b"<c/>"},
        first="mimetype",
    ),
    "video.mp4": b"\x00\x00\x00\x18ftypisom\x00\x00\x02\x00isomiso2" + b"\x00" * 64,
    "voice.m4a": b"\x00\x00\x00\x20ftypM4A \x00\x00\x00\x00M4A mp42isom" + b"\x00" * 64,
    "song.mp3": b"ID3\x03\x00\x00\x00\x00\x00\x0f" + b"\x00" * 64,
}


def upload(name: str, content: bytes | None = None) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, SAMPLES[name] if content is None else content)


@pytest.fixture
def portfolio(unit, framework, lead):
    return portfolio_create(unit=unit, framework=framework, cycle=Cycle.INITIAL, actor=lead)


def make_ready(portfolio, actor) -> None:
    """Fill every criterion with a narrative and one declared text evidence item."""
    CriterionResponse.objects.filter(portfolio=portfolio).update(narrative="We do this daily.")
    criteria = list(portfolio.responses.values_list("criterion_id", flat=True))
    evidence_create_text(
        portfolio=portfolio,
        actor=actor,
        title="Resident quote",
        text="“I feel at home.”",
        contains_identifiable=False,
        criterion_ids=criteria,
    )


@pytest.fixture
def ready_portfolio(portfolio, lead):
    make_ready(portfolio, lead)
    return portfolio


@pytest.fixture
def media_root(_private_storage):
    """The private storage folder of this test."""
    return _private_storage
