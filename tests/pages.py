"""Reading real responses as a person would: the visible text of an HTML page or a PDF."""

import io
import re
from html.parser import HTMLParser

from pypdf import PdfReader


class _TextParser(HTMLParser):
    _SKIP = frozenset({"script", "style", "template", "head"})

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._skipping = 0

    def handle_starttag(self, tag, attrs):
        if tag in self._SKIP:
            self._skipping += 1

    def handle_endtag(self, tag):
        if tag in self._SKIP and self._skipping:
            self._skipping -= 1

    def handle_data(self, data):
        if not self._skipping:
            self.parts.append(data)


def visible_text(content: bytes | str) -> str:
    """The page's text outside <head>, scripts and styles, whitespace collapsed."""
    parser = _TextParser()
    parser.feed(content.decode() if isinstance(content, bytes) else content)
    return re.sub(r"\s+", " ", " ".join(parser.parts)).strip()


def pdf_text(data: bytes) -> str:
    """Every page's extracted text, whitespace collapsed."""
    reader = PdfReader(io.BytesIO(data))
    return re.sub(r"\s+", " ", " ".join(page.extract_text() or "" for page in reader.pages))
