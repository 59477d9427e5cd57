import pytest

from network.demo import seed_network
from portfolios.demo import seed_portfolios
from portfolios.enums import PortfolioState
from reviews.demo import seed_reviews
from reviews.enums import AssignmentState
from reviews.models import Assignment, CriterionScore
from standards.models import Criterion
from tests import factories

pytestmark = pytest.mark.django_db


def _seed(with_portfolios: bool):
    demo = seed_network()
    if with_portfolios:
        seed_portfolios(demo)
    seed_reviews(demo)
    return demo


@pytest.mark.parametrize("with_portfolios", [True, False])
def test_seed_reviews_assigns_riverside_idempotently(with_portfolios):
    framework = factories.make_framework(criteria_per_standard=2)
    _seed(with_portfolios)
    demo = _seed(with_portfolios)
    by_email = {
        a.assessor.email: a
        for a in Assignment.objects.select_related("assessor", "portfolio__unit")
    }
    assert set(by_email) == {"assessor@demo.test", "assessor2@demo.test"}
    first, second = by_email["assessor@demo.test"], by_email["assessor2@demo.test"]
    assert first.portfolio == second.portfolio
    assert first.portfolio.unit == demo.units["riverside"]
    assert first.portfolio.state == PortfolioState.IN_REVIEW
    assert (first.state, first.is_lead) == (AssignmentState.AWAITING_DECLARATION, True)
    assert second.state == AssignmentState.SCORING
    total = Criterion.objects.filter(standard__framework=framework).count()
    assert CriterionScore.objects.filter(assignment=second).exclude(rating="").count() == total // 2
    assert not CriterionScore.objects.filter(assignment=first).exists()
