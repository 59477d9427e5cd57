"""Small view helpers shared by the apps."""

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest


def admin_required(view: Callable) -> Callable:
    """Signed in and a CCQI admin; anyone else gets a 404 (no existence leak)."""

    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs):
        if not request.user.is_ccqi_admin:
            raise Http404
        return view(request, *args, **kwargs)

    return wrapper
