"""The only module that imports WeasyPrint. Callers import this module inside Celery tasks."""

import mimetypes
from email.message import EmailMessage
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

# The base URL that relative and /static/ links in PDF templates resolve against.
PDF_BASE_URL = "http://pdf.invalid/"


class StaticFilesFetcher(URLFetcher):
    """Resolves /static/... to local files; refuses everything else (no network, no file://)."""

    def fetch(self, url: str, headers: Any = None) -> URLFetcherResponse:
        if url.startswith("data:"):
            return super().fetch(url, headers)
        parsed = urlparse(url)
        path = unquote(parsed.path)
        if url.startswith(PDF_BASE_URL) and path.startswith(settings.STATIC_URL):
            found = finders.find(path[len(settings.STATIC_URL) :])
            if found:
                message = EmailMessage()
                message["Content-Type"] = (
                    mimetypes.guess_type(found)[0] or "application/octet-stream"
                )
                return URLFetcherResponse(url, Path(found).read_bytes(), message)
        raise ValueError(f"PDF resources must be local static files, not {url!r}")


def render_pdf(*, template: str, context: dict[str, Any]) -> bytes:
    """Render a template (e.g. "pdf/certificate.html") to PDF bytes with WeasyPrint.

    Stylesheets, images and fonts come from static/ (e.g. static/pdf/); no network access.
    """
    html = render_to_string(template, context)
    return HTML(string=html, base_url=PDF_BASE_URL, url_fetcher=StaticFilesFetcher()).write_pdf()
