"""portfolios/hooks.py: the registries the apps above portfolios fill from ready()."""

import pytest

from portfolios import hooks
from portfolios.selectors import MissingItem, portfolio_readiness
from tests import factories

pytestmark = pytest.mark.django_db


def test_questionnaires_and_awards_register_their_panels_checks_and_demo_step():
    assert hooks.registered() == {
        "standard_panels": ["questionnaires.results"],
        "portfolio_panels": ["programmes.annual", "questionnaires.card"],
        "readiness_checks": ["questionnaires.rounds"],
        "demo_steps": ["programmes.demo", "questionnaires.demo"],
        "page_panels": ["awards.award"],
        "list_links": ["awards.award"],
    }


def test_registering_a_key_again_replaces_it(monkeypatch):
    monkeypatch.setattr(hooks, "_readiness_checks", {})
    item = MissingItem("test", "Do the thing.", "/somewhere/")
    hooks.on_readiness_check("test.check", lambda *, portfolio: [item])
    hooks.on_readiness_check("test.check", lambda *, portfolio: [item])
    portfolio = factories.PortfolioFactory()
    assert [m for m in portfolio_readiness(portfolio=portfolio) if m.kind == "test"] == [item]


def test_panels_join_per_standard_in_registration_order(monkeypatch):
    monkeypatch.setattr(hooks, "_standard_panels", {})
    hooks.on_standard_panels("a", lambda *, portfolio, place: {1: "<p>a</p>", 2: "<p>x</p>"})
    hooks.on_standard_panels("b", lambda *, portfolio, place: {1: f"<p>{place}</p>"})
    assert hooks.standard_panels(portfolio=None, place="builder") == {
        1: "<p>a</p><p>builder</p>",
        2: "<p>x</p>",
    }
