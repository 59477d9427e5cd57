"""ee_portal.lib.http.client_address: the visitor's address behind our own proxies, never one
the visitor wrote (issue 13's throttle, django-axes' lock-outs)."""

import pytest
from django.test import RequestFactory

from ee_portal.lib.http import client_address


@pytest.mark.parametrize(
    ("proxies", "forwarded", "expected"),
    [
        (0, "", "10.0.0.2"),  # no proxy: the peer
        (0, "203.0.113.7", "10.0.0.2"),  # the header is ignored without a proxy of ours
        (1, "203.0.113.7", "203.0.113.7"),  # what our proxy saw
        (1, "1.2.3.4, 203.0.113.7", "203.0.113.7"),  # the visitor's own entry is not trusted
        (2, "1.2.3.4, 203.0.113.7, 10.0.0.9", "203.0.113.7"),  # two proxies of ours
        (2, "203.0.113.7", "10.0.0.2"),  # fewer hops than proxies: only the peer is known
        (1, " , ", "10.0.0.2"),
    ],
)
def test_client_address(settings, proxies, forwarded, expected):
    settings.EE_TRUSTED_PROXIES = proxies
    meta = {"REMOTE_ADDR": "10.0.0.2"}
    if forwarded:
        meta["HTTP_X_FORWARDED_FOR"] = forwarded
    assert client_address(RequestFactory().get("/", **meta)) == expected


def test_sign_in_lock_outs_use_the_same_address(settings):
    from axes.helpers import get_client_ip_address  # noqa: PLC0415

    settings.EE_TRUSTED_PROXIES = 1
    request = RequestFactory().post(
        "/accounts/login/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="203.0.113.7"
    )
    assert get_client_ip_address(request) == "203.0.113.7"
