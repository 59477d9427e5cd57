import pytest

from portfolios.enums import PortfolioState
from questionnaires.models import Item
from questionnaires.services import response_submit
from tests import factories


@pytest.fixture
def questionnaire(framework):
    return factories.make_questionnaire(framework)


@pytest.fixture
def portfolio(unit, framework, questionnaire):
    portfolio = factories.PortfolioFactory(unit=unit, framework=framework)
    for criterion in framework.standards.first().criteria.all():
        factories.CriterionResponseFactory(portfolio=portfolio, criterion=criterion)
    return portfolio


@pytest.fixture
def round_(portfolio, questionnaire):
    return factories.RoundFactory(portfolio=portfolio, questionnaire=questionnaire)


@pytest.fixture
def staff_round(portfolio, questionnaire):
    return factories.RoundFactory(
        portfolio=portfolio, questionnaire=questionnaire, audience="staff"
    )


def items_of(round_):
    return list(Item.objects.filter(questionnaire=round_.questionnaire, audience=round_.audience))


def answer(round_, value="4", *, token=None, text=""):
    """Store one online response: every scale item ``value``, plus ``text`` if given."""
    items = items_of(round_)
    answers = {}
    for item in items:
        if item.answer_type == "agree5":
            answers[item.pk] = value
        elif item.answer_type == "yes_no":
            answers[item.pk] = "yes" if value in ("4", "5") else "no"
        elif text:
            answers[item.pk] = text
    answer.counter += 1
    return response_submit(
        round_=round_, items=items, answers=answers, token=token or f"tok-{answer.counter}"
    )


answer.counter = 0


@pytest.fixture
def submitted_portfolio(portfolio):
    portfolio.state = PortfolioState.SUBMITTED
    portfolio.save(update_fields=["state"])
    return portfolio
