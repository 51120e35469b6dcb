import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, hotp_value
from django.test import Client
from django.urls import reverse
from rest_framework.authtoken.models import Token

from federation import events, services
from federation.events import user_group
from federation.models import SecurityEvent
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _axes_on(settings):
    settings.AUTHENTICATION_BACKENDS = [
        "axes.backends.AxesStandaloneBackend",
        *settings.AUTHENTICATION_BACKENDS,
    ]


ROOT = Path(__file__).resolve().parents[2]


def _sign_in(email, password=PASSWORD):
    browser = Client()
    response = browser.post(reverse("account_login"), {"login": email, "password": password})
    return browser, response


def test_sign_ins_and_failures_are_audited():
    user = UserFactory(email="audit@example.org")
    _sign_in("audit@example.org", "mauvais")
    _browser, response = _sign_in("audit@example.org")
    assert response.status_code == 302
    kinds = list(SecurityEvent.objects.order_by("created_at").values_list("kind", "email"))
    assert kinds == [("login_failed", "audit@example.org"), ("login", user.email)]


def test_repeated_failures_lock_the_account_out_on_the_form_and_the_api(settings, api):
    settings.AXES_FAILURE_LIMIT = 3
    UserFactory(email="cible@example.org")
    for _ in range(3):
        _sign_in("cible@example.org", "mauvais")
    _browser, response = _sign_in("cible@example.org")  # right password, but locked
    assert response.status_code == 429
    assert "Trop de tentatives" in response.content.decode()
    token = api().post(
        reverse("api-token"), {"email": "cible@example.org", "password": PASSWORD}, format="json"
    )
    assert token.status_code == 429
    assert token.json()["code"] == "locked_out"
    assert SecurityEvent.objects.filter(kind="lockout").exists()


def test_role_changes_and_removals_are_audited_and_close_live_access(
    world, monkeypatch, django_capture_on_commit_callbacks
):
    sent = []
    monkeypatch.setattr(events, "send_event", lambda groups, event: sent.append((groups, event)))
    with django_capture_on_commit_callbacks(execute=True):
        services.membership_set(
            actor=world.coordinator_a, cpts=world.cpts_a, user=world.member_a, role="bureau"
        )
        services.membership_remove(actor=world.coordinator_a, cpts=world.cpts_a, user=world.member_a)
    revoked = [(groups, event) for groups, event in sent if event["type"] == "access.revoked"]
    # The role change (a role may see less than another) and the removal each tell the sockets.
    assert (
        revoked
        == [([user_group(world.member_a.pk)], {"type": "access.revoked", "user": world.member_a.pk})] * 2
    )
    audit = SecurityEvent.objects.filter(subject=world.member_a).order_by("created_at")
    assert [e.kind for e in audit] == ["role_changed", "member_removed"]
    assert audit[0].detail == {"cpts": "alpha", "from": "member", "to": "bureau"}
    assert audit[0].actor == world.coordinator_a


def test_disabling_an_account_ends_its_sessions_and_tokens(world):
    browser, _response = _sign_in(world.member_a.email)
    home = reverse("cpts-home", kwargs={"cpts_slug": "alpha"})
    assert browser.get(home).status_code == 200
    Token.objects.create(user=world.member_a)
    services.user_deactivate(actor=world.staff, user=world.member_a)
    assert browser.get(home).status_code == 302  # back to the sign-in page
    assert not Token.objects.filter(user=world.member_a).exists()
    assert SecurityEvent.objects.filter(kind="account_disabled", subject=world.member_a).exists()


def test_mfa_can_be_enforced_per_role(world, settings, web, api):
    settings.MFA_REQUIRED_ROLES = ["coordinator", "staff"]
    page = web(world.coordinator_a).get(reverse("cpts-home", kwargs={"cpts_slug": "alpha"}))
    assert page.status_code == 302 and page.url == reverse("mfa_activate_totp")
    token = Token.objects.create(user=world.coordinator_a)
    client = api()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    denied = client.get(reverse("api-me"))
    assert denied.status_code == 403 and denied.json()["code"] == "mfa_required"
    assert web(world.coordinator_a).get(reverse("api-me")).json()["code"] == "mfa_required"
    assert web(world.member_a).get(reverse("cpts-home", kwargs={"cpts_slug": "alpha"})).status_code == 200
    TOTP.activate(world.coordinator_a, "JBSWY3DPEHPK3PXP")
    assert client.get(reverse("api-me")).status_code == 200


