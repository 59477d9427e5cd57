"""Evidence on S3 through django-storages, against moto's real S3 server (not a mock)."""

import io
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
import zipfile
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

from ee_portal.audit.models import AuditEvent
from portfolios.models import Evidence
from portfolios.services import evidence_upload
from tests.conftest import need_service
from tests.services import free_port, stop_process

from .conftest import SAMPLES, upload

pytestmark = [pytest.mark.django_db, pytest.mark.services]
BUCKET = "ee-evidence-test"


@pytest.fixture(scope="session")
def moto_endpoint(tmp_path_factory):
    binary = Path(sys.executable).with_name("moto_server")
    if not binary.exists():
        binary = Path(shutil.which("moto_server") or "moto_server")
    port = free_port()
    log = tmp_path_factory.mktemp("moto") / "moto.log"
    try:
        with log.open("wb") as out:
            proc = subprocess.Popen(  # noqa: S603 -- fixed argv
                [str(binary), "-H", "127.0.0.1", "-p", str(port)],
                stdout=out,
                stderr=subprocess.STDOUT,
            )
    except OSError:
        yield None
        return
    endpoint = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 20
    ready = False
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            with socket.create_connection(("127.0.0.1", port), 0.5):
                ready = True
                break
        except OSError:
            time.sleep(0.2)
    try:
        yield endpoint if ready else None
    finally:
        stop_process(proc, timeout=10)


@pytest.fixture
def s3_storage(settings, moto_endpoint):
    need_service(
        "moto_server (S3)", moto_endpoint is not None, "could not start .venv/bin/moto_server"
    )
    import boto3  # noqa: PLC0415 -- only the S3 tests need it

    s3 = boto3.client(
        "s3",
        endpoint_url=moto_endpoint,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
        region_name="us-east-1",
    )
    if BUCKET not in [b["Name"] for b in s3.list_buckets().get("Buckets", [])]:
        s3.create_bucket(Bucket=BUCKET)
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": BUCKET,
                "endpoint_url": moto_endpoint,
                "access_key": "testing",
                "secret_key": "testing",
                "region_name": "us-east-1",
                "default_acl": None,
                "querystring_auth": True,
                "querystring_expire": 60,
                "file_overwrite": False,
            },
        },
    }
    return s3


def test_s3_upload_then_download_through_signed_url(s3_storage, portfolio, lead):
    client = Client()
    client.force_login(lead)
    response = client.post(
        reverse("portfolios:evidence_upload", kwargs={"pk": portfolio.pk}),
        {"up-files": upload("photo.jpg"), "up-evidence_type": "photo"},
        headers={"x-requested-with": "XMLHttpRequest"},
    )
    assert response.status_code == 200, response.content
    evidence = Evidence.objects.get()
    stored = s3_storage.get_object(Bucket=BUCKET, Key=evidence.file.name)["Body"].read()
    assert b"SecretCam" not in stored
    assert len(stored) == evidence.size

    download = client.get(reverse("portfolios:evidence_download", kwargs={"pk": evidence.pk}))
    assert download.status_code == 302
    url = download["Location"]
    assert "Signature=" in url or "X-Amz-Signature=" in url
    with urllib.request.urlopen(url, timeout=10) as fetched:  # noqa: S310 -- local moto URL
        assert fetched.read() == stored
        assert fetched.headers["Content-Disposition"].startswith("attachment;")
    assert (
        AuditEvent.objects.filter(verb="evidence.download", object_id=str(evidence.pk)).count() == 1
    )


def test_s3_export_zip_streams_from_bucket(s3_storage, portfolio, lead):
    evidence_upload(portfolio=portfolio, actor=lead, upload=upload("report.pdf"), title="Minutes")
    client = Client()
    client.force_login(lead)
    response = client.get(reverse("portfolios:export_zip", kwargs={"pk": portfolio.pk}))
    data = b"".join(response.streaming_content)
    archive = zipfile.ZipFile(io.BytesIO(data))
    pdf = [n for n in archive.namelist() if n.endswith("Minutes.pdf")]
    assert archive.read(pdf[0]) == SAMPLES["report.pdf"]
