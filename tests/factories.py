"""One factory per model. Tests build what they need; fixtures/ is never loaded by tests."""

import datetime as dt
import hashlib

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from awards import models as awards
from awards.enums import AwardStatus
from network import models as network
from network.enums import (
    MembershipStatus,
    Region,
    ReviewerKind,
    ReviewerStatus,
    SettingType,
    UnitRoleKind,
)
from portfolios import models as portfolios
from portfolios.enums import Cycle, EvidenceKind, EvidenceType, PortfolioState
from programmes import models as programmes
from questionnaires import models as questionnaires
from questionnaires.enums import QuestionnaireStatus
from reviews import models as reviews
from reviews.enums import AssignmentState, DecisionOutcome, ReportKind
from standards import models as standards
from standards.enums import FrameworkStatus

TEST_PASSWORD = "a-test-password-123"


class UserFactory(DjangoModelFactory):
    class Meta:
        model = network.User
        django_get_or_create = ("email",)
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.test")
    full_name = factory.Faker("name")
    password = factory.PostGenerationMethodCall("set_password", TEST_PASSWORD)

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):  # noqa: N805 -- factory_boy passes the object
        if create:
            obj.save()


class AdminFactory(UserFactory):
    is_ccqi_admin = True


class AssessorFactory(UserFactory):
    is_assessor = True


class OrganisationFactory(DjangoModelFactory):
    class Meta:
        model = network.Organisation

    name = factory.Sequence(lambda n: f"Organisation {n}")


class UnitFactory(DjangoModelFactory):
    class Meta:
        model = network.Unit

    organisation = factory.SubFactory(OrganisationFactory)
    name = factory.Sequence(lambda n: f"Unit {n}")
    setting_type = SettingType.HEALTH_INPATIENT
    region = Region.LONDON


class ProgrammeFactory(DjangoModelFactory):
    class Meta:
        model = network.Programme
        django_get_or_create = ("code",)

    code = "ee-award"
    name = "Enabling Environments Award"


class MembershipFactory(DjangoModelFactory):
    class Meta:
        model = network.Membership

    unit = factory.SubFactory(UnitFactory)
    programme = factory.SubFactory(ProgrammeFactory)
    start_date = factory.LazyFunction(lambda: timezone.localdate() - dt.timedelta(days=30))
    end_date = factory.LazyAttribute(lambda o: o.start_date + dt.timedelta(days=3 * 365))
    status = MembershipStatus.ACTIVE


class UnitRoleFactory(DjangoModelFactory):
    class Meta:
        model = network.UnitRole

    user = factory.SubFactory(UserFactory)
    unit = factory.SubFactory(UnitFactory)
    role = UnitRoleKind.CONTRIBUTOR


class AssessorProfileFactory(DjangoModelFactory):
    class Meta:
        model = network.AssessorProfile

    user = factory.SubFactory(AssessorFactory)
    home_organisation = factory.SubFactory(OrganisationFactory)


class InvitationFactory(DjangoModelFactory):
    class Meta:
        model = network.Invitation

    email = factory.Sequence(lambda n: f"invitee{n}@example.test")
    unit = factory.SubFactory(UnitFactory)
    role = UnitRoleKind.CONTRIBUTOR
    token_hash = factory.Sequence(lambda n: hashlib.sha256(f"token-{n}".encode()).hexdigest())
    invited_by = factory.SubFactory(AdminFactory)
    expires_at = factory.LazyFunction(lambda: timezone.now() + dt.timedelta(days=14))


class FrameworkFactory(DjangoModelFactory):
    """A draft framework; use make_framework() for a published one with standards."""

    class Meta:
        model = standards.Framework

    code = factory.Sequence(lambda n: f"fw-{n}")
    title = "Test standards"
    version = "1"


class StandardFactory(DjangoModelFactory):
    class Meta:
        model = standards.Standard

    framework = factory.SubFactory(FrameworkFactory)
    number = factory.Sequence(lambda n: n + 1)
    name = factory.Sequence(lambda n: f"Standard {n + 1}")
    value_statement = "Relationships come first."


class CriterionFactory(DjangoModelFactory):
    class Meta:
        model = standards.Criterion

    standard = factory.SubFactory(StandardFactory)
    code = factory.Sequence(lambda n: f"{n + 1}.1")
    text = "People feel welcome."
    guidance = "Show how newcomers are welcomed."
    examples = "Welcome pack\nMinutes"


