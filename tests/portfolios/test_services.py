import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage

from ee_portal.audit.models import AuditEvent
from portfolios.enums import Cycle, EvidenceKind, PortfolioState
from portfolios.models import (
    CriterionResponse,
    Evidence,
    EvidenceLink,
    Portfolio,
    PortfolioEvent,
    PortfolioRevision,
)
from portfolios.services import (
    InvalidTransitionError,
    NarrativeConflictError,
    NotReadyError,
    evidence_create_text,
    evidence_delete,
    evidence_link,
    evidence_unlink,
    evidence_update,
    evidence_upload,
    portfolio_create,
    portfolio_resubmit,
    portfolio_submit,
    response_save,
)
from standards.models import Criterion
from tests import factories

from .conftest import make_ready, upload

pytestmark = pytest.mark.django_db


def _read(name):
    with default_storage.open(name, "rb") as handle:
        return handle.read()


def _response(portfolio, code="1.1"):
    response = CriterionResponse.objects.get(portfolio=portfolio, criterion__code=code)
    response.portfolio = portfolio
    return response


def test_portfolio_create_makes_a_response_per_criterion(portfolio, framework):
    codes = sorted(portfolio.responses.values_list("criterion__code", flat=True))
    assert codes == sorted(
        Criterion.objects.filter(standard__framework=framework).values_list("code", flat=True)
    )
    assert portfolio.state == PortfolioState.DRAFT


def test_portfolio_create_second_open_for_unit_and_cycle_is_refused(
    portfolio, unit, framework, lead
):
    with pytest.raises(ValidationError, match="already has an open portfolio"):
        portfolio_create(unit=unit, framework=framework, cycle=Cycle.INITIAL, actor=lead)
    assert Portfolio.objects.filter(unit=unit).count() == 1


def test_portfolio_create_renewal_carries_over_evidence_and_narratives(
    portfolio, unit, framework, lead
):
    make_ready(portfolio, lead)
    old_file = evidence_upload(
        portfolio=portfolio,
        actor=lead,
        upload=upload("report.pdf"),
        contains_identifiable=False,
        criterion_ids=[Criterion.objects.get(standard__framework=framework, code="2.1").pk],
    )
    Portfolio.objects.filter(pk=portfolio.pk).update(state=PortfolioState.AWARDED)
    portfolio.refresh_from_db()

    renewal = portfolio_create(
        unit=unit, framework=framework, cycle=Cycle.RENEWAL, actor=lead, previous=portfolio
    )

    assert _response(renewal).narrative == "We do this daily."
    copied = renewal.evidence.get(carried_over_from=old_file)
    assert copied.file.name != old_file.file.name
    assert _read(copied.file.name) == _read(old_file.file.name)
    assert list(copied.links.values_list("criterion__code", flat=True)) == ["2.1"]
    assert renewal.evidence.count() == portfolio.evidence.count()


def test_response_save_bumps_version(portfolio, contributor):
    response = _response(portfolio)
    saved = response_save(response=response, actor=contributor, base_version=0, narrative="Hello")
    assert (saved.narrative, saved.version, saved.updated_by) == ("Hello", 1, contributor)


def test_response_save_stale_version_keeps_both_texts(portfolio, lead, contributor):
    response = _response(portfolio)
    response_save(response=response, actor=lead, base_version=0, narrative="Lead's text")
    with pytest.raises(NarrativeConflictError) as excinfo:
        response_save(response=response, actor=contributor, base_version=0, narrative="Mine")
    assert excinfo.value.current.narrative == "Lead's text"
    assert excinfo.value.current.version == 1
    assert _response(portfolio).narrative == "Lead's text"


def test_response_save_other_unit_refused(portfolio, other_lead):
    with pytest.raises(PermissionDenied):
        response_save(
            response=_response(portfolio), actor=other_lead, base_version=0, narrative="x"
        )


def test_upload_stores_under_generated_key_with_hash(portfolio, contributor):
    evidence = evidence_upload(
        portfolio=portfolio, actor=contributor, upload=upload("notes.txt", b"hello")
    )
    assert evidence.file.name.startswith(f"evidence/{portfolio.pk}/")
    assert "notes" not in evidence.file.name
    assert evidence.original_name == "notes.txt"
    assert evidence.sha256 == "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824"
    assert evidence.size == 5
    assert evidence.uploaded_by == contributor
    assert (
        AuditEvent.objects.filter(verb="evidence.upload", object_id=str(evidence.pk)).count() == 1
    )


def test_upload_same_file_twice_makes_two_items_same_hash(portfolio, lead):
    a = evidence_upload(portfolio=portfolio, actor=lead, upload=upload("report.pdf"))
    b = evidence_upload(portfolio=portfolio, actor=lead, upload=upload("report.pdf"))
    assert a.sha256 == b.sha256
    assert a.file.name != b.file.name