def test_token_needs_the_totp_code_once_mfa_is_on(world, api):
    TOTP.activate(world.member_a, "JBSWY3DPEHPK3PXP")
    url = reverse("api-token")
    credentials = {"email": world.member_a.email, "password": PASSWORD}
    missing = api().post(url, credentials, format="json")
    # The same answer as a wrong password (issue 17, item 2): the message names every factor.
    assert missing.status_code == 400 and missing.json()["code"] == "authorization"
    assert "double authentification" in missing.json()["detail"]
    code = format_hotp_value(hotp_value("JBSWY3DPEHPK3PXP", int(time.time()) // 30))
    assert api().post(url, {**credentials, "code": code}, format="json").status_code == 200


def test_security_headers(world, web, client):
    page = web(world.member_a).get(reverse("cpts-home", kwargs={"cpts_slug": "alpha"}))
    assert "no-store" in page["Cache-Control"]
    assert "camera=()" in page["Permissions-Policy"]
    assert page["X-Content-Type-Options"] == "nosniff"
    assert "no-store" not in client.get("/").get("Cache-Control", "")


def test_check_deploy_is_clean_with_production_settings(tmp_path):
    env = {
        **{k: v for k, v in os.environ.items() if k not in {"DEBUG", "DATABASE_URL"}},
        "PRODUCTION": "1",
        "DEBUG": "0",
        "SECRET_KEY": "k" * 20 + "-production-secret-" + "z" * 20,
        "ALLOWED_HOSTS": "maillage.example.org",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'deploy.sqlite3'}",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_production_refuses_to_start_without_a_secret_key(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "SECRET_KEY"}
    env.update(PRODUCTION="1", DATABASE_URL=f"sqlite:///{tmp_path / 'x.sqlite3'}")
    result = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_api_schema_is_valid_and_private_in_production(client):
    result = subprocess.run(
        [sys.executable, "manage.py", "spectacular", "--fail-on-warn", "--validate", "--file", os.devnull],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-3000:]


def test_content_security_policy_forbids_inline_scripts(client):
    policy = client.get("/")["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";") if part.strip())
    assert directives["script-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'"
    docs = client.get("/api/docs/").content.decode()
    assert "<script>" not in docs.replace(" ", "")


def test_csp_origin_of_a_tile_url_template():
    from config.settings import _origin_pattern

    assert (
        _origin_pattern("https://{s}.tile.openstreetmap.org/{z}/{x}/{y}.png")
        == "https://*.tile.openstreetmap.org"
    )
    assert _origin_pattern("https://tiles.example.org/{z}/{x}/{y}.png") == "https://tiles.example.org"
    assert _origin_pattern("") is None


def test_staff_deactivates_accounts_from_the_admin(world, web):
    browser = web(world.staff)
    world.staff.is_superuser = True
    world.staff.save()
    response = browser.post(
        "/admin/federation/user/",
        {"action": "deactivate", "_selected_action": [world.member_a.pk]},
        follow=True,
    )
    assert response.status_code == 200
    world.member_a.refresh_from_db()
    assert world.member_a.is_active is False
    assert SecurityEvent.objects.filter(
        kind="account_disabled", subject=world.member_a, actor=world.staff
    ).exists()


def test_exports_are_audited(world, api, web):
    assert api(world.member_a).get("/api/directory/fhir/").status_code == 200
    assert web(world.coordinator_a).get("/actions/cpts/alpha/heures.csv").status_code == 200
    exports = list(
        SecurityEvent.objects.filter(kind="export")
        .order_by("created_at")
        .values_list("actor__email", "detail__export")
    )
    assert exports == [(world.member_a.email, "fhir"), (world.coordinator_a.email, "snp_hours_csv")]
