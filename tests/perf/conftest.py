"""The portfolio and review fixtures these tests share with tests/portfolios and tests/reviews
(their conftests are not visible from here)."""

from tests.portfolios.conftest import portfolio, ready_portfolio  # noqa: F401
from tests.reviews.conftest import (  # noqa: F401
    in_review,
    lead_assignment,
    second_assignment,
    submitted,
)
