import pytest

from portfolios.enums import Cycle
from portfolios.services import portfolio_create

from .world import build_world


@pytest.fixture
def world(db):
    """Units A and B, their people, assessors, an admin and unit A's portfolios and award."""
    return build_world()


@pytest.fixture
def storage_root(_private_storage):
    """The private storage folder of this test (tests/conftest.py's autouse fixture)."""
    return _private_storage


@pytest.fixture
def portfolio(unit, framework, lead):
    """A draft portfolio of the lead's unit (the upload tests post to it)."""
    return portfolio_create(unit=unit, framework=framework, cycle=Cycle.INITIAL, actor=lead)
