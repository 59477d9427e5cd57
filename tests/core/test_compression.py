"""Issue 15: whole HTML pages travel gzipped; files stream as they are."""

import gzip

import pytest
from django.urls import reverse

from portfolios.enums import Cycle
from portfolios.services import evidence_upload, portfolio_create
from tests.portfolios.conftest import upload

pytestmark = pytest.mark.django_db


def test_pages_are_gzipped_for_browsers_that_accept_it(client, framework):
    plain = client.get("/standards/")
    packed = client.get("/standards/", headers={"accept-encoding": "gzip, deflate, br"})
    assert "Content-Encoding" not in plain
    assert packed["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in packed["Vary"]
    assert len(packed.content) < len(plain.content) / 2
    assert b"The Enabling Environments standards" in gzip.decompress(packed.content)


def test_evidence_downloads_are_not_recompressed(client, unit, lead, framework):
    portfolio = portfolio_create(unit=unit, framework=framework, cycle=Cycle.INITIAL, actor=lead)
    evidence = evidence_upload(
        portfolio=portfolio, actor=lead, upload=upload("notes.txt"), contains_identifiable=False
    )
    client.force_login(lead)
    response = client.get(
        reverse("portfolios:evidence_download", args=[evidence.pk]),
        headers={"accept-encoding": "gzip"},
    )
    assert "Content-Encoding" not in response
    assert b"".join(response.streaming_content).startswith(b"Minutes of the community meeting")
