import io

import pytest
from pypdf import PdfReader

pytestmark = pytest.mark.django_db


def test_render_pdf_produces_a_real_pdf_with_the_text(settings, tmp_path):
    from reviews.pdf import render_pdf  # noqa: PLC0415 -- WeasyPrint is imported lazily by design

    template = tmp_path / "t.html"
    template.write_text(
        '{% extends "pdf/base.html" %}{% block content %}<h1>{{ unit }}</h1>{% endblock content %}'
    )
    settings.TEMPLATES = [
        {**settings.TEMPLATES[0], "DIRS": [*settings.TEMPLATES[0]["DIRS"], tmp_path]}
    ]
    pdf = render_pdf(template="t.html", context={"unit": "Willow Ward"})
    assert pdf.startswith(b"%PDF")
    text = PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
    assert "Willow Ward" in text


def test_render_pdf_refuses_remote_resources(settings, tmp_path, caplog):
    from reviews.pdf import render_pdf  # noqa: PLC0415 -- WeasyPrint is imported lazily by design

    template = tmp_path / "remote.html"
    template.write_text('<img src="http://example.org/tracker.png"><p>Hello</p>')
    settings.TEMPLATES = [
        {**settings.TEMPLATES[0], "DIRS": [*settings.TEMPLATES[0]["DIRS"], tmp_path]}
    ]
    pdf = render_pdf(template="remote.html", context={})
    assert pdf.startswith(b"%PDF")
    assert any("local static files" in r.getMessage() for r in caplog.records)
