"""Checking and preparing uploaded evidence files before they reach storage.

The type of a file is decided from its bytes, never from its name or the browser's claim.
Everything here reads files in chunks: a 1 GiB upload never sits in memory.
"""

from __future__ import annotations

import codecs
import hashlib
import logging
import os
import re
import tempfile
import unicodedata
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO, Any

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.uploadhandler import (
    FileUploadHandler,
    MemoryFileUploadHandler,
    SkipFile,
    TemporaryFileUploadHandler,
)
from django.template.defaultfilters import filesizeformat
from PIL import Image, ImageOps

from ee_portal.lib.clamav import Clamd, ScannerError

logger = logging.getLogger(__name__)

CHUNK_SIZE = 1024 * 1024
HEADER_SIZE = 8192
MAX_DISPLAY_NAME = 120

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PPTX = "application/vnd.openxmlformats-officedocument.presentationml.presentation"
ODT = "application/vnd.oasis.opendocument.text"

# Detected content type -> the extensions a file of that type may carry.
ALLOWED: dict[str, frozenset[str]] = {
    "application/pdf": frozenset({"pdf"}),
    DOCX: frozenset({"docx"}),
    XLSX: frozenset({"xlsx"}),
    PPTX: frozenset({"pptx"}),
    ODT: frozenset({"odt"}),
    "image/jpeg": frozenset({"jpg", "jpeg"}),
    "image/png": frozenset({"png"}),
    "video/mp4": frozenset({"mp4", "m4v"}),
    "audio/mpeg": frozenset({"mp3"}),
    "audio/mp4": frozenset({"m4a", "mp4"}),
    "text/plain": frozenset({"txt"}),
    "text/csv": frozenset({"csv", "txt"}),
}
ALLOWED_EXTENSIONS = sorted({ext for exts in ALLOWED.values() for ext in exts})
# What the people uploading see (the accept= attribute and the help text).
ALLOWED_SUMMARY = (
    "PDF, Word (DOCX), Excel (XLSX), PowerPoint (PPTX), ODT, JPEG, PNG, MP4, MP3, M4A, TXT, CSV"
)
IMAGE_TYPES = frozenset({"image/jpeg", "image/png"})
TEXT_TYPES = frozenset({"text/plain", "text/csv"})
INLINE_TYPES = frozenset({"application/pdf", "image/jpeg", "image/png"})


def evidence_type_for(content_type: str) -> str:
    """The evidence type a file's checked content suggests (issue 17: a PNG was filed as a
    document): pictures are photos, recordings "other", everything else a document. The
    person can change it on the item's page."""
    if content_type in IMAGE_TYPES:
        return "photo"
    if content_type.startswith(("video/", "audio/")):
        return "other"
    return "document"


_ARCHIVE_EXTENSIONS = frozenset(
    {"zip", "tar", "gz", "tgz", "bz2", "xz", "7z", "rar", "zst", "lz", "lz4", "cab", "deb", "rpm"}
)
_EXECUTABLE_EXTENSIONS = frozenset(
    {"exe", "dll", "com", "bat", "cmd", "msi", "sh", "ps1", "vbs", "js", "jar", "app", "scr", "py"}
)
_MACHO_MAGIC = (b"\xfe\xed\xfa\xce", b"\xfe\xed\xfa\xcf", b"\xce\xfa\xed\xfe", b"\xcf\xfa\xed\xfe")
_CONTROL_CHARS = re.compile(r"[\x00-\x1f\x7f-\x9f]")
# Legacy Office files (.doc, .xls, .ppt, .msg...) are OLE compound files. They were never
# accepted; they are refused by their signature bytes, because they can hide macros (in
# _VBA_PROJECT/Macros streams) that we do not parse OLE to look for.
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_OLE_MESSAGE = (
    "Older Office files (.doc, .xls, .ppt) are not accepted, because they can hide macros. "
    "Please save it in the newer format (.docx, .xlsx or .pptx) or as a PDF, and upload that."
)