def test_upload_rejected_leaves_nothing_behind(portfolio, lead, media_root):
    with pytest.raises(ValidationError):
        evidence_upload(
            portfolio=portfolio, actor=lead, upload=upload("photo.png", b"MZ" + b"\0" * 50)
        )
    assert Evidence.objects.count() == 0
    assert not any(p.is_file() for p in media_root.rglob("*"))


def test_contributor_edits_own_evidence_only(portfolio, lead, contributor):
    leads = evidence_create_text(portfolio=portfolio, actor=lead, title="Lead's", text="x")
    mine = evidence_create_text(portfolio=portfolio, actor=contributor, title="Mine", text="y")
    evidence_update(
        evidence=mine,
        actor=contributor,
        title="Mine, renamed",
        description="",
        evidence_type="other",
        contains_identifiable=True,
        consent_recorded=True,
    )
    assert Evidence.objects.get(pk=mine.pk).title == "Mine, renamed"
    with pytest.raises(PermissionDenied, match="Only the unit lead"):
        evidence_delete(evidence=leads, actor=contributor)
    evidence_delete(evidence=mine, actor=lead)
    assert list(Evidence.objects.values_list("title", flat=True)) == ["Lead's"]


def test_declarations_no_identifiable_clears_consent(portfolio, lead):
    e = evidence_create_text(
        portfolio=portfolio,
        actor=lead,
        title="t",
        text="x",
        contains_identifiable=False,
        consent_recorded=True,
    )
    assert (e.contains_identifiable, e.consent_recorded, e.declarations_complete) == (
        False,
        None,
        True,
    )


def test_link_and_unlink(portfolio, lead, framework):
    e = evidence_create_text(portfolio=portfolio, actor=lead, title="t", text="x")
    c1, c2 = Criterion.objects.filter(standard__framework=framework).order_by("id")[:2]
    evidence_link(evidence=e, criterion=c1, actor=lead)
    evidence_link(evidence=e, criterion=c2, actor=lead)
    evidence_link(evidence=e, criterion=c2, actor=lead)
    assert sorted(e.links.values_list("criterion_id", flat=True)) == sorted([c1.pk, c2.pk])
    evidence_unlink(evidence=e, criterion=c1, actor=lead)
    assert list(e.links.values_list("criterion_id", flat=True)) == [c2.pk]


def test_link_to_another_frameworks_criterion_refused(portfolio, lead):
    e = evidence_create_text(portfolio=portfolio, actor=lead, title="t", text="x")
    foreign = factories.make_framework(standards_count=1, criteria_per_standard=1)
    with pytest.raises(ValidationError):
        evidence_link(
            evidence=e, criterion=Criterion.objects.get(standard__framework=foreign), actor=lead
        )


# --- submission ---------------------------------------------------------------------------


def test_submit_not_ready_refused(portfolio, lead):
    with pytest.raises(NotReadyError):
        portfolio_submit(portfolio=portfolio, actor=lead)
    assert Portfolio.objects.get(pk=portfolio.pk).state == PortfolioState.DRAFT


def test_submit_by_contributor_refused(ready_portfolio, contributor):
    with pytest.raises(PermissionDenied, match="Only the unit lead"):
        portfolio_submit(portfolio=ready_portfolio, actor=contributor)
    assert Portfolio.objects.get(pk=ready_portfolio.pk).state == PortfolioState.DRAFT


def test_submit_snapshots_event_and_emails_admins(
    ready_portfolio, lead, admin_user, django_capture_on_commit_callbacks, mailoutbox
):
    factories.AdminFactory(email="admin2@example.test")
    with django_capture_on_commit_callbacks(execute=True):
        revision = portfolio_submit(portfolio=ready_portfolio, actor=lead)
    ready_portfolio.refresh_from_db()
    assert ready_portfolio.state == PortfolioState.SUBMITTED
    assert revision.number == 1
    assert revision.snapshot["criteria"]["1.1"]["narrative"] == "We do this daily."
    assert list(PortfolioEvent.objects.values_list("from_state", "to_state")) == [
        ("draft", "submitted")
    ]
    assert sorted(addr for m in mailoutbox for addr in m.to) == [
        "admin2@example.test",
        "admin@example.test",
    ]
    assert "Willow Ward" in mailoutbox[0].subject


def test_double_submit_makes_one_transition(ready_portfolio, lead):
    stale = Portfolio.objects.get(pk=ready_portfolio.pk)
    portfolio_submit(portfolio=ready_portfolio, actor=lead)
    with pytest.raises(InvalidTransitionError):
        portfolio_submit(portfolio=stale, actor=lead)
    assert PortfolioEvent.objects.count() == 1
    assert PortfolioRevision.objects.count() == 1


