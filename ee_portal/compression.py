"""Pages travel compressed (issue 15: a prison's shared PC on a slow, locked-down network).

Only whole HTML pages are gzipped: files (evidence, PDFs, ZIP exports, questionnaire CSVs)
stream as they are, already compressed or meant to keep their length, and static files are
compressed ahead of time by WhiteNoise. Django's GZipMiddleware pads each response with
random bytes against BREACH-style attacks, and CSRF tokens are masked per response.
"""

from django.http import HttpRequest, HttpResponseBase
from django.middleware.gzip import GZipMiddleware


class PageGZipMiddleware(GZipMiddleware):
    def process_response(
        self, request: HttpRequest, response: HttpResponseBase
    ) -> HttpResponseBase:
        if response.streaming or not response.get("Content-Type", "").startswith("text/html"):
            return response
        return super().process_response(request, response)