def make_framework(
    *, standards_count: int = 10, criteria_per_standard: int = 2, publish: bool = True
):
    """A framework with numbered standards and criteria ("1.1", "1.2", ...)."""
    framework = FrameworkFactory()
    for number in range(1, standards_count + 1):
        standard = StandardFactory(framework=framework, number=number, name=f"Standard {number}")
        for order in range(1, criteria_per_standard + 1):
            CriterionFactory(standard=standard, code=f"{number}.{order}", order=order)
    if publish:
        framework.status = FrameworkStatus.PUBLISHED
        framework.published_at = timezone.now()
        framework.save()
    return framework


class PortfolioFactory(DjangoModelFactory):
    class Meta:
        model = portfolios.Portfolio

    unit = factory.SubFactory(UnitFactory)
    framework = factory.LazyFunction(lambda: make_framework(criteria_per_standard=1))
    cycle = Cycle.INITIAL
    state = PortfolioState.DRAFT


class CriterionResponseFactory(DjangoModelFactory):
    class Meta:
        model = portfolios.CriterionResponse

    portfolio = factory.SubFactory(PortfolioFactory)
    criterion = factory.LazyAttribute(
        lambda o: standards.Criterion.objects.filter(
            standard__framework=o.portfolio.framework
        ).first()
    )
    narrative = "We hold a community meeting every morning."


class EvidenceFactory(DjangoModelFactory):
    """Text evidence by default (no file); pass kind=FILE and file=ContentFile(...) for files."""

    class Meta:
        model = portfolios.Evidence

    portfolio = factory.SubFactory(PortfolioFactory)
    kind = EvidenceKind.TEXT
    title = factory.Sequence(lambda n: f"Evidence {n}")
    evidence_type = EvidenceType.FEEDBACK
    text = "“Staff listen to us.” – a resident"
    contains_identifiable = False


class EvidenceLinkFactory(DjangoModelFactory):
    class Meta:
        model = portfolios.EvidenceLink

    evidence = factory.SubFactory(EvidenceFactory)
    criterion = factory.LazyAttribute(
        lambda o: standards.Criterion.objects.filter(
            standard__framework=o.evidence.portfolio.framework
        ).first()
    )


class PortfolioRevisionFactory(DjangoModelFactory):
    class Meta:
        model = portfolios.PortfolioRevision

    portfolio = factory.SubFactory(PortfolioFactory)
    number = factory.Sequence(lambda n: n + 1)
    snapshot = factory.LazyFunction(lambda: {"criteria": {}})


class AssignmentFactory(DjangoModelFactory):
    class Meta:
        model = reviews.Assignment

    portfolio = factory.SubFactory(PortfolioFactory, state=PortfolioState.IN_REVIEW)
    assessor = factory.SubFactory(AssessorFactory)
    due_date = factory.LazyFunction(lambda: timezone.localdate() + dt.timedelta(days=28))
    state = AssignmentState.AWAITING_DECLARATION


class CriterionScoreFactory(DjangoModelFactory):
    class Meta:
        model = reviews.CriterionScore

    assignment = factory.SubFactory(AssignmentFactory, state=AssignmentState.SCORING)
    criterion = factory.LazyAttribute(
        lambda o: standards.Criterion.objects.filter(
            standard__framework=o.assignment.portfolio.framework
        ).first()
    )
    rating = "met"
    comment = "Clear evidence in the minutes."


class AgreedScoreFactory(DjangoModelFactory):
    class Meta:
        model = reviews.AgreedScore

    portfolio = factory.SubFactory(PortfolioFactory, state=PortfolioState.IN_REVIEW)
    criterion = factory.LazyAttribute(
        lambda o: standards.Criterion.objects.filter(
            standard__framework=o.portfolio.framework
        ).first()
    )
    rating = "met"


class EvidenceRequestFactory(DjangoModelFactory):
    class Meta:
        model = reviews.EvidenceRequest

    portfolio = factory.SubFactory(PortfolioFactory, state=PortfolioState.MORE_EVIDENCE)
    message = "Please add minutes of a community meeting."
    due_date = factory.LazyFunction(lambda: timezone.localdate() + dt.timedelta(days=21))


class PortfolioEventFactory(DjangoModelFactory):
    class Meta:
        model = portfolios.PortfolioEvent

    portfolio = factory.SubFactory(PortfolioFactory)
    from_state = PortfolioState.DRAFT
    to_state = PortfolioState.SUBMITTED


class ReportFactory(DjangoModelFactory):
    class Meta:
        model = reviews.Report

    portfolio = factory.SubFactory(PortfolioFactory, state=PortfolioState.INTERIM_REPORT)
    kind = ReportKind.INTERIM
    strengths = "A warm, welcoming community."


class DecisionFactory(DjangoModelFactory):
    class Meta:
        model = reviews.Decision

    portfolio = factory.SubFactory(PortfolioFactory, state=PortfolioState.AWARDED)
    outcome = DecisionOutcome.AWARDED
    rationale = "All ten standards are met."
    decided_on = factory.LazyFunction(timezone.localdate)


