import pytest
from django.core.exceptions import ValidationError

from reviews.enums import COMMENT_MAX_CHARS
from reviews.models import CriterionScore
from reviews.services import criterion_score_save
from standards.models import Criterion
from tests.reviews.conftest import assign

pytestmark = pytest.mark.django_db


def test_score_comment_over_the_limit_is_refused(in_review, assessor):
    assignment = assign(in_review, assessor)
    criterion = Criterion.objects.filter(standard__framework=in_review.framework).first()
    with pytest.raises(ValidationError, match="under 5,000 characters"):
        criterion_score_save(
            assignment=assignment, criterion=criterion, rating="met",
            comment="x" * (COMMENT_MAX_CHARS + 1), actor=assessor,
        )  # fmt: skip
    assert not CriterionScore.objects.exists()
