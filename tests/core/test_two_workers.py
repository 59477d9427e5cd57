"""Issue 12: a permission change takes effect on the very next request, on every web process.

Two real gunicorn processes serve the same PostgreSQL database and Redis cache (each with one
worker, on its own port, so that we know which process answered). Each person first warms
both processes' caches; then the change is made, and every following request, on either
process, must see it. The same again with the cache unreachable while the change is made
(the change's version bumps fail; the cache epoch in the database moves instead:
ee_portal/lib/fragments.py), and the processes' cache still holding the old copies.
"""

import contextlib
import subprocess
import sys
import urllib.error
import urllib.request
from collections.abc import Iterator

import pytest
from django.conf import settings
from django.test import Client, override_settings

from awards.models import Award
from network.enums import MembershipStatus
from network.models import Membership, UnitRole
from network.services import membership_set_status, unit_role_remove
from reviews.enums import AssignmentState
from reviews.workflow import assignment_declare_conflict
from tests import factories
from tests.awards.award_support import make_award
from tests.conftest import need_service
from tests.reviews.conftest import make_portfolio
from tests.services import (
    ROOT,
    free_port,
    on_postgresql,
    redis_available,
    redis_url,
    stop_process,
    subprocess_env,
    wait_for,
)

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]
UNREACHABLE_CACHE = {
    "default": {
        "BACKEND": "ee_portal.caching.backends.RedisCache",
        # Nothing listens on port 1: every cache call fails at once.
        "LOCATION": "redis://127.0.0.1:1/0",
    }
}


@contextlib.contextmanager
def gunicorn(tmp_path, name: str) -> Iterator[str]:
    port = free_port()
    log = tmp_path / f"gunicorn-{name}.log"
    env = subprocess_env(
        EE_MEDIA_ROOT=str(tmp_path / "media"),
        ALLOWED_HOSTS="127.0.0.1",
        SECRET_KEY=settings.SECRET_KEY,  # the sessions made here are signed with it
    )
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "ee_portal.wsgi:application",
             "--workers", "1", "--bind", f"127.0.0.1:{port}", "--timeout", "60"],
            cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
        )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        if not wait_for(lambda: _status(base + "/health/") in (200, 503), timeout=60):
            raise RuntimeError(f"gunicorn did not start:\n{log.read_text(errors='replace')}")
        yield base
    finally:
        stop_process(proc)


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *_args, **_kwargs):
        return None  # a redirect (to sign in, say) is the answer, not something to follow


_opener = urllib.request.build_opener(_NoRedirects)


def _status(url: str, cookie: str = "", method: str = "GET") -> int | None:
    request = urllib.request.Request(url, method=method)  # noqa: S310 -- our own loopback server
    if cookie:
        request.add_header("Cookie", f"sessionid={cookie}")
    try:
        with _opener.open(request, timeout=30) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code
    except OSError:
        return None


def _body(url: str) -> str:
    with urllib.request.urlopen(url, timeout=30) as response:  # noqa: S310 -- loopback
        return response.read().decode()


def _session(user) -> str:
    """A real session for ``user`` in the shared database (what signing in makes)."""
    client = Client()
    client.force_login(user)
    return client.cookies["sessionid"].value


@pytest.fixture
def servers(tmp_path):
    need_service("PostgreSQL", on_postgresql(), "set DATABASE_URL to a PostgreSQL server")
    need_service("Redis", redis_available(), f"set REDIS_URL to a running Redis ({redis_url()})")
    with gunicorn(tmp_path, "a") as first, gunicorn(tmp_path, "b") as second:
        yield first, second


@pytest.fixture
def world(framework, unit, contributor, assessor, admin_user):
    portfolio = make_portfolio(unit, framework, "in_review")
    assignment = factories.AssignmentFactory(
        portfolio=portfolio, assessor=assessor, state=AssignmentState.SCORING
    )
    award = make_award(framework=framework)
    return {
        "portfolio": portfolio,
        "assignment": assignment,
        "award": award,
        "role": UnitRole.objects.get(user=contributor, unit=unit),
        "contributor": contributor,
        "assessor": assessor,
        "admin": admin_user,
    }


def _everywhere(servers, path: str, cookie: str = "", times: int = 5) -> set[int | None]:
    return {_status(base + path, cookie) for base in servers for _ in range(times)}


def _suspend_membership(award: Award, admin_user) -> None:
    membership = Membership.objects.get(unit=award.unit)
    membership_set_status(
        actor=admin_user,
        membership=membership,
        status=MembershipStatus.SUSPENDED,
        reason="Fees unpaid",
    )


@pytest.mark.parametrize("cache_reachable", [True, False], ids=["cache up", "cache down"])
def test_removed_role_withdrawn_assignment_and_suspended_membership_act_at_once(
    servers, world, cache_reachable
):
    portfolio, assignment, award = world["portfolio"], world["assignment"], world["award"]
    contributor, assessor, admin_user = world["contributor"], world["assessor"], world["admin"]
    builder, library = f"/portfolios/{portfolio.pk}/", f"/portfolios/{portfolio.pk}/evidence/"
    scoring = f"/reviews/assignments/{assignment.pk}/score/"
    verify = f"/verify/{award.certificate.verify_code}/"
    as_contributor, as_assessor = _session(contributor), _session(assessor)

    # Both processes have served (and cached) every page.
    assert _everywhere(servers, builder, as_contributor) == {200}
    assert _everywhere(servers, library, as_contributor) == {200}
    assert _everywhere(servers, scoring, as_assessor) == {200}
    for base in servers:
        assert "Valid" in _body(base + verify)

    # The changes, through the services the views call (in this process, whose cache is the
    # shared Redis or, for the second run, unreachable).
    cache = {"CACHES": UNREACHABLE_CACHE} if not cache_reachable else {}
    redis_cache = {
        "default": {
            "BACKEND": "ee_portal.caching.backends.RedisCache",
            "LOCATION": redis_url(),
        }
    }
    with override_settings(**(cache or {"CACHES": redis_cache})):
        unit_role_remove(actor=admin_user, unit_role=world["role"])
        assignment_declare_conflict(
            assignment=assignment, reason="My sister works there", actor=assessor
        )
        _suspend_membership(award, admin_user)

    # The very next requests, on every process.
    assert _everywhere(servers, builder, as_contributor) == {404}
    assert _everywhere(servers, library, as_contributor) == {404}
    assert _everywhere(servers, scoring, as_assessor) == {404}
    for base in servers:
        page = _body(base + verify)
        assert "Suspended" in page, page[:2000]


def test_head_is_answered_by_a_real_server(servers, framework):
    """curl -I /standards/ (monitoring, link checkers): 200, as a GET would be."""
    for base in servers:
        assert _status(base + "/standards/", method="HEAD") == 200