class AwardFactory(DjangoModelFactory):
    class Meta:
        model = awards.Award

    decision = factory.SubFactory(DecisionFactory)
    portfolio = factory.LazyAttribute(lambda o: o.decision.portfolio)
    unit = factory.LazyAttribute(lambda o: o.decision.portfolio.unit)
    framework = factory.LazyAttribute(lambda o: o.decision.portfolio.framework)
    start_date = factory.LazyFunction(timezone.localdate)
    end_date = factory.LazyAttribute(lambda o: o.start_date + dt.timedelta(days=3 * 365))
    interim_due = factory.LazyAttribute(lambda o: o.start_date + dt.timedelta(days=548))
    status = AwardStatus.VALID


class CertificateFactory(DjangoModelFactory):
    class Meta:
        model = awards.Certificate

    award = factory.SubFactory(AwardFactory)
    number = factory.Sequence(lambda n: f"EE-2026-{n + 1:05d}")
    verify_code = factory.Sequence(
        lambda n: hashlib.sha256(f"verify-{n}".encode()).hexdigest()[:40]
    )


class ReminderLogFactory(DjangoModelFactory):
    class Meta:
        model = reviews.ReminderLog

    key = factory.Sequence(lambda n: f"test:{n}")


# --- questionnaires -------------------------------------------------------------------------


class QuestionnaireSetFactory(DjangoModelFactory):
    class Meta:
        model = questionnaires.QuestionnaireSet

    framework = factory.LazyFunction(lambda: make_framework(criteria_per_standard=1))
    code = factory.Sequence(lambda n: f"q-set-{n}")
    title = "Questionnaires"
    version = "1"
    audiences = factory.LazyFunction(lambda: ["service_users", "staff"])
    status = QuestionnaireStatus.PUBLISHED
    published_at = factory.LazyFunction(timezone.now)


class ItemFactory(DjangoModelFactory):
    class Meta:
        model = questionnaires.Item

    questionnaire = factory.SubFactory(QuestionnaireSetFactory, status=QuestionnaireStatus.DRAFT)
    audience = "service_users"
    number = factory.Sequence(lambda n: n + 1)
    standard = factory.LazyAttribute(
        lambda o: standards.Standard.objects.filter(framework=o.questionnaire.framework).first()
    )
    answer_type = "agree5"
    text = "I feel welcome here."
    easy_read = "People are kind to me here."


def make_questionnaire(framework, *, items_per_standard: int = 1, min_responses: int = 5):
    """A published set for ``framework``: per audience, ``items_per_standard`` agree items per
    standard, then one yes/no and one free-text item."""
    questionnaire = QuestionnaireSetFactory(
        framework=framework, status=QuestionnaireStatus.DRAFT, min_responses=min_responses
    )
    for audience in questionnaire.audiences:
        number = 0
        for standard in framework.standards.order_by("number"):
            for _ in range(items_per_standard):
                number += 1
                ItemFactory(
                    questionnaire=questionnaire,
                    audience=audience,
                    number=number,
                    standard=standard,
                    text=f"Statement {number} about {standard.name}.",
                    easy_read=f"Easy {number}.",
                )
        first = framework.standards.order_by("number").first()
        ItemFactory(
            questionnaire=questionnaire,
            audience=audience,
            number=number + 1,
            standard=first,
            answer_type="yes_no",
            text="Would you recommend it?",
            easy_read="Would you tell a friend?",
        )
        ItemFactory(
            questionnaire=questionnaire,
            audience=audience,
            number=number + 2,
            standard=first,
            answer_type="text",
            text="Anything else?",
            easy_read="Anything else?",
        )
    questionnaire.status = QuestionnaireStatus.PUBLISHED
    questionnaire.published_at = timezone.now()
    questionnaire.save()
    return questionnaire


class RoundFactory(DjangoModelFactory):
    class Meta:
        model = questionnaires.Round

    portfolio = factory.SubFactory(PortfolioFactory)
    questionnaire = factory.LazyAttribute(
        lambda o: (
            questionnaires.QuestionnaireSet.objects.filter(framework=o.portfolio.framework).first()
            or make_questionnaire(o.portfolio.framework)
        )
    )
    audience = "service_users"
    opens_on = factory.LazyFunction(lambda: timezone.localdate() - dt.timedelta(days=1))
    closes_on = factory.LazyFunction(lambda: timezone.localdate() + dt.timedelta(days=27))
    expected_count = 20
    token = factory.Sequence(lambda n: f"round-token-{n:04d}-" + "x" * 20)