class UploadRejectedError(ValidationError):
    """The file cannot be accepted; the message says why, in plain words."""


MALWARE_MESSAGE = (
    "Our virus scanner found something harmful in this file, so it is not accepted and has "
    "not been kept. If you believe the file is safe, please contact the CCQI team."
)
SCANNER_DOWN_MESSAGE = (
    "Our virus scanner can't be reached just now, please try again shortly. The file has not "
    "been kept."
)


class MalwareFoundError(UploadRejectedError):
    """The virus scanner found something. ``signature`` is for the logs and audit log only."""

    def __init__(self, signature: str) -> None:
        super().__init__(MALWARE_MESSAGE)
        self.signature = signature


@dataclass
class PreparedUpload:
    """A checked file, ready for storage. ``file`` may be a cleaned copy (images)."""

    file: File
    display_name: str
    content_type: str
    size: int
    sha256: str
    _cleanup: tempfile._TemporaryFileWrapper | None = None

    def close(self) -> None:
        if self._cleanup is not None:
            self._cleanup.close()


def sanitise_display_name(name: str) -> str:
    """A name safe to show and to offer as a download name: no folders, no control characters."""
    name = unicodedata.normalize("NFC", name or "")
    name = name.replace("\\", "/").split("/")[-1]
    name = _CONTROL_CHARS.sub("", name)
    # Invisible format characters too: a right-to-left override makes "cod.exe" look like "exe.doc".
    name = "".join(ch for ch in name if unicodedata.category(ch) != "Cf").strip().strip(".").strip()
    if len(name) > MAX_DISPLAY_NAME:
        stem, dot, ext = name.rpartition(".")
        if dot and len(ext) <= 8:
            name = stem[: MAX_DISPLAY_NAME - len(ext) - 1] + "." + ext
        else:
            name = name[:MAX_DISPLAY_NAME]
    return name or "file"


def extension_of(name: str) -> str:
    return name.rpartition(".")[2].lower() if "." in name else ""


def _zip_kind(fileobj: IO[bytes]) -> str | None:  # noqa: PLR0911 -- one answer per format
    """The OOXML/ODT type of a zip file, or None for any other zip (which is refused)."""
    fileobj.seek(0)
    try:
        with zipfile.ZipFile(fileobj) as archive:
            _check_zip_expansion(archive.infolist())
            names = set(archive.namelist())
            if "mimetype" in names and archive.getinfo("mimetype").file_size < 200:
                mimetype = archive.read("mimetype").decode("ascii", "replace").strip()
                if mimetype != ODT:
                    return None
                _check_opendocument_macros(names)
                return ODT
            if "[Content_Types].xml" not in names:
                return None
            _check_ooxml_macros(archive, names)
            prefixes = {n.split("/", 1)[0] for n in names if "/" in n}
            if "word" in prefixes:
                return DOCX
            if "xl" in prefixes:
                return XLSX
            if "ppt" in prefixes:
                return PPTX
    except (zipfile.BadZipFile, OSError, KeyError, ValueError):
        return None
    finally:
        fileobj.seek(0)
    return None


_MACRO_MESSAGE = (
    "This document contains macros (small programs that can run when it is opened), so it is "
    "not accepted. Please save a copy without macros (an ordinary .docx, .xlsx or .pptx, or a "
    "PDF) and upload that instead."
)
MAX_CONTENT_TYPES_BYTES = 1024 * 1024
# In [Content_Types].xml: macro-enabled main parts (.docm/.xlsm/.pptm/.dotm...), the VBA
# project itself, and Excel 4.0 macro sheets (which run without any VBA project).
_OOXML_MACRO_TYPES = (b"macroenabled", b"vbaproject", b"macrosheet")


