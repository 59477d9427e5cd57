"""One helper renders every email from templates/emails/<name>-subject.txt|-body.txt|-body.html,
each in its recipient's language (issue 15)."""

from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import translation


def make_message(name: str, to: Iterable[str], context: dict[str, Any]) -> EmailMultiAlternatives:
    """The message in the active language."""
    ctx = {"site_url": settings.EE_SITE_URL, **context}
    subject = render_to_string(f"emails/{name}-subject.txt", ctx).strip().replace("\n", " ")
    text = render_to_string(f"emails/{name}-body.txt", ctx)
    html = render_to_string(f"emails/{name}-body.html", ctx)
    msg = EmailMultiAlternatives(subject=subject, body=text, to=list(to))
    msg.attach_alternative(html, "text/html")
    return msg


def recipient_languages(recipients: list[str], default: str | None = None) -> dict[str, list[str]]:
    """The recipients grouped by the language each reads: a person's own choice
    (User.language), else ``default``, else the site's language. One query."""
    fallback = default or settings.LANGUAGE_CODE
    chosen = dict(
        get_user_model()
        .objects.filter(email__in=[address.lower() for address in recipients])
        .exclude(language="")
        .values_list("email", "language")
    )
    groups: dict[str, list[str]] = {}
    for address in recipients:
        groups.setdefault(chosen.get(address.lower(), fallback), []).append(address)
    return groups


def send_templated_email(
    name: str, to: Iterable[str], context: dict[str, Any], *, language: str | None = None
) -> int:
    """Render and send now, one message per language among the recipients (``language`` for
    those without a choice of their own, such as someone invited who has no account yet).
    Call from a Celery task, queued with transaction.on_commit."""
    recipients = [addr for addr in to if addr]
    if not recipients:
        return 0
    sent = 0
    for lang, group in recipient_languages(recipients, language).items():
        with translation.override(lang):
            sent += make_message(name, group, context).send()
    return sent
