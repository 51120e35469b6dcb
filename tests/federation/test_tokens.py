"""Issue 17, items 1, 2 and 5: the token endpoint under the second-factor policy and django-axes, tokens
that expire, that their owners list and revoke."""

import datetime
import time

import pytest
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, hotp_value
from django.urls import reverse
from django.utils import timezone
from rest_framework.authtoken.models import Token

from federation.models import SecurityEvent
from federation.tokens import api_tokens_delete_expired
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

SECRET = "JBSWY3DPEHPK3PXP"
URL = "/api/auth/token/"


@pytest.fixture(autouse=True)
def _axes_on(settings):
    settings.AUTHENTICATION_BACKENDS = [
        "axes.backends.AxesStandaloneBackend",
        *settings.AUTHENTICATION_BACKENDS,
    ]


def _code(offset: int = 0) -> str:
    return format_hotp_value(hotp_value(SECRET, int(time.time()) // 30 + offset))


def _wrong_code() -> str:
    right = {_code(-1), _code(0), _code(1)}
    return next(c for c in ("000000", "111111", "222222") if c not in right)


# --- item 2: one answer whatever factor failed; wrong codes lock out -------------------------------
def test_token_endpoint_gives_the_same_answer_whichever_factor_failed(world, api):
    TOTP.activate(world.member_a, SECRET)
    email = world.member_a.email
    wrong_password = api().post(URL, {"email": email, "password": "faux", "code": _code()}, format="json")
    no_code = api().post(URL, {"email": email, "password": PASSWORD}, format="json")
    wrong_code = api().post(URL, {"email": email, "password": PASSWORD, "code": _wrong_code()}, format="json")
    unknown = api().post(URL, {"email": "personne@nulle-part.fr", "password": "x"}, format="json")
    answers = {(r.status_code, r.content) for r in (wrong_password, no_code, wrong_code, unknown)}
    assert len(answers) == 1, answers
    body = wrong_password.json()
    assert wrong_password.status_code == 400
    assert body["code"] == "authorization" and body["fields"] == {}
    assert not Token.objects.filter(user=world.member_a).exists()


def test_wrong_totp_codes_lock_out_like_wrong_passwords(world, api, settings):
    """The issue's attack: 40 wrong codes then the right one gave a token."""
    settings.AXES_FAILURE_LIMIT = 5
    TOTP.activate(world.member_a, SECRET)
    credentials = {"email": world.member_a.email, "password": PASSWORD}
    statuses = [
        api().post(URL, {**credentials, "code": _wrong_code()}, format="json").status_code for _ in range(6)
    ]
    assert statuses[:4] == [400] * 4 and statuses[-1] == 429
    right = api().post(URL, {**credentials, "code": _code()}, format="json")
    assert right.status_code == 429 and right.json()["code"] == "locked_out"
    assert not Token.objects.filter(user=world.member_a).exists()
    assert SecurityEvent.objects.filter(kind="login_failed", email=world.member_a.email).count() >= 4
    assert SecurityEvent.objects.filter(kind="lockout").exists()


def test_success_after_every_factor_resets_the_failure_count(world, api, settings):
    settings.AXES_FAILURE_LIMIT = 3
    TOTP.activate(world.member_a, SECRET)
    credentials = {"email": world.member_a.email, "password": PASSWORD}
    for _ in range(2):
        assert api().post(URL, {**credentials, "code": _wrong_code()}, format="json").status_code == 400
    assert api().post(URL, {**credentials, "code": _code()}, format="json").status_code == 200
    for _ in range(2):  # the counter started again from zero
        assert api().post(URL, {**credentials, "code": _wrong_code()}, format="json").status_code == 400


# --- item 1: no token for a role that must have a second factor and has none -----------------------
def test_token_endpoint_refuses_a_role_that_must_use_a_second_factor(world, api, settings):
    settings.MFA_REQUIRED_ROLES = ["coordinator"]
    credentials = {"email": world.coordinator_a.email, "password": PASSWORD}
    refused = api().post(URL, credentials, format="json")
    assert refused.status_code == 403 and refused.json()["code"] == "mfa_required"
    assert not Token.objects.filter(user=world.coordinator_a).exists()
    TOTP.activate(world.coordinator_a, SECRET)
    assert api().post(URL, {**credentials, "code": _code()}, format="json").status_code == 200
    # A member (role not listed) still gets a token without a second factor.
    assert (
        api().post(URL, {"email": world.member_a.email, "password": PASSWORD}, format="json").status_code
        == 200
    )


# --- item 5: expiry, listing, revocation --------------------------------------------------------------
def test_tokens_expire(world, api, settings):
    settings.API_TOKEN_TTL_DAYS = 30
    issued = api().post(URL, {"email": world.member_a.email, "password": PASSWORD}, format="json")
    assert issued.status_code == 200
    key = issued.json()["token"]
    expires = datetime.datetime.fromisoformat(issued.json()["expires_at"])
    assert abs((expires - timezone.now()) - datetime.timedelta(days=30)) < datetime.timedelta(minutes=1)
    client = api()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert client.get(reverse("api-me")).status_code == 200
    Token.objects.filter(key=key).update(created=timezone.now() - datetime.timedelta(days=31))
    expired = client.get(reverse("api-me"))
    assert expired.status_code in (401, 403) and expired.json()["code"] == "token_expired"
    # Asking again gives a fresh token; the periodic task deletes expired ones.
    again = api().post(URL, {"email": world.member_a.email, "password": PASSWORD}, format="json").json()
    assert again["token"] != key
    Token.objects.filter(key=again["token"]).update(created=timezone.now() - datetime.timedelta(days=40))
    assert api_tokens_delete_expired() == 1
    assert not Token.objects.exists()


def test_users_list_and_revoke_their_tokens_through_the_api(world, api):
    token = Token.objects.create(user=world.member_a)
    other = Token.objects.create(user=world.member_b)
    mine = api(world.member_a).get(reverse("api-my-tokens"))
    assert mine.status_code == 200
    assert [t["id"] for t in mine.json()] == [token.key[:8]]
    assert token.key not in mine.content.decode()  # the key is never shown again
    # Somebody else's token: not found, and still there.
    foreign = api(world.member_a).delete(reverse("api-my-token", args=[other.key[:8]]))
    assert foreign.status_code == 404 and foreign.json()["code"] == "not_found"
    assert Token.objects.filter(pk=other.pk).exists()
    assert api(world.member_a).delete(reverse("api-my-token", args=[token.key[:8]])).status_code == 204
    assert not Token.objects.filter(pk=token.pk).exists()
    assert SecurityEvent.objects.filter(kind="token_revoked", subject=world.member_a).exists()


def test_users_see_and_revoke_their_tokens_in_their_account_page(world, web):
    token = Token.objects.create(user=world.member_a)
    browser = web(world.member_a)
    page = browser.get(reverse("account-tokens"))
    assert page.status_code == 200
    html = page.content.decode()
    assert token.key[:8] in html and token.key not in html
    assert "Révoquer" in html
    revoked = browser.post(reverse("account-token-revoke", args=[token.key[:8]]), follow=True)
    assert revoked.status_code == 200
    assert not Token.objects.filter(pk=token.pk).exists()
    assert "Aucun jeton" in revoked.content.decode()
    other = Token.objects.create(user=world.member_b)
    assert web(world.member_a).post(reverse("account-token-revoke", args=[other.key[:8]])).status_code == 404
    assert Token.objects.filter(pk=other.pk).exists()


def test_inactive_user_gets_the_same_refusal(api):
    UserFactory(email="inactif@example.org", is_active=False)
    response = api().post(URL, {"email": "inactif@example.org", "password": PASSWORD}, format="json")
    assert response.status_code == 400 and response.json()["code"] == "authorization"


def test_the_token_statement_is_prepared_once_per_connection(world, api):
    """PostgreSQL: the statement reading the token, its user and their CPTS on every API request is
    prepared on the connection (planned once, not on every request); a revoked token is still refused."""
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("prepared statements are PostgreSQL's")
    client = api()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=world.member_a).key}")
    for _ in range(6):  # prepared at the 5th run (OPTIONS prepare_threshold)
        assert client.get(reverse("api-me")).json()["email"] == world.member_a.email
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements WHERE NOT from_sql")
        prepared = [row[0] for row in cursor.fetchall()]
    assert any("authtoken_token" in statement for statement in prepared), prepared
    revoked = Token.objects.get(user=world.member_a)
    revoked.delete()
    assert client.get(reverse("api-me")).status_code in (401, 403)
