"""reviews' "decision recorded" hook: awards fills it; it runs inside the decision's transaction."""

import pytest

from awards.models import Award
from reviews import hooks, workflow
from reviews.enums import DecisionOutcome
from reviews.models import Decision

pytestmark = pytest.mark.django_db


def test_awards_registers_its_issuing_receiver_from_ready():
    from awards.services import award_on_decision_recorded  # noqa: PLC0415

    assert hooks.decision_receivers() == {"awards.issue": award_on_decision_recorded}


def test_registering_the_same_key_again_replaces_it(monkeypatch):
    monkeypatch.setattr(hooks, "_decision_recorded", {})
    calls = []
    hooks.on_decision_recorded("k", lambda **kw: calls.append("first"))
    hooks.on_decision_recorded("k", lambda **kw: calls.append("second"))
    hooks.decision_recorded(decision=None, actor=None)
    assert calls == ["second"]


def test_a_failing_receiver_rolls_the_decision_back(at_panel, admin_user, monkeypatch):
    def boom(*, decision, actor):
        assert Decision.objects.filter(pk=decision.pk).exists()  # inside the transaction
        raise RuntimeError("receiver failed")

    monkeypatch.setitem(hooks._decision_recorded, "test.boom", boom)
    with pytest.raises(RuntimeError):
        workflow.decision_record(
            portfolio=at_panel, outcome=DecisionOutcome.AWARDED, rationale="Met.", actor=admin_user
        )
    assert not Decision.objects.exists()
    assert not Award.objects.exists()


def test_only_an_awarded_decision_issues_an_award(at_panel, admin_user):
    workflow.decision_record(
        portfolio=at_panel, outcome=DecisionOutcome.NOT_AWARDED, rationale="Not yet.",
        actor=admin_user,
    )  # fmt: skip
    assert Decision.objects.count() == 1
    assert not Award.objects.exists()
