from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


class QuestionnaireStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")
    RETIRED = "retired", _("Retired")


class Audience(models.TextChoices):
    SERVICE_USERS = "service_users", _("Service users and residents")
    STAFF = "staff", _("Staff")
    CARERS = "carers", _("Carers and families")


class AnswerType(models.TextChoices):
    AGREE5 = "agree5", _("Five-point agree scale")
    YES_NO = "yes_no", _("Yes or no")
    TEXT = "text", _("Free text")


# The five-point scale, in the order it is asked; "1" is the key pressed on the data-entry
# screen. Don't know and prefer not to say are answers, but not "answered" for the share.
AGREE_CHOICES: tuple[tuple[str, str | Promise], ...] = (
    ("1", _("Strongly disagree")),
    ("2", _("Disagree")),
    ("3", _("Neither agree nor disagree")),
    ("4", _("Agree")),
    ("5", _("Strongly agree")),
    ("dk", _("Don't know")),
    ("pn", _("Prefer not to say")),
)
AGREE_EASY_CHOICES: tuple[tuple[str, str | Promise], ...] = (
    ("1", _("No, not at all")),
    ("2", _("No")),
    ("3", _("Not sure either way")),
    ("4", _("Yes")),
    ("5", _("Yes, very much")),
    ("dk", _("I don't know")),
    ("pn", _("I'd rather not say")),
)
YES_NO_CHOICES: tuple[tuple[str, str | Promise], ...] = (
    ("yes", _("Yes")),
    ("no", _("No")),
    ("pn", _("Prefer not to say")),
)
SCALE_VALUES = ("1", "2", "3", "4", "5")
AGREED_VALUES = frozenset({"4", "5", "yes"})
# Counted in "who answered": the scale points and yes/no (not don't know, not prefer not to say).
ANSWERED_VALUES = frozenset({*SCALE_VALUES, "yes", "no"})
ANSWER_VALUES = frozenset(v for v, _label in AGREE_CHOICES) | {"yes", "no"}

TEXT_ANSWER_MAX_CHARS = 2000
CONTRIBUTION_TEXT_MAX_CHARS = 5000


class ResponseSource(models.TextChoices):
    ONLINE = "online", _("Online")
    PAPER = "paper", _("Paper")


class ContributionKind(models.TextChoices):
    WRITING = "writing", _("A short piece of writing")
    QUOTE = "quote", _("A quote")
    ARTWORK = "artwork", _("A photo of artwork")


class DocumentKind(models.TextChoices):
    POSTER = "poster", _("Poster")
    PAPER = "paper", _("Paper questionnaire")
    PAPER_EASY = "paper_easy", _("Easy-read paper questionnaire")


class DocumentStatus(models.TextChoices):
    RENDERING = "rendering", _("Being made")
    READY = "ready", _("Ready")
    FAILED = "failed", _("Failed")
