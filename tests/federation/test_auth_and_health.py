import pytest
from channels.db import database_sync_to_async
from channels.testing import ApplicationCommunicator
from django.urls import reverse

from federation.models import SecurityEvent
from federation.ws_auth import TokenOrSessionAuthMiddlewareStack
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def test_token_auth_on_the_api(api):
    user = UserFactory(email="Marie.Curie@example.org")
    response = api().post(
        reverse("api-token"), {"email": "marie.curie@example.org", "password": PASSWORD}, format="json"
    )
    assert response.status_code == 200
    token = response.json()["token"]
    assert SecurityEvent.objects.filter(kind="token_issued", subject=user).count() == 1
    client = api()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    me = client.get(reverse("api-me"))
    assert me.status_code == 200
    assert me.json()["email"] == user.email


def test_unknown_tokens_and_inactive_users_are_refused(api):
    from rest_framework.authtoken.models import Token

    user = UserFactory(email="token@example.org")
    token = Token.objects.create(user=user)
    client = api()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    assert client.get(reverse("api-me")).json()["email"] == user.email
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key[:-1]}x")
    unknown = client.get(reverse("api-me"))
    assert unknown.status_code == 403 and unknown.json()["detail"] == "Token non valide."
    user.is_active = False
    user.save(update_fields=["is_active"])  # any path: the deactivation deletes the tokens (issue 17)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    assert client.get(reverse("api-me")).json()["detail"] == "Token non valide."
    assert not Token.objects.filter(user=user).exists()


def test_token_authentication_loads_the_token_and_its_user_in_one_query(django_assert_num_queries):
    from rest_framework.authtoken.models import Token

    from federation.authentication import MfaAwareTokenAuthentication

    user = UserFactory(email="one-query@example.org")
    key = Token.objects.create(user=user).key
    with django_assert_num_queries(1):
        found, token = MfaAwareTokenAuthentication().authenticate_credentials(key)
        assert found == user and found.email == user.email and found.is_active
        assert token.key == key and token.user is found and not token._state.adding
    assert token.created == Token.objects.get(key=key).created  # loaded when asked for


def test_token_refused_with_a_french_structured_error(api):
    UserFactory(email="a@example.org")
    response = api().post(reverse("api-token"), {"email": "a@example.org", "password": "faux"}, format="json")
    assert response.status_code == 400
    assert "Identifiants incorrects" in response.json()["detail"]
    assert response.json()["code"] == "authorization"


def test_api_needs_authentication(api):
    assert api().get(reverse("api-me")).status_code in (401, 403)


async def _scope_user(headers):
    seen = []

    async def inner(scope, receive, send):
        seen.append(scope["user"])
        await send({"type": "websocket.accept"})

    app = TokenOrSessionAuthMiddlewareStack(inner)
    communicator = ApplicationCommunicator(app, {"type": "websocket", "headers": headers})
    await communicator.send_input({"type": "websocket.connect"})
    await communicator.receive_output()
    return await database_sync_to_async(
        lambda: seen[0]._wrapped if hasattr(seen[0], "_wrapped") else seen[0]
    )()


@pytest.mark.django_db(transaction=True)
async def test_websocket_handshake_accepts_a_token():
    from rest_framework.authtoken.models import Token

    user = await database_sync_to_async(UserFactory)(email="ws@example.org")
    token = await database_sync_to_async(Token.objects.create)(user=user)
    found = await _scope_user([(b"authorization", f"Token {token.key}".encode())])
    assert found.pk == user.pk
    anonymous = await _scope_user([(b"authorization", b"Token not-a-token")])
    assert not anonymous.is_authenticated


def test_healthz_and_readyz_report_each_dependency(client):
    assert client.get("/healthz").json() == {"status": "ok"}
    response = client.get("/readyz")
    assert response.status_code == 200
    checks = response.json()["checks"]
    assert set(checks) == {"database", "channel_layer", "broker"}
    assert all(check["ok"] for check in checks.values())


def test_readyz_reports_a_failing_dependency(client, monkeypatch):
    from federation import health

    def broken():
        raise ConnectionError("redis injoignable")

    monkeypatch.setitem(health.CHECKS, "broker", broken)
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"]["broker"] == {
        "ok": False,
        "error": "ConnectionError: redis injoignable",
        "ms": response.json()["checks"]["broker"]["ms"],
    }


def test_public_pages_and_schema(client):
    assert client.get("/").status_code == 200
    assert client.get("/api/schema/").status_code == 200
    assert client.get("/api/docs/").status_code == 200
    login = client.get(reverse("account_login"))
    assert login.status_code == 200
    assert "Se connecter" in login.content.decode() or "Connexion" in login.content.decode()


def test_signed_in_home_lists_spaces(world, web):
    body = web(world.member_a).get("/").content.decode()
    assert "CPTS Alpha" in body and "Inter-CPTS Hérault" in body
    assert "CPTS Bravo" not in body


def test_static_assets_are_served_locally(client):
    from django.contrib.staticfiles import finders

    assert finders.find("css/maillage.css")
    assert finders.find("drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js")


def test_french_first_whatever_the_browser_says(client, db):
    page = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert 'lang="fr"' in page
    client.cookies["django_language"] = "en"
    assert 'lang="en"' in client.get("/accounts/login/").content.decode()