class ResponseFactory(DjangoModelFactory):
    class Meta:
        model = questionnaires.Response

    round = factory.SubFactory(RoundFactory)
    submitted_on = factory.LazyFunction(timezone.localdate)
    source = "online"
    submission_key = factory.Sequence(lambda n: hashlib.sha256(f"k{n}".encode()).hexdigest())


class AnswerFactory(DjangoModelFactory):
    class Meta:
        model = questionnaires.Answer

    response = factory.SubFactory(ResponseFactory)
    item = factory.LazyAttribute(lambda o: o.response.round.questionnaire.items.first())
    value = "4"


class ContributionFactory(DjangoModelFactory):
    class Meta:
        model = questionnaires.Contribution

    round = factory.SubFactory(RoundFactory)
    kind = "quote"
    title = "What I think"
    text = "Staff here really listen."
    consent = True
    submitted_on = factory.LazyFunction(timezone.localdate)
    submission_key = factory.Sequence(lambda n: hashlib.sha256(f"c{n}".encode()).hexdigest())


class DocumentFactory(DjangoModelFactory):
    class Meta:
        model = questionnaires.Document

    round = factory.SubFactory(RoundFactory)
    kind = "poster"


class CalibrationExerciseFactory(DjangoModelFactory):
    class Meta:
        model = reviews.CalibrationExercise

    portfolio = factory.SubFactory(PortfolioFactory, state=PortfolioState.SUBMITTED)
    title = "Practice portfolio: Example Ward"
    published_at = factory.LazyFunction(timezone.now)


class ReferenceRatingFactory(DjangoModelFactory):
    class Meta:
        model = reviews.ReferenceRating

    exercise = factory.SubFactory(CalibrationExerciseFactory)
    criterion = factory.LazyAttribute(
        lambda o: standards.Criterion.objects.filter(
            standard__framework=o.exercise.portfolio.framework
        ).first()
    )
    rating = "met"
    comment = "The minutes show this clearly."


# --- Community of Communities (issue 14) -------------------------------------------------------


class PeerReviewerProfileFactory(DjangoModelFactory):
    class Meta:
        model = network.PeerReviewerProfile

    user = factory.SubFactory(UserFactory, is_peer_reviewer=True)
    kind = ReviewerKind.STAFF
    nominated_by_unit = factory.SubFactory(UnitFactory)
    home_organisation = factory.LazyAttribute(lambda o: o.nominated_by_unit.organisation)
    status = ReviewerStatus.APPROVED
    trained_on = dt.date(2026, 1, 10)


class PeerVisitFactory(DjangoModelFactory):
    class Meta:
        model = programmes.PeerVisit

    portfolio = factory.SubFactory(PortfolioFactory, cycle=Cycle.ANNUAL, cycle_year=2026)
    visit_date = factory.LazyFunction(lambda: timezone.localdate() + dt.timedelta(days=30))
    year = 2026


class ActionPointFactory(DjangoModelFactory):
    class Meta:
        model = programmes.ActionPoint

    portfolio = factory.SubFactory(PortfolioFactory, cycle=Cycle.ANNUAL, cycle_year=2026)
    text = "Invite former members to the welcome group."
    owner = "Community manager"
    due_date = factory.LazyFunction(lambda: timezone.localdate() + dt.timedelta(days=90))


class NationalReportFactory(DjangoModelFactory):
    class Meta:
        model = programmes.NationalReport

    year = 2026


# Issue 15: one standard and one criterion with prison wording beside the general wording.
GENERAL_STATEMENT = "Everyone can get support."
PRISON_STATEMENT = "Staff and residents can both get support."
GENERAL_TEXT = "Service users know how to get support."
PRISON_TEXT = "Residents know how to get support on the wing."
PRISON_GUIDANCE = "Ask residents on the wing."


def make_prison_worded_framework(*, criteria_per_standard: int = 1):
    """A published framework whose standard 1 and criterion 1.1 have prison wording."""
    framework = make_framework(criteria_per_standard=criteria_per_standard, publish=False)
    standards.Standard.objects.filter(framework=framework, number=1).update(
        value_statement=GENERAL_STATEMENT,
        setting_wording={"prison_probation": PRISON_STATEMENT},
    )
    standards.Criterion.objects.filter(standard__framework=framework, code="1.1").update(
        text=GENERAL_TEXT,
        guidance="Ask service users.",
        examples="Leaflet for service users",
        setting_wording={
            "prison_probation": {
                "text": PRISON_TEXT,
                "guidance": PRISON_GUIDANCE,
                "examples": ["Wing leaflet", "Listener rota"],
            }
        },
    )
    framework.status = FrameworkStatus.PUBLISHED
    framework.published_at = timezone.now()
    framework.save()
    return framework
