"""The visitor's network address, as far as this deployment can know it.

Behind a reverse proxy every request comes from the proxy, so REMOTE_ADDR alone would put every
visitor in one bucket: the anonymous questionnaire's throttle would stop a whole programme after
its hourly limit, and sign-in lock-outs (django-axes) would count everyone's failures together.
``EE_TRUSTED_PROXIES`` says how many proxies of our own stand in front of the web server; each
appends the address it saw to X-Forwarded-For, so the visitor's is that many entries from the
right. Entries further left were written by the visitor and are never trusted. With no proxies
(the default, and ``make demo``) the header is ignored.

The address is used only as a key for counting (hashed where it is kept: see the callers), never
stored with what a person sends.
"""

from django.conf import settings
from django.http import HttpRequest


def client_address(request: HttpRequest) -> str:
    proxies = getattr(settings, "EE_TRUSTED_PROXIES", 0)
    remote = str(request.META.get("REMOTE_ADDR", ""))
    if proxies <= 0:
        return remote
    hops = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    hops = [hop for hop in hops if hop]
    if len(hops) < proxies:
        return remote  # not through all our proxies: the nearest peer is all we know
    return hops[-proxies]
