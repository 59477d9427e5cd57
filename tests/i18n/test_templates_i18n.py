"""Issue 15: every template's visible text is inside a translation tag (CI fails otherwise)."""

from pathlib import Path

from django.conf import settings

from ee_portal.lib.template_text import untranslated_runs, wrap

TEMPLATES = Path(settings.BASE_DIR) / "templates"


def test_no_template_has_visible_text_outside_a_translation_tag():
    offenders = [
        f"{path.relative_to(settings.BASE_DIR)}:{run.line}: {run.text[:70]!r}"
        for path in sorted(TEMPLATES.rglob("*.*"))
        for run in untranslated_runs(path.read_text(encoding="utf-8"))
    ]
    assert offenders == [], (
        "wrap these in {% translate %} / {% blocktranslate %} "
        "(python -m ee_portal.lib.template_text FILE does it), then `make messages`"
    )


def test_the_check_finds_text_attributes_and_sentences_with_variables():
    source = (
        '{% extends "base.html" %}{% block content %}<h1>Hello {{ user.name }}!</h1>'
        '<img alt="A photo"><p title="{% translate "Done" %}">{% translate "Saved" %}</p>'
        "<script>var x = 'not text';</script><!-- a comment --> &nbsp;·"
        "{% comment %}Notes{% endcomment %}{{ note|default:'None yet' }}{% endblock %}"
    )
    runs = untranslated_runs(source)
    assert [(run.text, run.attribute) for run in runs] == [
        ("Hello {{ user.name }}!", ""),
        ("A photo", "alt"),
        ("{{ note|default:'None yet' }}", ""),
    ]


def test_wrapping_keeps_the_english_output(rf):
    from django.template import engines  # noqa: PLC0415 -- the Django engine, as pages use

    source = (
        '<p>Hello {{ person.name|upper }}, you have {{ count }} "new" items.</p>\n'
        '<img alt="A photo of {{ person.name }}">\n<p>Line one\n   line two</p>\n'
    )
    wrapped, by_hand = wrap(source)
    engine = engines["django"]
    context = {"person": {"name": "Ann <b>"}, "count": 3}
    assert by_hand == []
    assert untranslated_runs(wrapped) == []
    assert engine.from_string(wrapped).render(context) == engine.from_string(source).render(context)
