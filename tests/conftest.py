import os
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings
from hypothesis.database import DirectoryBasedExampleDatabase

from network.enums import UnitRoleKind

from . import factories
from .services import clamd_binary, clamd_daemon

REQUIRE_SERVICES = os.environ.get("EE_REQUIRE_SERVICES") == "1"

# Property tests (tests/security/test_fuzz.py): `make test` and CI run the same examples every
# time ("ci"); `make fuzz` looks for new ones ("explore") and keeps failures in .hypothesis/
# (gitignored), replaying them first next time. A failure prints a @reproduce_failure blob.
_HYPOTHESIS = {
    "deadline": None,  # a request under a loaded CI machine has no fixed time budget
    "suppress_health_check": [HealthCheck.function_scoped_fixture],  # db rows are re-read
}
settings.register_profile(
    "ci", derandomize=True, database=None, print_blob=True, max_examples=40, **_HYPOTHESIS
)
settings.register_profile(
    "explore",
    max_examples=400,
    database=DirectoryBasedExampleDatabase(
        Path(__file__).resolve().parents[1] / ".hypothesis" / "examples"
    ),
    print_blob=True,
    **_HYPOTHESIS,
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


def need_service(name: str, available: bool, how: str) -> None:
    """Skip when a real service is missing, except in CI (EE_REQUIRE_SERVICES=1): then fail."""
    if available:
        return
    message = f"{name} is not available ({how})"
    if REQUIRE_SERVICES:
        pytest.fail(f"{message}, and EE_REQUIRE_SERVICES=1 requires it")
    pytest.skip(message)


@pytest.fixture(autouse=True)
def _private_storage(settings, tmp_path):
    """Every test gets a fresh private folder as default storage (what production uses on disk)."""
    root = tmp_path / "private"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(root), "base_url": "/no-public-media/"},
        },
    }
    yield root
    shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Every test starts with an empty cache: cached public pages (ee_portal/lib/pagecache.py)
    must not outlive the database rows of the test that rendered them."""
    from django.core.cache import cache  # noqa: PLC0415 -- settings are configured by now

    from ee_portal.lib import fragments  # noqa: PLC0415

    cache.clear()
    fragments.forget_prefetched()  # what a view read ahead in this thread (lib/fragments.py)
    yield
    cache.clear()
    fragments.forget_prefetched()


@pytest.fixture(autouse=True)
def _site_language():
    """Every test starts and ends in the site's language: Django leaves the last request's
    language active in the thread (LocaleMiddleware), so a test's Welsh page would otherwise
    put the next test's messages in Welsh."""
    from django.utils import translation  # noqa: PLC0415 -- settings are configured by now

    translation.deactivate()
    yield
    translation.deactivate()


@pytest.fixture(scope="session")
def _clamd_session(tmp_path_factory):
    """One real clamd for the session (tests/services.py), or None when it is not installed."""
    binary = clamd_binary()
    if binary is None:
        yield None
        return
    with clamd_daemon(binary, tmp_path_factory.mktemp("clamd")) as url:
        yield url


@pytest.fixture
def clamd(_clamd_session, settings):
    """Uploads in this test are scanned by the real clamd; yields its URL."""
    need_service("ClamAV's daemon (clamd)", _clamd_session is not None, CLAMD_HOW)
    settings.EE_CLAMD_URL = _clamd_session
    return _clamd_session


CLAMD_HOW = "apt-get install clamav-daemon"


@pytest.fixture
def framework(db):
    return factories.make_framework(criteria_per_standard=2)


@pytest.fixture
def worded_framework(db):
    """Standard 1 and criterion 1.1 have prison wording (factories.PRISON_TEXT...)."""
    return factories.make_prison_worded_framework()


@pytest.fixture
def admin_user(db):
    return factories.AdminFactory(email="admin@example.test")


@pytest.fixture
def unit(db):
    return factories.UnitFactory(name="Willow Ward")


@pytest.fixture
def other_unit(db):
    return factories.UnitFactory(name="Cedar Wing")


@pytest.fixture
def lead(unit):
    return factories.UnitRoleFactory(
        unit=unit, role=UnitRoleKind.LEAD, user__email="lead@example.test"
    ).user


@pytest.fixture
def contributor(unit):
    return factories.UnitRoleFactory(
        unit=unit, role=UnitRoleKind.CONTRIBUTOR, user__email="contributor@example.test"
    ).user


@pytest.fixture
def other_lead(other_unit):
    return factories.UnitRoleFactory(
        unit=other_unit, role=UnitRoleKind.LEAD, user__email="other-lead@example.test"
    ).user


@pytest.fixture
def assessor(db):
    return factories.AssessorProfileFactory(user__email="assessor@example.test").user


@pytest.fixture
def other_assessor(db):
    return factories.AssessorProfileFactory(user__email="assessor2@example.test").user
