"""{{ standard|in_language:"name" }}: a standard's or criterion's text in the reader's language.

Welsh readers see the Welsh text from the standards file (``cy:``); where there is none they
see the English, with lang="en-GB" for screen readers and a visible "English only" mark, so
admins and readers alike can see what is still to translate.
"""

from django import template
from django.utils import translation
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext

from standards.selectors import text_in_language

register = template.Library()


@register.filter
def in_language(obj, field: str) -> SafeString | str:
    if obj is None:
        return ""
    localised = text_in_language(obj, field, translation.get_language())
    if not localised.fallback:
        return localised.text
    return format_html(
        '<span lang="en-GB">{}</span> <span class="badge text-bg-light fw-normal">{}</span>',
        localised.text,
        gettext("English only"),
    )


@register.filter
def plain_in_language(obj, field: str) -> str:
    """The same text without the mark (for <title>, attributes and PDFs' running text)."""
    if obj is None:
        return ""
    return text_in_language(obj, field, translation.get_language()).text


@register.filter
def examples_in_language(criterion) -> list[str]:
    """A criterion's examples of evidence, one per line, in the reader's language."""
    text = text_in_language(criterion, "examples", translation.get_language()).text
    return [line.strip() for line in text.splitlines() if line.strip()]