def _check_ooxml_macros(archive: zipfile.ZipFile, names: set[str]) -> None:
    """Refuse an OOXML file with a VBA project part or a macro content type."""
    if any(n.rsplit("/", 1)[-1].lower() == "vbaproject.bin" for n in names):
        raise UploadRejectedError(_MACRO_MESSAGE)
    info = archive.getinfo("[Content_Types].xml")
    if info.file_size > MAX_CONTENT_TYPES_BYTES:
        raise UploadRejectedError(
            "This document has a part we cannot check, so it is not accepted. Please save it "
            "again, or as a PDF."
        )
    content_types = archive.read(info).lower()
    if any(marker in content_types for marker in _OOXML_MACRO_TYPES):
        raise UploadRejectedError(_MACRO_MESSAGE)


def _check_opendocument_macros(names: set[str]) -> None:
    """Refuse an OpenDocument file carrying Basic macros or scripts (Basic/, Scripts/)."""
    if any(n.lower().startswith(("basic/", "scripts/")) for n in names):
        raise UploadRejectedError(_MACRO_MESSAGE)


# Office documents are zips: refuse ones that would expand absurdly when opened (zip bombs).
MAX_ZIP_ENTRIES = 5000
MAX_ZIP_EXPANDED = 1024**3  # 1 GiB declared, uncompressed
MAX_ZIP_RATIO = 100  # overall, once the expanded size passes ZIP_RATIO_FROM
ZIP_RATIO_FROM = 100 * 1024**2


def _check_zip_expansion(members: list[zipfile.ZipInfo]) -> None:
    if len(members) > MAX_ZIP_ENTRIES:
        raise UploadRejectedError(
            f"This document is made of {len(members):,} parts, more than we can accept. It may "
            "be damaged; please save it again, or as a PDF."
        )
    expanded = sum(m.file_size for m in members)
    packed = sum(m.compress_size for m in members) or 1
    if expanded > MAX_ZIP_EXPANDED or (
        expanded > ZIP_RATIO_FROM and expanded / packed > MAX_ZIP_RATIO
    ):
        raise UploadRejectedError(
            "This document would expand to an unreasonable size when opened (it looks like a "
            '"zip bomb"), so it is not accepted. Please save it again, or as a PDF.'
        )


def _looks_like_markup(header: bytes) -> str | None:
    start = header[:1024].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if b"<svg" in header[:4096].lower() or start.startswith(b"<?xml"):
        return "SVG and XML files are not accepted, because they can contain scripts."
    if start.startswith((b"<!doctype html", b"<html", b"<script", b"<head", b"<body")):
        return "Web pages (HTML) are not accepted, because they can contain scripts."
    return None


def detect_content_type(fileobj: IO[bytes], header: bytes) -> str:
    """The content type from the first bytes (and, for zips, the members). Raises on refusal."""
    if header.startswith(b"MZ") or header.startswith(b"\x7fELF") or header[:4] in _MACHO_MAGIC:
        raise UploadRejectedError("This is a program (executable), and programs are not accepted.")
    if header.startswith(b"#!"):
        raise UploadRejectedError("This is a script, and scripts are not accepted.")
    if header.startswith(_OLE_MAGIC):
        raise UploadRejectedError(_OLE_MESSAGE)
    if header.startswith(b"PK\x03\x04"):
        kind = _zip_kind(fileobj)
        if kind is None:
            raise UploadRejectedError(
                "This is a zip archive. Archives are not accepted: please upload the files "
                "inside it one by one."
            )
        return kind
    guess = filetype.guess(header)
    if guess is not None:
        if guess.mime in ALLOWED:
            return guess.mime
        if guess.mime == "audio/x-m4a" or guess.extension == "m4a":
            return "audio/mp4"
        if guess.extension in _ARCHIVE_EXTENSIONS or guess.extension in {"tar", "ar", "Z"}:
            raise UploadRejectedError(
                "This is a compressed archive. Archives are not accepted: please upload the "
                "files inside it one by one."
            )
        if guess.extension in {"exe", "elf", "wasm", "swf", "crx"}:
            raise UploadRejectedError("This is a program, and programs are not accepted.")
        raise UploadRejectedError(
            f"Files of this type ({guess.extension.upper()}) are not accepted. "
            f"Accepted types: {ALLOWED_SUMMARY}."
        )
    markup = _looks_like_markup(header)
    if markup:
        raise UploadRejectedError(markup)
    # Anything else must be plain text; the whole file is checked later, while hashing.
    return "text/plain"


