"""The only module that imports WeasyPrint. Callers import this module inside Celery tasks."""

import base64
import mimetypes
import threading
import warnings
from pathlib import Path
from typing import Any
from urllib.parse import unquote, unquote_to_bytes, urlparse

from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string

# WeasyPrint warns at import time about the libraries it finds (without libharfbuzz-subset0 it
# raises "HarfBuzz-Subset will be required by future versions": PDFs are then only larger). A
# library's deprecation must never fail a render, nor a test run with warnings as errors.
# `python3 -m ee_portal.syslibs` says which libraries are missing and how to install them.
with warnings.catch_warnings():
    warnings.filterwarnings("ignore", category=DeprecationWarning, module=r"weasyprint(\.|$)")
    from weasyprint import CSS, HTML
    from weasyprint.text.fonts import FontConfiguration
    from weasyprint.urls import URLFetcher, URLFetcherResponse

# The base URL that relative and /static/ links in PDF templates resolve against.
PDF_BASE_URL = "http://pdf.invalid/"


class StaticFilesFetcher(URLFetcher):
    """Resolves /static/... to local files; refuses everything else (no network, no file://).

    data: URLs (the certificate's QR code) are decoded here when base64; urllib's data handler
    parses them through the email package, which cost more than drawing the image.
    """

    def fetch(self, url: str, headers: Any = None) -> URLFetcherResponse:
        if url.startswith("data:"):
            media_type, comma, data = url[5:].partition(",")
            if comma and media_type.endswith(";base64"):
                content_type = media_type.removesuffix(";base64") or "text/plain"
                body = base64.b64decode(unquote_to_bytes(data))  # as urllib decodes it
                return URLFetcherResponse(url, body, {"Content-Type": content_type})
            return super().fetch(url, headers)
        parsed = urlparse(url)
        path = unquote(parsed.path)
        if url.startswith(PDF_BASE_URL) and path.startswith(settings.STATIC_URL):
            found = finders.find(path[len(settings.STATIC_URL) :])
            if found:
                content_type = mimetypes.guess_type(found)[0] or "application/octet-stream"
                return URLFetcherResponse(
                    url, Path(found).read_bytes(), {"Content-Type": content_type}
                )
        raise ValueError(f"PDF resources must be local static files, not {url!r}")


# Per-process state, reused by every render (a third of a certificate's render time otherwise):
# - font configurations: building one loads the system fonts, and each @font-face font is
#   copied to a temporary folder and added to Fontconfig the first time only. Each
#   `stylesheet=` has its own, so its @font-face families cannot meet another template's under
#   the same name (feedback.html also calls the full DejaVu fonts "EE Sans", and sharing one
#   configuration let certificates pick those up); other renders share a default one;
# - one URL fetcher: each builds a urllib opener with nine handlers;
# - parsed stylesheets passed as `stylesheet=`, keyed by path and modification time.
# Only configuration is shared; each render parses its own HTML, so no content carries over.
# WeasyPrint and Pango are not thread-safe, so renders take a lock (Celery prefork workers
# render one at a time anyway).
_LOCK = threading.Lock()
_default_font_config: FontConfiguration | None = None
_fetcher: StaticFilesFetcher | None = None
_stylesheets: dict[str, tuple[float, CSS, FontConfiguration]] = {}


def _parsed_stylesheet(path: str, fetcher: URLFetcher) -> tuple[CSS, FontConfiguration]:
    found = finders.find(path)
    if not found:
        raise ValueError(f"PDF stylesheet {path!r} is not a file in the static folders")
    mtime = Path(found).stat().st_mtime
    cached = _stylesheets.get(found)
    if cached is None or cached[0] != mtime:
        font_config = FontConfiguration()
        css = CSS(
            url=PDF_BASE_URL + settings.STATIC_URL.lstrip("/") + path,
            url_fetcher=fetcher,
            font_config=font_config,
        )
        cached = _stylesheets[found] = (mtime, css, font_config)
    return cached[1], cached[2]


def render_pdf(*, template: str, context: dict[str, Any], stylesheet: str | None = None) -> bytes:
    """Render a template (e.g. "pdf/certificate.html") to PDF bytes with WeasyPrint.

    Stylesheets, images and fonts come from static/ (e.g. static/pdf/); no network access.
    `stylesheet` (a static path, e.g. "pdf/certificate.css") is parsed once per process, with
    its own fonts; a template may instead link or embed its own styles, parsed on every render.
    An unknown `stylesheet` raises ValueError.
    """
    global _default_font_config, _fetcher  # noqa: PLW0603 -- per-process state, see above
    html = render_to_string(template, context)
    with _LOCK:
        if _fetcher is None:
            _fetcher = StaticFilesFetcher()
        if stylesheet:
            css, font_config = _parsed_stylesheet(stylesheet, _fetcher)
            stylesheets = [css]
        else:
            if _default_font_config is None:
                _default_font_config = FontConfiguration()
            font_config, stylesheets = _default_font_config, []
        document = HTML(string=html, base_url=PDF_BASE_URL, url_fetcher=_fetcher)
        return document.write_pdf(stylesheets=stylesheets, font_config=font_config)
