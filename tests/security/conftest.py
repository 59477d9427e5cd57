import pytest

from .world import build_world


@pytest.fixture
def world(db):
    """Units A and B, their people, assessors, an admin and unit A's portfolios and award."""
    return build_world()


@pytest.fixture
def storage_root(_private_storage):
    """The private storage folder of this test (tests/conftest.py's autouse fixture)."""
    return _private_storage