# PDF names that make a reader run code or open something: scripts, launch actions.
_PDF_ACTIVE = re.compile(rb"/(?:JavaScript|JS|Launch)(?=[\s/<>\[\]()%{}]|$)")
_PDF_NAME_ESCAPE = re.compile(rb"#([0-9A-Fa-f]{2})")
_PDF_STREAM_START = re.compile(rb"(?<![A-Za-z])stream(?:\r\n|\n|\r)")
_PDF_ENDSTREAM = b"endstream"
_PDF_OVERLAP = 64
MAX_PDF_OBJSTM_BYTES = 64 * 1024**2  # decompressed object streams, in total
_PDF_ACTIVE_MESSAGE = (
    "This PDF contains JavaScript or an action that starts a program, which could run when "
    "it is opened, so it is not accepted. Please print it to a new PDF (File > Print > Save "
    "as PDF) and upload that."
)


_PDF_UNCHECKABLE = (
    "This PDF has a part we cannot check, so it is not accepted. Please print it to a new PDF "
    "(File > Print > Save as PDF) and upload that."
)


def _pdf_unescape(data: bytes) -> bytes:
    return _PDF_NAME_ESCAPE.sub(lambda m: bytes([int(m[1], 16)]), data)


def _pdf_has_active_name(data: bytes) -> bool:
    return _PDF_ACTIVE.search(_pdf_unescape(data)) is not None


def _pdf_objstm_decoder(stream_dict: bytes):
    """For an object stream: "plain" (no filter), a zlib decompressor (Flate), else refused.
    None for any other stream (its content is not scanned)."""
    if b"/ObjStm" not in _pdf_unescape(stream_dict):
        return None
    filters = re.findall(rb"/(\w+Decode|Fl|AHx|A85|LZW|RL|CCF|DCT)\b", stream_dict)
    if not filters:
        return "plain"
    if filters in ([b"FlateDecode"], [b"Fl"]):
        return zlib.decompressobj()
    raise UploadRejectedError(_PDF_UNCHECKABLE)


def check_pdf_active_content(fileobj: IO[bytes]) -> None:
    """Refuse a PDF with JavaScript (/JavaScript, /JS) or /Launch actions.

    Scans the objects outside streams (name escapes such as /J#61vaScript undone) and the
    decompressed object streams (/ObjStm), where such objects can also be stored; other stream
    contents (page text, images) are skipped. Reads in chunks; the decompressed object
    streams are capped. An object stream it cannot read is refused too.
    """
    fileobj.seek(0)
    buffer, recent = b"", b""
    in_stream = False
    decoder = None  # while inside an object stream: "plain" or a zlib decompressor
    expanded = 0

    def objstm_feed(data: bytes) -> None:
        nonlocal expanded
        if decoder is None:
            return
        try:
            out = (
                data
                if decoder == "plain"
                else decoder.decompress(data, MAX_PDF_OBJSTM_BYTES - expanded + 1)
            )
        except zlib.error:
            raise UploadRejectedError(_PDF_UNCHECKABLE) from None
        expanded += len(out)
        if expanded > MAX_PDF_OBJSTM_BYTES:
            raise UploadRejectedError(
                "This PDF has parts that expand to an unreasonable size, so it is not accepted."
            )
        if _pdf_has_active_name(out):
            raise UploadRejectedError(_PDF_ACTIVE_MESSAGE)

    while True:
        chunk = fileobj.read(CHUNK_SIZE)
        buffer += chunk
        while True:
            if in_stream:
                end = buffer.find(_PDF_ENDSTREAM)
                if end < 0:
                    cut = len(buffer) if not chunk else max(0, len(buffer) - len(_PDF_ENDSTREAM))
                    objstm_feed(buffer[:cut])
                    buffer = buffer[cut:]
                    break
                objstm_feed(buffer[:end])
                decoder, in_stream = None, False
                recent, buffer = b"", buffer[end + len(_PDF_ENDSTREAM) :]
                continue
            match = _PDF_STREAM_START.search(buffer)
            head = buffer if match is None else buffer[: match.start()]
            if _pdf_has_active_name(head):
                raise UploadRejectedError(_PDF_ACTIVE_MESSAGE)
            recent = (recent + head)[-4096:]
            if match is None:
                buffer = buffer[-_PDF_OVERLAP:] if chunk else b""
                break
            decoder = _pdf_objstm_decoder(recent[recent.rfind(b"obj") :])
            in_stream, buffer = True, buffer[match.end() :]
        if not chunk:
            break
    fileobj.seek(0)


