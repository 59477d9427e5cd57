"""Issue 15: evidence from a secure setting is watermarked with who downloaded it and when.

A leaked copy of a PDF or an image can then be traced to the person it was given to. PDFs get
a line at the foot and a faint diagonal line on every page (a pypdf overlay in the standard
Helvetica font, so nothing is embedded); images get a band along the foot (Pillow) and the
same words in their metadata (a JPEG comment or a PNG text chunk). Other types are returned
unchanged: there is no safe way to mark them.
"""

import io
import math

from django.utils.translation import gettext as _
from PIL import Image, ImageDraw, ImageFont
from pypdf import PageObject, PdfReader, PdfWriter
from pypdf.generic import (
    DecodedStreamObject,
    DictionaryObject,
    FloatObject,
    NameObject,
)

WATERMARKED_TYPES = frozenset({"application/pdf", "image/jpeg", "image/png"})
_FOOT_SIZE = 8
_DIAGONAL_SIZE = 28


def watermark_text(*, name: str, date_text: str) -> str:
    return _("Downloaded by %(name)s on %(date)s from EE Portal. Do not share.") % {
        "name": name,
        "date": date_text,
    }


def _pdf_string(text: str) -> bytes:
    # Helvetica with WinAnsiEncoding: characters outside cp1252 become "?".
    raw = text.encode("cp1252", errors="replace")
    return b"(" + raw.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)") + b")"


def _overlay(page: PageObject, text: str) -> PageObject:
    box = page.mediabox
    left, bottom = float(box.left), float(box.bottom)
    width, height = float(box.width), float(box.height)
    overlay = PageObject.create_blank_page(width=width, height=height)
    overlay.mediabox = page.mediabox
    font = DictionaryObject(
        {
            NameObject("/Type"): NameObject("/Font"),
            NameObject("/Subtype"): NameObject("/Type1"),
            NameObject("/BaseFont"): NameObject("/Helvetica"),
            NameObject("/Encoding"): NameObject("/WinAnsiEncoding"),
        }
    )
    faint = DictionaryObject(
        {NameObject("/Type"): NameObject("/ExtGState"), NameObject("/ca"): FloatObject(0.22)}
    )
    overlay[NameObject("/Resources")] = DictionaryObject(
        {
            NameObject("/Font"): DictionaryObject({NameObject("/EEWmF"): font}),
            NameObject("/ExtGState"): DictionaryObject({NameObject("/EEWmG"): faint}),
        }
    )
    string = _pdf_string(text)
    angle = math.atan2(height, width)
    cos, sin = math.cos(angle), math.sin(angle)
    # Helvetica averages about half an em per character: the diagonal line is sized to fit
    # the page's diagonal and centred on it.
    size = min(_DIAGONAL_SIZE, 0.8 * math.hypot(width, height) / (0.5 * len(text)))
    half = 0.25 * size * len(text)
    cx, cy = left + width / 2 - half * cos, bottom + height / 2 - half * sin
    content = b"\n".join(
        [
            b"q 0.35 g BT /EEWmF %d Tf %.2f %.2f Td " % (_FOOT_SIZE, left + 18, bottom + 10)
            + string
            + b" Tj ET Q",
            b"q /EEWmG gs 0.5 g BT /EEWmF %.1f Tf %.4f %.4f %.4f %.4f %.2f %.2f Tm "
            % (size, cos, sin, -sin, cos, cx, cy)
            + string
            + b" Tj ET Q",
        ]
    )
    stream = DecodedStreamObject()
    stream.set_data(content)
    overlay[NameObject("/Contents")] = stream
    return overlay


def watermark_pdf(data: bytes, text: str) -> bytes:
    """Every page of the PDF with the watermark drawn over it."""
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(data)))
    for page in writer.pages:
        page.merge_page(_overlay(page, text))
    writer.add_metadata({"/EEWatermark": text})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def watermark_image(data: bytes, content_type: str, text: str) -> bytes:
    """The image with a band along its foot carrying the text, and the text in its metadata."""
    with Image.open(io.BytesIO(data)) as opened:
        image = opened.convert("RGBA")
    size = max(10, image.height // 28)
    font = ImageFont.load_default(size=size)
    band = Image.new("RGBA", image.size, (0, 0, 0, 0))
    draw = ImageDraw.Draw(band)
    top = image.height - size * 2
    draw.rectangle((0, top, image.width, image.height), fill=(0, 0, 0, 150))
    draw.text((size // 2, top + size // 2), text, font=font, fill=(255, 255, 255, 235))
    marked = Image.alpha_composite(image, band)
    out = io.BytesIO()
    if content_type == "image/png":
        from PIL.PngImagePlugin import PngInfo  # noqa: PLC0415 -- PNG-only helper

        info = PngInfo()
        info.add_text("EEWatermark", text)
        marked.save(out, format="PNG", pnginfo=info)
    else:
        marked.convert("RGB").save(out, format="JPEG", quality=90, comment=text.encode())
    return out.getvalue()


def watermark(data: bytes, content_type: str, text: str) -> bytes:
    """The watermarked copy for PDFs, JPEGs and PNGs; anything else unchanged."""
    if content_type == "application/pdf":
        return watermark_pdf(data, text)
    if content_type in ("image/jpeg", "image/png"):
        return watermark_image(data, content_type, text)
    return data
