"""Demo data (called by seed_demo through portfolios.hooks "demo steps"; idempotent).

Demo Ward: an open service-user round with 12 responses and an open staff round with 8, so
results show on the builder, and a resident's quote waiting for the lead. Riverside Hostel
(submitted, with assessors): closed rounds whose results show beside each standard while
scoring.
"""

import datetime as dt
import hashlib
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from ee_portal.lib import fragments
from network.demo import DemoNetwork
from portfolios.cache import portfolio_scope
from portfolios.models import Portfolio

from .enums import AnswerType, Audience, ResponseSource
from .models import Answer, Contribution, Item, QuestionnaireSet, Response, Round
from .selectors import items_for, questionnaire_for_framework
from .services import (
    contribution_submit,
    questionnaire_import,
    response_submit,
    round_open,
)
from .tasks import answer_url

SAMPLE = Path(settings.BASE_DIR) / "fixtures" / "questionnaires" / "ee-sample.yaml"
# Answers cycle through these so the bars show a spread (mostly agreeing, as in a good unit).
PATTERN = ("5", "4", "4", "5", "3", "4", "2", "5", "dk", "4", "1", "pn")
COMMENTS = (
    "The community meeting is where I feel listened to.",
    "More activities at weekends, please.",
    "Staff take time to explain things.",
    "",
)


def _questionnaire(portfolio: Portfolio) -> QuestionnaireSet | None:
    questionnaire = questionnaire_for_framework(framework_id=portfolio.framework_id)
    if questionnaire is None and portfolio.framework.code == "ee-sample-2013":
        questionnaire = questionnaire_import(text=SAMPLE.read_text(encoding="utf-8"), publish=True)
    return questionnaire


def _answers(items: list[Item], n: int) -> dict[int, str]:
    answers: dict[int, str] = {}
    for index, item in enumerate(items):
        value = PATTERN[(n + index) % len(PATTERN)]
        if item.answer_type == AnswerType.AGREE5:
            answers[item.pk] = value
        elif item.answer_type == AnswerType.YES_NO:
            answers[item.pk] = "no" if value in ("1", "2") else "yes"
        elif COMMENTS[n % len(COMMENTS)]:
            answers[item.pk] = COMMENTS[n % len(COMMENTS)]
    return answers


def _demo_ward(demo: DemoNetwork, portfolio: Portfolio, questionnaire: QuestionnaireSet) -> None:
    lead = demo.users["lead"]
    today = timezone.localdate()
    for audience, expected, count in ((Audience.SERVICE_USERS, 20, 12), (Audience.STAFF, 12, 8)):
        round_ = Round.objects.filter(portfolio=portfolio, audience=audience).first()
        if round_ is None:
            round_ = round_open(
                portfolio=portfolio,
                actor=lead,
                audience=audience,
                opens_on=today - dt.timedelta(days=7),
                closes_on=today + dt.timedelta(days=21),
                expected_count=expected,
            )
        items = items_for(questionnaire=questionnaire, audience=audience)
        for n in range(round_.responses.count(), count):
            response_submit(
                round_=round_,
                items=items,
                answers=_answers(items, n),
                token=f"demo-{round_.pk}-{n}",
            )
        if audience == Audience.SERVICE_USERS:
            if not Contribution.objects.filter(round=round_).exists():
                contribution_submit(
                    round_=round_,
                    kind="quote",
                    title="Why I like the Tuesday group",
                    text="“The Tuesday group is the first place I felt people wanted to hear "
                    "what I had to say.”",
                    upload=None,
                    consent=True,
                    token=f"demo-contribution-{round_.pk}",
                )
            link = answer_url(round_.token)
            demo.notes.append(f"Questionnaires: Demo Ward's anonymous link (no sign-in): {link}")


def _riverside(portfolio: Portfolio, questionnaire: QuestionnaireSet) -> None:
    """Closed rounds, written directly: the portfolio was submitted before this step runs."""
    today = timezone.localdate()
    for audience, count in ((Audience.SERVICE_USERS, 9), (Audience.STAFF, 6)):
        round_, _created = Round.objects.get_or_create(
            portfolio=portfolio,
            audience=audience,
            defaults={
                "questionnaire": questionnaire,
                "opens_on": today - dt.timedelta(days=40),
                "closes_on": today - dt.timedelta(days=12),
                "closed_on": today - dt.timedelta(days=12),
                "expected_count": 12,
                "token": hashlib.sha256(f"riverside-{audience}".encode()).hexdigest()[:43],
            },
        )
        items = items_for(questionnaire=questionnaire, audience=audience)
        for n in range(round_.responses.count(), count):
            response = Response.objects.create(
                round=round_,
                submitted_on=round_.opens_on + dt.timedelta(days=n),
                source=ResponseSource.PAPER if n % 3 == 0 else ResponseSource.ONLINE,
                sheet_number=n + 1 if n % 3 == 0 else None,
                submission_key=hashlib.sha256(f"riverside-{round_.pk}-{n}".encode()).hexdigest(),
            )
            answers = _answers(items, n + 1)
            Answer.objects.bulk_create(
                Answer(
                    response=response,
                    item=item,
                    value="" if item.answer_type == AnswerType.TEXT else answers[item.pk],
                    text=answers[item.pk] if item.answer_type == AnswerType.TEXT else "",
                )
                for item in items
                if item.pk in answers
            )
        if round_.sheets_issued < count:
            Round.objects.filter(pk=round_.pk).update(sheets_issued=count)
        fragments.touch(portfolio_scope(portfolio.pk))


def seed_questionnaires(demo: DemoNetwork) -> None:
    portfolios = demo.extra.get("portfolios", {})
    ward, riverside = portfolios.get("demo_ward"), portfolios.get("riverside")
    if ward is None:
        return
    questionnaire = _questionnaire(ward)
    if questionnaire is None:
        demo.notes.append("Questionnaires: no questionnaire set for these standards; none seeded.")
        return
    _demo_ward(demo, ward, questionnaire)
    if riverside is not None and riverside.framework_id == questionnaire.framework_id:
        _riverside(riverside, questionnaire)