def _iter_chunks(fileobj: IO[bytes]) -> Iterator[bytes]:
    fileobj.seek(0)
    while chunk := fileobj.read(CHUNK_SIZE):
        yield chunk


def _hash_and_check(fileobj: IO[bytes], *, check_text: bool) -> tuple[str, int]:
    """sha256 and size in one streaming pass; for text, also UTF-8 validity and no NUL bytes."""
    digest = hashlib.sha256()
    size = 0
    decoder = codecs.getincrementaldecoder("utf-8")()
    for chunk in _iter_chunks(fileobj):
        digest.update(chunk)
        size += len(chunk)
        if check_text:
            if b"\x00" in chunk:
                raise UploadRejectedError(
                    "This file is not plain text (it contains binary data), and its type "
                    "could not be recognised."
                )
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError:
                raise UploadRejectedError(
                    "This text file is not in UTF-8, or it is a binary file of an unknown "
                    "type. Please save it as UTF-8 text, or as a PDF."
                ) from None
    if check_text:
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            raise UploadRejectedError(
                "This text file is not valid UTF-8 (it ends part-way through a character). "
                "Please save it as UTF-8 text, or as a PDF."
            ) from None
    fileobj.seek(0)
    return digest.hexdigest(), size


def _strip_image_metadata(fileobj: IO[bytes], content_type: str) -> tempfile._TemporaryFileWrapper:
    """Re-save the image with its orientation applied and no EXIF/GPS/XMP/text metadata."""
    fileobj.seek(0)
    try:
        with Image.open(fileobj) as image:
            if image.width * image.height > (Image.MAX_IMAGE_PIXELS or 89_478_485):
                raise UploadRejectedError("This image is too large (in pixels) to accept.")
            image.load()
            if getattr(image, "is_animated", False):
                raise UploadRejectedError(
                    "Animated images are not accepted. Please upload a photo."
                )
            cleaned = ImageOps.exif_transpose(image)
            icc = image.info.get("icc_profile")
    except UploadRejectedError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise UploadRejectedError("This image is too large (in pixels) to accept.") from None
    except (OSError, ValueError, SyntaxError):
        raise UploadRejectedError("This image is damaged and cannot be opened.") from None
    cleaned.info = {}
    out = tempfile.NamedTemporaryFile(prefix="ee-img-", suffix=".tmp")  # noqa: SIM115 -- closed by PreparedUpload.close
    params: dict[str, Any] = {"icc_profile": icc} if icc else {}
    if content_type == "image/jpeg":
        if cleaned.mode not in ("RGB", "L", "CMYK"):
            cleaned = cleaned.convert("RGB")
        cleaned.save(out, format="JPEG", quality=92, optimize=True, **params)
    else:
        cleaned.save(out, format="PNG", optimize=True, **params)
    out.flush()
    out.seek(0)
    return out


