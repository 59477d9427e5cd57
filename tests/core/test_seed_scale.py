import pytest
from django.core.management import CommandError, call_command

from awards.models import Award, Certificate
from network.models import Unit
from portfolios.models import CriterionResponse, Evidence, EvidenceLink, Portfolio
from reviews.models import CriterionScore

pytestmark = pytest.mark.django_db


def test_seed_scale_creates_the_requested_sizes(settings, capsys):
    settings.DEBUG = True
    call_command(
        "seed_scale", "--units", "12", "--portfolios", "30", "--evidence", "90", "--scores", "40"
    )
    assert Unit.objects.count() == 12
    assert Portfolio.objects.count() == 30
    assert Evidence.objects.count() == 90
    assert EvidenceLink.objects.count() == 90
    assert CriterionScore.objects.count() == 40
    assert CriterionResponse.objects.count() == 30 * 40
    assert Award.objects.count() == Certificate.objects.count() == 12
    assert "Scale data ready" in capsys.readouterr().out


def test_seed_scale_refuses_a_second_run_and_production(settings):
    settings.DEBUG = True
    call_command(
        "seed_scale", "--units", "2", "--portfolios", "2", "--evidence", "2", "--scores", "0"
    )
    with pytest.raises(CommandError, match="already exists"):
        call_command("seed_scale", "--units", "2", "--portfolios", "2")
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DJANGO_DEBUG=1"):
        call_command("seed_scale")
