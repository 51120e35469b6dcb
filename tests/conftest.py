"""Personas shared by the whole suite (healthchecks' hc/test.py pattern).

Two federations: Hérault (CPTS A and B, a partner) and Gard (CPTS C); CPTS D belongs to none.
Every endpoint gets an ownership test (a user of another CPTS → 404) and a permission test (→ 403).
"""

from dataclasses import dataclass

import pytest
from rest_framework.test import APIClient

from federation.models import CptsRole, FederationRole
from tests import factories

pytest_plugins = ["tests.browser"]


@pytest.fixture(autouse=True)
def _test_settings(settings, request):
    if "server" not in request.fixturenames:
        # Fast hashing, except when a real server process must check the passwords we set.
        settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # django-axes refuses authenticate() calls without a request, which Client.login() makes;
    # the lockout tests put it back (tests/federation/test_security.py).
    settings.AUTHENTICATION_BACKENDS = [
        b for b in settings.AUTHENTICATION_BACKENDS if not b.startswith("axes.")
    ]
    # Pages render without a prior collectstatic (the manifest storage needs one).
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@dataclass
class World:
    fed: object  # Hérault federation
    other_fed: object  # Gard federation
    cpts_a: object
    cpts_b: object
    cpts_c: object  # in the other federation
    cpts_d: object  # in no federation
    partner: object
    coordinator_a: object
    bureau_a: object
    member_a: object
    member_b: object
    coordinator_b: object
    member_c: object
    outsider: object  # signed-in user with no membership at all
    partner_delegate: object
    fed_coordinator: object
    staff: object


@pytest.fixture
def world(db) -> World:
    return make_world()


def make_world() -> World:
    """The personas, for code that runs outside a test function (benchmarks, scripts)."""
    herault = factories.DepartementFactory(code="34", name="Hérault")
    gard = factories.DepartementFactory(code="30", name="Gard")
    fed = factories.FederationFactory(name="Inter-CPTS Hérault", slug="inter-cpts-34", departement=herault)
    other_fed = factories.FederationFactory(name="Inter-CPTS Gard", slug="inter-cpts-30", departement=gard)
    cpts_a = factories.CptsFactory(name="CPTS Alpha", slug="alpha")
    cpts_b = factories.CptsFactory(name="CPTS Bravo", slug="bravo")
    cpts_c = factories.CptsFactory(name="CPTS Charlie", slug="charlie")
    cpts_d = factories.CptsFactory(name="CPTS Delta", slug="delta")
    for cpts, federation in ((cpts_a, fed), (cpts_b, fed), (cpts_c, other_fed)):
        factories.FederationMemberFactory(federation=federation, cpts=cpts)
    partner = factories.PartnerFactory(federation=fed, name="DAC 34", slug="dac-34")

    def member(cpts, role, email):
        return factories.MembershipFactory(cpts=cpts, role=role, user=factories.UserFactory(email=email)).user

    partner_delegate = factories.UserFactory(email="delegue@dac34.example.org")
    factories.FederationRoleFactory(
        user=partner_delegate, federation=fed, role=FederationRole.Role.PARTNER_DELEGATE, partner=partner
    )
    fed_coordinator = factories.UserFactory(email="coordination@inter34.example.org")
    factories.FederationRoleFactory(
        user=fed_coordinator, federation=fed, role=FederationRole.Role.COORDINATOR
    )
    return World(
        fed=fed,
        other_fed=other_fed,
        cpts_a=cpts_a,
        cpts_b=cpts_b,
        cpts_c=cpts_c,
        cpts_d=cpts_d,
        partner=partner,
        coordinator_a=member(cpts_a, CptsRole.COORDINATOR, "coord@alpha.example.org"),
        bureau_a=member(cpts_a, CptsRole.BUREAU, "bureau@alpha.example.org"),
        member_a=member(cpts_a, CptsRole.MEMBER, "membre@alpha.example.org"),
        member_b=member(cpts_b, CptsRole.MEMBER, "membre@bravo.example.org"),
        coordinator_b=member(cpts_b, CptsRole.COORDINATOR, "coord@bravo.example.org"),
        member_c=member(cpts_c, CptsRole.MEMBER, "membre@charlie.example.org"),
        outsider=factories.UserFactory(email="personne@example.org"),
        partner_delegate=partner_delegate,
        fed_coordinator=fed_coordinator,
        staff=factories.UserFactory(email="staff@example.org", is_staff=True),
    )


@pytest.fixture
def api():
    """`api(user)` returns an API client authenticated as `user` (anonymous with None)."""

    def make(user=None):
        client = APIClient()
        if user is not None:
            client.force_authenticate(user)
        return client

    return make


@pytest.fixture
def web():
    """`web(user)` returns a Django test client logged in as `user`."""

    def make(user=None):
        from django.test import Client

        browser = Client()
        if user is not None:
            browser.force_login(user)
        return browser

    return make