@pytest.mark.parametrize("state", ["submitted", "in_review", "awarded"])
def test_nothing_editable_after_submit(ready_portfolio, lead, state):
    e = ready_portfolio.evidence.get()
    Portfolio.objects.filter(pk=ready_portfolio.pk).update(state=state)
    ready_portfolio.refresh_from_db()
    e.refresh_from_db()
    c = Criterion.objects.filter(standard__framework=ready_portfolio.framework).first()
    for call in (
        lambda: response_save(
            response=_response(ready_portfolio), actor=lead, base_version=0, narrative="x"
        ),
        lambda: evidence_upload(portfolio=ready_portfolio, actor=lead, upload=upload("notes.txt")),
        lambda: evidence_create_text(portfolio=ready_portfolio, actor=lead, title="t", text="x"),
        lambda: evidence_update(
            evidence=e,
            actor=lead,
            title="x",
            description="",
            evidence_type="other",
            contains_identifiable=False,
            consent_recorded=None,
        ),
        lambda: evidence_delete(evidence=e, actor=lead),
        lambda: evidence_unlink(evidence=e, criterion=c, actor=lead),
        lambda: evidence_link(evidence=e, criterion=c, actor=lead),
    ):
        with pytest.raises(PermissionDenied):
            call()
    assert Evidence.objects.filter(pk=e.pk, title="Resident quote").exists()
    assert EvidenceLink.objects.filter(evidence=e).count() == ready_portfolio.responses.count()


def _more_evidence(portfolio, lead, codes):
    portfolio_submit(portfolio=portfolio, actor=lead)
    Portfolio.objects.filter(pk=portfolio.pk).update(state=PortfolioState.MORE_EVIDENCE)
    CriterionResponse.objects.filter(portfolio=portfolio, criterion__code__in=codes).update(
        reopened=True
    )
    portfolio.refresh_from_db()


def test_more_evidence_only_reopened_criteria_editable(ready_portfolio, lead):
    _more_evidence(ready_portfolio, lead, ["2.1"])
    with pytest.raises(PermissionDenied, match="reopened"):
        response_save(
            response=_response(ready_portfolio, "1.1"), actor=lead, base_version=0, narrative="x"
        )
    saved = response_save(
        response=_response(ready_portfolio, "2.1"), actor=lead, base_version=0, narrative="More"
    )
    assert saved.narrative == "More"
    # The shared quote supports locked criteria too, so it stays as it is.
    shared = ready_portfolio.evidence.get()
    with pytest.raises(PermissionDenied):
        evidence_delete(evidence=shared, actor=lead)
    c21 = Criterion.objects.get(standard__framework=ready_portfolio.framework, code="2.1")
    c11 = Criterion.objects.get(standard__framework=ready_portfolio.framework, code="1.1")
    new = evidence_upload(
        portfolio=ready_portfolio,
        actor=lead,
        upload=upload("report.pdf"),
        contains_identifiable=False,
        criterion_ids=[c21.pk],
    )
    evidence_update(
        evidence=new,
        actor=lead,
        title="Minutes",
        description="",
        evidence_type="minutes",
        contains_identifiable=False,
        consent_recorded=None,
    )
    with pytest.raises(PermissionDenied, match="1.1 was not reopened"):
        evidence_link(evidence=new, criterion=c11, actor=lead)


def test_resubmit_makes_new_revision_and_clears_reopened(ready_portfolio, lead):
    _more_evidence(ready_portfolio, lead, ["2.1"])
    response_save(
        response=_response(ready_portfolio, "2.1"),
        actor=lead,
        base_version=0,
        narrative="Now better",
    )
    revision = portfolio_resubmit(portfolio=ready_portfolio, actor=lead)
    ready_portfolio.refresh_from_db()
    assert ready_portfolio.state == PortfolioState.RESUBMITTED
    assert revision.number == 2
    assert revision.snapshot["criteria"]["2.1"]["narrative"] == "Now better"
    assert not CriterionResponse.objects.filter(portfolio=ready_portfolio, reopened=True).exists()


def test_resubmit_needs_reopened_criteria_complete(ready_portfolio, lead):
    _more_evidence(ready_portfolio, lead, ["2.1"])
    response_save(
        response=_response(ready_portfolio, "2.1"), actor=lead, base_version=0, narrative=""
    )
    with pytest.raises(NotReadyError):
        portfolio_resubmit(portfolio=ready_portfolio, actor=lead)


def test_resubmit_from_draft_refused(ready_portfolio, lead):
    with pytest.raises(InvalidTransitionError):
        portfolio_resubmit(portfolio=ready_portfolio, actor=lead)


def test_text_evidence_requires_text(portfolio, lead):
    with pytest.raises(ValidationError):
        evidence_create_text(portfolio=portfolio, actor=lead, title="t", text="  ")
    assert not Evidence.objects.filter(kind=EvidenceKind.TEXT).exists()