def scan_for_malware(fileobj: IO[bytes]) -> None:
    """The virus scan every upload goes through before it is stored (prepare_upload calls it).

    Streams the file to clamd (settings.EE_CLAMD_URL). Raises MalwareFoundError when clamd
    finds something, and UploadRejectedError (fail closed) when it is set but cannot be
    reached or answers with an error. Without EE_CLAMD_URL the file passes unscanned only
    where settings.EE_UNSCANNED_UPLOADS_ALLOWED (DEBUG at start-up); otherwise it is refused
    too. Logs never include the file's name or content.
    """
    url = settings.EE_CLAMD_URL
    if not url:
        if settings.EE_UNSCANNED_UPLOADS_ALLOWED:
            return
        logger.error("Upload refused: EE_CLAMD_URL is not set and DEBUG is off")
        raise UploadRejectedError(SCANNER_DOWN_MESSAGE)
    try:
        result = Clamd(url, timeout=settings.EE_CLAMD_TIMEOUT).scan(fileobj)
    except (ScannerError, ValueError) as exc:
        logger.error("Upload refused: the virus scanner failed (%s)", exc)
        raise UploadRejectedError(SCANNER_DOWN_MESSAGE) from None
    if not result.clean:
        logger.warning("Upload refused: the virus scanner found %s", result.signature)
        raise MalwareFoundError(result.signature)


def prepare_upload(upload: Any, *, max_bytes: int) -> PreparedUpload:
    """Check an uploaded file and return it ready for storage (raises UploadRejectedError).

    Every stored upload must come through here: it runs the type and content checks, then
    the virus scan (scan_for_malware), before anything is written to storage. Reads the file
    in 1 MiB chunks: constant memory whatever its size. Images are re-saved without metadata
    into a temporary file, which PreparedUpload.close() removes.
    """
    display_name = sanitise_display_name(getattr(upload, "name", "") or "")
    size = upload.size or 0
    if size == 0:
        raise UploadRejectedError("This file is empty (0 bytes).")
    if size > max_bytes:
        raise UploadRejectedError(
            f"This file is {filesizeformat(size)}, more than the limit of "
            f"{filesizeformat(max_bytes)}."
        )
    ext = extension_of(display_name)
    if ext in _EXECUTABLE_EXTENSIONS:
        raise UploadRejectedError(
            f"Files ending .{ext} are programs or scripts, which are not accepted."
        )
    if ext in _ARCHIVE_EXTENSIONS:
        raise UploadRejectedError("Archives are not accepted: please upload the files one by one.")
    fileobj = upload.file if hasattr(upload, "file") else upload
    fileobj.seek(0)
    header = fileobj.read(HEADER_SIZE)
    fileobj.seek(0)
    content_type = detect_content_type(fileobj, header)
    if content_type == "text/plain" and ext == "csv":
        content_type = "text/csv"
    if ext not in ALLOWED[content_type]:
        shown = f".{ext}" if ext else "no extension"
        raise UploadRejectedError(
            f"The name ends with {shown}, but the content is "
            f"{_describe(content_type)}. Please check you chose the right file, or rename it "
            f"to .{sorted(ALLOWED[content_type])[0]}."
        )
    if content_type == "application/pdf":
        check_pdf_active_content(fileobj)
    scan_for_malware(fileobj)
    cleanup = None
    source: IO[bytes] = fileobj
    if content_type in IMAGE_TYPES:
        cleanup = _strip_image_metadata(fileobj, content_type)
        source = cleanup
    streamed_hash = getattr(upload, "ee_sha256", None)
    try:
        if cleanup is None and content_type not in TEXT_TYPES and streamed_hash:
            # Hashed while it arrived (HashingTemporaryFileUploadHandler): no second read.
            sha256, real_size = streamed_hash, size
        else:
            sha256, real_size = _hash_and_check(source, check_text=content_type in TEXT_TYPES)
    except Exception:
        if cleanup is not None:
            cleanup.close()
        raise
    # An unchanged upload is handed to storage as it is, so FileSystemStorage can move a
    # temporary upload file into place instead of copying it.
    stored = (
        upload if cleanup is None and isinstance(upload, File) else File(source, name=display_name)
    )
    return PreparedUpload(
        file=stored,
        display_name=display_name,
        content_type=content_type,
        size=real_size,
        sha256=sha256,
        _cleanup=cleanup,
    )


