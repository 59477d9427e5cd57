"""One helper renders every email from templates/emails/<name>-subject.txt|-body.txt|-body.html."""

from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string


def make_message(name: str, to: Iterable[str], context: dict[str, Any]) -> EmailMultiAlternatives:
    ctx = {"site_url": settings.EE_SITE_URL, **context}
    subject = render_to_string(f"emails/{name}-subject.txt", ctx).strip().replace("\n", " ")
    text = render_to_string(f"emails/{name}-body.txt", ctx)
    html = render_to_string(f"emails/{name}-body.html", ctx)
    msg = EmailMultiAlternatives(subject=subject, body=text, to=list(to))
    msg.attach_alternative(html, "text/html")
    return msg


def send_templated_email(name: str, to: Iterable[str], context: dict[str, Any]) -> int:
    """Render and send now. Call from a Celery task, queued with transaction.on_commit."""
    recipients = [addr for addr in to if addr]
    if not recipients:
        return 0
    return make_message(name, recipients, context).send()
