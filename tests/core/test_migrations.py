import pytest
from django.core.management import call_command

from network.models import Programme

pytestmark = pytest.mark.django_db


def test_migrations_none_missing():
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)


def test_migrations_seed_the_three_programmes():
    assert set(Programme.objects.values_list("code", flat=True)) == {
        "ee-award",
        "cofc",
        "ee-prisons",
    }
