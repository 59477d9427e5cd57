"""Issue 15: plain language. Every sentence-length text of the interface (the English msgids of
the catalogue: messages, help texts, page text, emails) must read easily: Flesch reading ease
of at least 60 ("plain English"; 60-70 suits readers of 13 to 15, higher is easier). The worst
offenders are listed first so they can be rewritten in shorter sentences and everyday words.

Names are not the writer's choice, so the test reads them as one short word: the College's and
the award's names, and every placeholder."""

import re
import statistics

import polib
import pytest
import textstat
from django.conf import settings

MIN_READING_EASE = 60
MIN_AVERAGE = 80
MIN_WORDS = 8  # shorter texts (labels, buttons) have no meaningful score
NAMES = (
    "Royal College of Psychiatrists' Centre for Quality Improvement",
    "Royal College of Psychiatrists",
    "Centre for Quality Improvement",
    "Enabling Environments Award",
    "Enabling Environments",
    "CCQI",
    "EE Portal",
)
CATALOGUE = settings.BASE_DIR / "locale" / "cy" / "LC_MESSAGES" / "django.po"


def plain(text: str) -> str:
    text = re.sub(r"<[^>]+>", " ", text)
    text = re.sub(r"%\(\w+\)[sd]|&\w+;", "Sam", text)
    for name in NAMES:
        text = text.replace(name, "the team")
    return " ".join(text.split())


def reading_ease(text: str) -> float:
    textstat.set_lang("en")
    return textstat.flesch_reading_ease(text)


@pytest.fixture(scope="module")
def texts() -> list[str]:
    entries = polib.pofile(str(CATALOGUE))
    found = {plain(entry.msgid) for entry in entries} | {
        plain(entry.msgid_plural) for entry in entries if entry.msgid_plural
    }
    return sorted(text for text in found if len(text.split()) >= MIN_WORDS)


def test_every_message_and_help_text_is_plain_english(texts):
    assert len(texts) > 300
    scores = sorted((reading_ease(text), text) for text in texts)
    offenders = [f"{score:.0f}: {text}" for score, text in scores if score < MIN_READING_EASE]
    assert offenders == [], "rewrite these in shorter sentences and everyday words"
    assert statistics.mean(score for score, _ in scores) >= MIN_AVERAGE


def test_the_measure_tells_plain_from_dense_english():
    plain_text = "Thank you. Your answers are saved. You can close this page now."
    dense_text = (
        "Notwithstanding the aforementioned considerations, organisational accountability "
        "necessitates comprehensive documentation of institutional responsibilities."
    )
    assert reading_ease(plain(plain_text)) >= MIN_READING_EASE
    assert reading_ease(plain(dense_text)) < MIN_READING_EASE
    assert plain("Welcome to %(name)s, <strong>the CCQI</strong> team") == (
        "Welcome to Sam, the the team team"
    )
