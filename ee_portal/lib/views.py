"""Small view helpers shared by the apps."""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest
from django.utils.translation import gettext


def admin_required(view: Callable) -> Callable:
    """Signed in and a CCQI admin; anyone else gets a 404 (no existence leak)."""

    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs):
        if not request.user.is_ccqi_admin:
            raise Http404
        return view(request, *args, **kwargs)

    return wrapper


def error_text(exc: Exception) -> str:
    """The plain text of a service's refusal: a ValidationError's messages joined, else the
    exception's own message."""
    if isinstance(exc, ValidationError):
        return " ".join(exc.messages)
    return str(exc) or gettext("That is not allowed.")


@dataclass
class Refusal:
    text: str = ""

    def __bool__(self) -> bool:
        return bool(self.text)


@contextmanager
def refusal_message(request: HttpRequest, *errors: type[Exception]) -> Iterator[Refusal]:
    """Show a service's ValidationError (or one of ``errors``, the app's own) as an error
    message instead of a 500; the block's outcome says whether it was refused.

        with refusal_message(request, InvalidTransitionError) as refused:
            report_release(report=report, actor=request.user)
        if not refused:
            messages.success(request, "Released.")

    Use it outside any transaction.atomic() block: services roll their own writes back.
    """
    refusal = Refusal()
    caught: tuple[type[Exception], ...] = (ValidationError, *errors)
    try:
        yield refusal
    except caught as exc:
        refusal.text = error_text(exc)
        messages.error(request, refusal.text)