def _describe(content_type: str) -> str:
    return {
        "application/pdf": "a PDF",
        DOCX: "a Word document",
        XLSX: "an Excel spreadsheet",
        PPTX: "a PowerPoint presentation",
        ODT: "an OpenDocument text",
        "image/jpeg": "a JPEG image",
        "image/png": "a PNG image",
        "video/mp4": "an MP4 video",
        "audio/mpeg": "an MP3 recording",
        "audio/mp4": "an M4A recording",
        "text/plain": "plain text",
        "text/csv": "plain text",
    }.get(content_type, content_type)


UPLOAD_CHUNK_SIZE = 1024 * 1024


class HashingTemporaryFileUploadHandler(TemporaryFileUploadHandler):
    """Writes the upload to a temporary file in 1 MiB chunks, hashing it on the way in."""

    chunk_size = UPLOAD_CHUNK_SIZE

    def new_file(self, *args, **kwargs) -> None:
        # Before super(): the memory handler stops the chain (StopFutureHandlers) when active.
        self._digest = hashlib.sha256()
        super().new_file(*args, **kwargs)

    def receive_data_chunk(self, raw_data: bytes, start: int):
        self._digest.update(raw_data)
        return super().receive_data_chunk(raw_data, start)

    def file_complete(self, file_size: int):
        uploaded = super().file_complete(file_size)
        # The digest rides on the file object to prepare_upload (not an UploadedFile attribute).
        uploaded.ee_sha256 = self._digest.hexdigest()  # type: ignore[union-attr]
        return uploaded


class HashingMemoryFileUploadHandler(MemoryFileUploadHandler):
    """Small uploads (under FILE_UPLOAD_MAX_MEMORY_SIZE) in memory, hashed on the way in."""

    chunk_size = UPLOAD_CHUNK_SIZE

    def new_file(self, *args, **kwargs) -> None:
        # Before super(): the memory handler stops the chain (StopFutureHandlers) when active.
        self._digest = hashlib.sha256()
        super().new_file(*args, **kwargs)

    def receive_data_chunk(self, raw_data: bytes, start: int):
        if self.activated:
            self._digest.update(raw_data)
        return super().receive_data_chunk(raw_data, start)

    def file_complete(self, file_size: int):
        uploaded = super().file_complete(file_size)
        if uploaded is not None:
            uploaded.ee_sha256 = self._digest.hexdigest()  # type: ignore[attr-defined]
        return uploaded


def upload_handlers(request, *, max_bytes: int) -> tuple[SizeLimitUploadHandler, list]:
    """The handlers for an evidence upload: size limit first, then memory or temp file."""
    limiter = SizeLimitUploadHandler(request, max_bytes=max_bytes)
    return limiter, [
        limiter,
        HashingMemoryFileUploadHandler(request),
        HashingTemporaryFileUploadHandler(request),
    ]


class SizeLimitUploadHandler(FileUploadHandler):
    """Stops receiving a file as soon as it passes the limit, so a huge upload never fills the
    disk. Put first in request.upload_handlers; ``too_big`` lists the names it skipped."""

    chunk_size = UPLOAD_CHUNK_SIZE

    def __init__(self, request=None, *, max_bytes: int) -> None:
        super().__init__(request)
        self.max_bytes = max_bytes
        self.received = 0
        self.too_big: list[str] = []

    def new_file(self, *args, **kwargs) -> None:
        super().new_file(*args, **kwargs)
        self.received = 0

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        self.received += len(raw_data)
        if self.received > self.max_bytes:
            self.too_big.append(sanitise_display_name(self.file_name or ""))
            raise SkipFile
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None


def open_stored(storage, name: str) -> IO[bytes]:
    """Open a stored evidence file for reading (callers stream it in chunks)."""
    return storage.open(name, "rb")


def copy_stored(storage, name: str, new_name: str) -> str:
    """Copy a stored file to a new key through storage (chunked), returning the saved name."""
    with storage.open(name, "rb") as src:
        return storage.save(new_name, File(src, name=os.path.basename(new_name)))
