"""Issue 17, item 3: forwarded headers are believed only from configured proxies (TRUSTED_PROXIES), in
DRF's throttles, django-axes and the audit alike. The probe of the issue: a fresh X-Forwarded-For per
request lifted the anonymous API rate limit (70 requests, no 429)."""

import pytest
from django.core.cache import cache
from django.test import RequestFactory
from rest_framework.throttling import AnonRateThrottle as DrfAnonRateThrottle

from federation.security import client_ip
from federation.throttling import AnonRateThrottle
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
URL = "/api/auth/token/"


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


def _request(remote, forwarded=None):
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **extra)


def test_forwarded_header_is_ignored_unless_the_peer_is_a_trusted_proxy(settings):
    settings.TRUSTED_PROXIES = []
    assert client_ip(_request("203.0.113.9", "198.51.100.1")) == "203.0.113.9"
    settings.TRUSTED_PROXIES = ["10.0.0.0/8", "2001:db8::/32"]
    # From a trusted proxy: the right-most address that is not a trusted proxy.
    assert client_ip(_request("10.0.0.2", "198.51.100.1, 10.1.2.3")) == "198.51.100.1"
    assert client_ip(_request("2001:db8::5", "198.51.100.7")) == "198.51.100.7"
    # A client prepending its own forged address does not get it believed.
    assert client_ip(_request("10.0.0.2", "1.2.3.4, 198.51.100.1")) == "198.51.100.1"
    # From anyone else, the header is ignored; a malformed chain keeps the peer's address.
    assert client_ip(_request("203.0.113.9", "198.51.100.1")) == "203.0.113.9"
    assert client_ip(_request("10.0.0.2", "not-an-ip")) == "10.0.0.2"


def test_a_fresh_forwarded_header_per_request_no_longer_lifts_the_anonymous_rate(api, monkeypatch):
    monkeypatch.setattr(AnonRateThrottle, "rate", "5/minute", raising=False)
    statuses = [
        api()
        .post(
            URL,
            {"email": "pas-une-adresse"},
            format="json",
            HTTP_X_FORWARDED_FOR=f"198.51.100.{n}",
        )
        .status_code
        for n in range(8)
    ]
    assert statuses[:5] == [400] * 5 and statuses[5:] == [429] * 3


def test_drf_default_ident_ignores_the_header_too(settings):
    """Any throttle still using DRF's own get_ident (NUM_PROXIES = 0)."""
    throttle = DrfAnonRateThrottle()
    assert throttle.get_ident(_request("203.0.113.9", "198.51.100.1")) == "203.0.113.9"


def test_axes_locks_the_client_out_whatever_forwarded_header_it_sends(api, settings):
    settings.AUTHENTICATION_BACKENDS = [
        "axes.backends.AxesStandaloneBackend",
        *settings.AUTHENTICATION_BACKENDS,
    ]
    settings.AXES_FAILURE_LIMIT = 3
    UserFactory(email="cible@example.org")
    statuses = [
        api()
        .post(
            URL,
            {"email": "cible@example.org", "password": "faux"},
            format="json",
            HTTP_X_FORWARDED_FOR=f"198.51.100.{n}",
        )
        .status_code
        for n in range(4)
    ]
    assert statuses[-1] == 429
    from axes.models import AccessAttempt

    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"127.0.0.1"}
