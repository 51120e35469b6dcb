"""Cross-tenant and permission probe over the WHOLE API and the pages.

Two tenants built through the services (tests/hostile/tenancy_world.py): CPTS Alpha in the Hérault
federation and CPTS Charlie in the Gard federation, each with one object of every kind. Every operation
of /api/schema/ gets the OTHER tenant's ids and slugs and is called by each persona of the first tenant
(GET and the write methods with a plausible body built from the schema): the answer is 404 (or 403),
never a 2xx with the other tenant's data, never a 500; a refused write leaves the rows it points at, and
the row counts of every project table, as they were. The pages (HTML) likewise, and an ended membership
ends what the member's API token reads.
"""

import datetime as dt
import uuid
from collections import Counter
from dataclasses import dataclass, field

import pytest
from django.core.cache import cache
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone
from rest_framework.test import APIClient

from federation import services as federation_services
from tests import factories
from tests.hostile import probe
from tests.hostile.tenancy_world import build_tenant, gard_people

pytestmark = pytest.mark.django_db

DENIED = {403, 404}
# Operations open to any signed-in user by design, probed on their own in the tests below.
PUBLIC = {
    "GET /api/directory/professionals/{id}/": "the directory is shared, its private fields are not",
    "GET /api/directory/structures/{id}/": "the directory is shared",
    "POST /api/directory/professionals/{id}/report/": "anyone may report an error in a shared entry",
    "POST /api/projet/cpts/{cpts_slug}/join/": "a professional asks any CPTS to join its register",
}


@pytest.fixture(autouse=True)
def _quiet(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.CELERY_TASK_ALWAYS_EAGER = True
    cache.clear()


@pytest.fixture
def tenants(world):
    coordinator_c, fed_coordinator_gard, golf, bureau_golf = gard_people(world)
    alpha = build_tenant(
        "alpha",
        cpts=world.cpts_a,
        fed=world.fed,
        coordinator=world.coordinator_a,
        member=world.member_a,
        fed_coordinator=world.fed_coordinator,
        commune=factories.CommuneFactory(insee_code="34145", name="Lunel", departement=world.fed.departement),
        other_cpts=world.cpts_b,
        other_delegate=world.coordinator_b,
    )
    charlie = build_tenant(
        "charlie",
        cpts=world.cpts_c,
        fed=world.other_fed,
        coordinator=coordinator_c,
        member=world.member_c,
        fed_coordinator=fed_coordinator_gard,
        commune=factories.CommuneFactory(
            insee_code="30189", name="Nîmes", departement=world.other_fed.departement
        ),
        other_cpts=golf,
        other_delegate=bureau_golf,
    )
    return alpha, charlie


def api_client():
    """One client for the whole sweep: each new client loads the middleware again (whitenoise scans the
    static files), ten times the cost of the request itself."""
    c = APIClient()
    c.raise_request_exception = False  # a server error is an answer to report, not a crash of the probe
    return c


@dataclass
class Sweep:
    findings: list = field(default_factory=list)  # what must not happen: 2xx, 5xx, other codes, rows changed
    forbidden: list = field(default_factory=list)  # 403 on an object the persona cannot read (a 404 hides it)
    statuses: Counter = field(default_factory=Counter)
    probed: set = field(default_factory=set)
    skipped: dict = field(default_factory=dict)


def sweep(personas: dict, target, ops, scope=None) -> Sweep:
    """Every operation with an id or a slug, filled with `target`'s, called as each persona (with `scope`:
    only the operations with both a slug and an id, the slug being the personas' own)."""
    result = Sweep()
    counts_before = probe.row_counts()
    c = api_client()
    for op in ops:
        if op.label in PUBLIC:
            result.skipped[op.label] = f"public by design ({PUBLIC[op.label]})"
            continue
        if not op.params:
            result.skipped[op.label] = "no id nor slug in the path"
            continue
        slugs = {"cpts_slug", "federation_slug"} & set(op.params)
        if scope is not None and not (slugs and set(op.params) - probe.NOT_IDS):
            continue
        try:
            url, rows = probe.fill(op, target, scope)
        except probe.NotFillableError as reason:
            result.skipped[op.label] = str(reason)
            continue
        result.probed.add(op.label)
        for name, user in personas.items():
            before = probe.row_state(rows) if op.method != "get" else None
            c.force_authenticate(user)
            kwargs = {}
            if op.method not in ("get", "delete"):
                kwargs = {"data": op.body or {}, "format": "multipart" if op.multipart else "json"}
            r = getattr(c, op.method)(url, **kwargs)
            result.statuses[r.status_code] += 1
            where = f"{op.label} as {name} → {url}"
            if r.status_code >= 500:
                result.findings.append(f"500: {where}")
            elif 200 <= r.status_code < 300:
                result.findings.append(f"{r.status_code} leak: {where}: {r.content[:300]!r}")
            elif r.status_code == 403:
                result.forbidden.append(where)
            elif r.status_code != 404:
                result.findings.append(f"{r.status_code} not denied: {where}: {r.content[:200]!r}")
            if before is not None and probe.row_state(rows) != before:
                result.findings.append(f"row changed: {where}")
    counts_after = probe.row_counts()
    changed = {k: (v, counts_after[k]) for k, v in counts_before.items() if counts_after[k] != v}
    if changed:
        result.findings.append(f"row counts changed: {changed}")
    return result


def report(name, result: Sweep):
    """Printed with -s: the coverage of the sweep, for the record."""
    print(f"\n[{name}] {len(result.probed)} operations probed, {sum(result.statuses.values())} requests")
    print(f"[{name}] statuses: {dict(result.statuses)}")
    print(f"[{name}] 403 (404 expected to hide the object): {len(result.forbidden)}")
    for line in result.forbidden:
        print("   ", line)
    print(f"[{name}] skipped {len(result.skipped)}:")
    for label, reason in sorted(result.skipped.items()):
        print(f"    {label}: {reason}")


@pytest.fixture(scope="module")
def ops():
    return probe.operations(probe.schema())


def test_the_schema_is_walked_whole(ops):
    assert len(ops) > 150
    assert {op.method for op in ops} == {"get", "post", "put", "patch", "delete"}


def test_hérault_personas_never_reach_gard_objects(world, tenants, ops):
    _alpha, charlie = tenants
    personas = {
        "coordinator_a": world.coordinator_a,
        "bureau_a": world.bureau_a,
        "member_a": world.member_a,
        "fed_coordinator": world.fed_coordinator,
        "partner_delegate": world.partner_delegate,
        "outsider": world.outsider,
    }
    result = sweep(personas, charlie, ops)
    report("Hérault → Gard", result)
    assert len(result.probed) > 130
    assert result.findings == [], "\n".join(result.findings)


def test_gard_personas_never_reach_alpha_objects(world, tenants, ops):
    alpha, charlie = tenants
    personas = {
        "coordinator_c": charlie.coordinator,
        "member_c": world.member_c,
        "fed_coordinator_gard": charlie.fed_coordinator,
    }
    result = sweep(personas, alpha, ops)
    report("Gard → Alpha", result)
    assert len(result.probed) > 130
    assert result.findings == [], "\n".join(result.findings)


def test_foreign_ids_under_ones_own_slug_are_not_found(world, tenants, ops):
    """/api/governance/federations/<Hérault>/meetings/<a Gard meeting>/: the id is checked against the slug."""
    alpha, charlie = tenants
    personas = {
        "coordinator_a": world.coordinator_a,
        "member_a": world.member_a,
        "fed_coordinator": world.fed_coordinator,
    }
    result = sweep(personas, charlie, ops, scope=alpha)
    report("Hérault slug + Gard ids", result)
    assert len(result.probed) > 20
    assert result.findings == [], "\n".join(result.findings)


def test_the_probe_is_not_vacuous(world, tenants, ops):
    """The very URLs the sweeps call answer 2xx to the tenant's own people: a 404 above means refused,
    not mistyped."""
    _alpha, charlie = tenants
    owners = [charlie.coordinator, charlie.fed_coordinator, charlie.member]
    c = api_client()
    reached, missed = [], []
    for op in ops:
        if op.method != "get" or op.label in PUBLIC or not op.params:
            continue
        try:
            url, _rows = probe.fill(op, charlie)
        except probe.NotFillableError:
            continue
        statuses = []
        for user in owners:
            c.force_authenticate(user)
            statuses.append(c.get(url).status_code)
        (reached if any(200 <= s < 300 for s in statuses) else missed).append(f"{op.label} {url} {statuses}")
    print(f"\n[control] {len(reached)} GET operations reached by their owners; not reached:")
    for line in missed:
        print("   ", line)
    assert not [m for m in missed if " 500" in m or ", 500" in m]
    assert len(reached) >= 0.9 * (len(reached) + len(missed)), "\n".join(missed)


# --- Pages (HTML) -------------------------------------------------------------------------------------

PAGE_PARAMS = {
    "cpts_slug": lambda t, route: t.cpts.slug,
    "federation_slug": lambda t, route: t.fed.slug,
    "meeting_id": lambda t, route: (
        (t.objects["gov_meeting"] if "gouvernance" in route else t.objects["sa_meeting"]).pk
    ),
    "poll_id": lambda t, route: t.objects["poll"].pk,
    "user_id": lambda t, route: t.member.pk,
    "invitation_id": lambda t, route: t.objects["invitation"].pk,
    "token_id": lambda t, route: probe.tokens.token_public_id(t.token),
    "document_id": lambda t, route: t.objects["document"].pk,
    "number": lambda t, route: 1,
    "roster_id": lambda t, route: t.objects["roster"].pk,
    "shift_id": lambda t, route: t.objects["shift"].pk,
    "assignment_id": lambda t, route: t.objects["assignment"].pk,
    "swap_id": lambda t, route: t.objects["swap"].pk,
    "action": lambda t, route: "approve",
    "feed_id": lambda t, route: t.objects["feed"].pk,
    "campaign_id": lambda t, route: t.objects["campaign"].pk,
    "action_id": lambda t, route: t.objects["campaign_action"].pk,
    "member_id": lambda t, route: t.objects["register_member"].pk,
    "fiche_id": lambda t, route: t.objects["fiche"].pk,
    "fmt": lambda t, route: "pdf" if "dossiers" in route else "xlsx",
    "pk": lambda t, route: (t.objects["review_pack"] if "dossiers" in route else t.objects["indicator"]).pk,
}
# Pages open by design or reached by a secret rather than a session.
PUBLIC_PAGES = ("annuaire/", "invitation/<str:token>/", "actions/ical/")


def html_routes():
    def walk(patterns, prefix=""):
        for p in patterns:
            if isinstance(p, URLResolver):
                yield from walk(p.url_patterns, prefix + str(p.pattern))
            elif isinstance(p, URLPattern):
                yield prefix + str(p.pattern), p

    for route, pattern in walk(get_resolver().url_patterns):
        if "<" in route and not route.startswith(("api/", "admin/", "accounts/", "^")):
            yield route, pattern


def page_url(route, tenant, scope=None):
    import re

    scope = scope or tenant

    def value(match):
        name = match.group(2)
        if name in ("cpts_slug", "federation_slug"):
            return str(PAGE_PARAMS[name](scope, route))
        return str(PAGE_PARAMS[name](tenant, route))

    return "/" + re.sub(r"<(\w+:)?(\w+)>", value, route)


def test_pages_of_the_other_federation_are_not_found(world, tenants, web):
    """The federation view of a CPTS, the cockpit, the territory, missions, projet and register pages of
    the Gard federation: 404 for the Hérault federation's coordinator and Alpha's coordinator, on GET and
    on POST (rows unchanged); the same with their own slug and a Gard id."""
    alpha, charlie = tenants
    findings, probed, skipped = [], 0, []
    counts_before = probe.row_counts()
    browsers = {"fed_coordinator": web(world.fed_coordinator), "coordinator_a": web(world.coordinator_a)}
    for browser in browsers.values():
        browser.raise_request_exception = False
    for route, pattern in html_routes():
        if route.startswith(PUBLIC_PAGES):
            skipped.append(route)
            continue
        names = set(pattern.pattern.converters)
        urls = {page_url(route, charlie)}
        if names & {"cpts_slug", "federation_slug"} and names - probe.NOT_IDS:
            urls.add(page_url(route, charlie, scope=alpha))
        if route.startswith("federation/<slug:federation_slug>/cpts/"):
            urls.add(
                f"/federation/{world.fed.slug}/cpts/{world.cpts_c.slug}/"
            )  # own federation, foreign CPTS
        probed += 1
        for url in sorted(urls):
            for name, browser in browsers.items():
                for method in ("get", "post"):
                    r = getattr(browser, method)(url)
                    if r.status_code not in (403, 404, 405):
                        findings.append(f"{r.status_code}: {method.upper()} {url} as {name}")
    changed = {k: v for k, v in probe.row_counts().items() if counts_before[k] != v}
    print(f"\n[pages] {probed} page routes probed, skipped (public by design or by secret): {skipped}")
    assert probed > 60
    assert not changed, changed
    assert findings == [], "\n".join(findings)


# --- An ended membership ends what the token reads ----------------------------------------------------


def test_a_removed_member_token_no_longer_reads_the_cpts(world, tenants, django_capture_on_commit_callbacks):
    """member_a's API token, before and after Alpha's coordinator removes them from Alpha (through the
    service, its on-commit effects run as after a real commit). Left out: the Alpha meeting member_a was
    invited to, which invitees keep by design (shared_actions/meetings/access.py `access_meeting`)."""
    alpha, _charlie = tenants
    o = alpha.objects
    urls = [
        "/api/cpts/alpha/",
        "/api/cpts/alpha/members/",
        f"/api/shared-actions/rosters/{o['roster'].pk}/",
        f"/api/shared-actions/documents/{o['document'].pk}/",
        f"/api/messaging/conversations/{o['conversation'].pk}/messages/",
        f"/api/messaging/messages/{o['message'].pk}/",
        f"/api/messaging/conversations/{o['group'].pk}/",
        f"/api/shared-actions/campaigns/{o['campaign'].pk}/",
        f"/api/governance/federations/{world.fed.slug}/",
        "/api/missions/cpts/alpha/contract/",
        f"/api/missions/indicators/{o['indicator'].pk}/",
        "/api/projet/cpts/alpha/register/",
        f"/api/projet/cpts/alpha/fiches/{o['draft_fiche'].pk}/",
        "/api/projet/cpts/alpha/health-project/",
    ]
    c = api_client()
    c.credentials(HTTP_AUTHORIZATION=f"Token {alpha.token.key}")
    before = {url: c.get(url).status_code for url in urls}
    assert before == dict.fromkeys(urls, 200)
    with django_capture_on_commit_callbacks(execute=True):
        federation_services.membership_remove(
            actor=world.coordinator_a, cpts=world.cpts_a, user=world.member_a
        )
    after = {url: c.get(url).status_code for url in urls}
    assert after == dict.fromkeys(urls, 404)


# --- Writes into one's own tenant that point at the other tenant's rows ---------------------------------


def injections(world, alpha, charlie):
    """(persona, method, URL of one's own tenant, body naming a Gard/Charlie row)."""
    a, c = alpha.objects, charlie.objects
    soon = (timezone.now() + dt.timedelta(days=12)).replace(microsecond=0)
    later = soon + dt.timedelta(hours=2)
    fed_member_c = world.other_fed.members.get(cpts=world.cpts_c)
    return [
        ("coordinator_a", "/api/shared-actions/rosters/", {"name": "SNP", "cpts": "charlie"}),
        (
            "fed_coordinator",
            "/api/shared-actions/rosters/",
            {"name": "SNP", "federation": world.fed.slug, "participants": ["alpha", "charlie"]},
        ),
        (
            "coordinator_a",
            "/api/shared-actions/meetings/",
            {"title": "R", "start": soon.isoformat(), "end": later.isoformat(), "cpts": "charlie"},
        ),
        (
            "coordinator_a",
            "/api/shared-actions/meetings/",
            {
                "title": "R",
                "start": soon.isoformat(),
                "end": later.isoformat(),
                "cpts": "alpha",
                "campaign": c["campaign"].pk,
            },
        ),
        (
            "fed_coordinator",
            "/api/shared-actions/campaigns/",
            {
                "federation": world.fed.slug,
                "title": "Campagne",
                "theme": "octobre_rose",
                "start_date": soon.date().isoformat(),
                "end_date": later.date().isoformat(),
                "lead_cpts": "charlie",
                "participants": ["alpha", "charlie"],
            },
        ),
        ("member_a", "/api/shared-actions/swaps/", {"kind": "replacement", "assignment": c["assignment"].pk}),
        (
            "member_a",
            "/api/shared-actions/swaps/",
            {"kind": "swap", "assignment": a["assignment"].pk, "counterpart": c["assignment"].pk},
        ),
        ("member_a", "/api/shared-actions/feeds/", {"roster": c["roster"].pk}),
        (
            "coordinator_a",
            f"/api/shared-actions/rosters/{a['roster'].pk}/shifts/",
            {"site": c["site"].pk, "start": soon.isoformat(), "end": later.isoformat(), "required_count": 1},
        ),
        ("coordinator_a", f"/api/shared-actions/shifts/{a['shift'].pk}/assignments/", {"cpts": "charlie"}),
        (
            "coordinator_a",
            f"/api/shared-actions/shifts/{a['shift'].pk}/assignments/",
            {"user": world.member_c.pk},
        ),
        (
            "member_a",
            "/api/messaging/conversations/",
            {"kind": "direct", "federation": world.fed.slug, "members": [world.member_c.pk]},
        ),
        (
            "member_a",
            "/api/messaging/conversations/",
            {"kind": "group", "title": "G", "federation": world.other_fed.slug, "members": []},
        ),
        (
            "coordinator_a",
            f"/api/messaging/conversations/{a['group'].pk}/members/",
            {"user": world.member_c.pk},
        ),
        (
            "member_a",
            f"/api/messaging/conversations/{a['conversation'].pk}/messages/",
            {"body": "Réponse", "client_id": str(uuid.uuid4()), "reply_to": c["message"].pk},
        ),
        (
            "fed_coordinator",
            f"/api/governance/federations/{world.fed.slug}/delegates/",
            {"cpts": "charlie", "user": world.member_c.pk},
        ),
        (
            "fed_coordinator",
            f"/api/governance/federations/{world.fed.slug}/fees/",
            {"member": fed_member_c.pk, "year": 2026, "amount": "10.00"},
        ),
        (
            "fed_coordinator",
            f"/api/governance/federations/{world.fed.slug}/polls/",
            {"title": "Motion", "meeting": c["gov_meeting"].pk},
        ),
        ("coordinator_a", f"/api/projet/library/{a['fiche'].pk}/copy/", {"cpts": "charlie"}),
    ]


def test_writes_into_ones_own_tenant_never_take_the_other_tenants_rows(world, tenants):
    alpha, charlie = tenants
    users = {
        "coordinator_a": world.coordinator_a,
        "member_a": world.member_a,
        "fed_coordinator": world.fed_coordinator,
    }
    c = api_client()
    findings = []
    cases = injections(world, alpha, charlie)
    for persona, url, body in cases:
        before = probe.row_counts()
        c.force_authenticate(users[persona])
        r = c.post(url, body, format="json")
        changed = {k: v for k, v in probe.row_counts().items() if before[k] != v}
        print(f"    {r.status_code} {r.json().get('code')} POST {url} as {persona}")
        if r.status_code >= 500 or 200 <= r.status_code < 300 or changed:
            findings.append(f"{r.status_code} POST {url} as {persona} {body}: {r.content[:200]!r} {changed}")
    print(f"\n[injections] {len(cases)} writes naming the other tenant's rows")
    assert findings == [], "\n".join(findings)


# --- The shared directory: readable across tenants, its private fields are not ----------------------------


def test_the_shared_directory_keeps_private_fields_within_their_tenant(world, tenants):
    """The directory is shared by design (DESIGN.md, Tenancy): a Charlie professional is readable from
    Hérault, but not their federation-wide, CPTS-only or hidden fields."""
    _alpha, charlie = tenants
    pro = charlie.objects["professional"]
    pro.mobile_phone, pro.mssante, pro.email = "0611111111", "secret@kine.mssante.fr", "perso@example.org"
    pro.visibility = {"mssante": "cpts", "email": "hidden"}
    pro.save()
    c = api_client()
    c.force_authenticate(charlie.member)
    own = c.get(f"/api/directory/professionals/{pro.pk}/").json()
    assert own["mobile_phone"] == "0611111111" and own["mssante"] == "secret@kine.mssante.fr"
    for name in ("coordinator_a", "bureau_a", "member_a", "fed_coordinator", "partner_delegate", "outsider"):
        c.force_authenticate(getattr(world, name))
        r = c.get(f"/api/directory/professionals/{pro.pk}/")
        assert r.status_code == 200, name
        body = r.content.decode()
        assert "0611111111" not in body and "secret@kine" not in body and "perso@example" not in body, name
        assert r.json()["can_edit"] is False


# --- Within one federation: another CPTS's own rows stay its own -------------------------------------------

# Federation-wide by design: governance, campaigns (and their actions, tasks, indicators), the agenda, the
# people of the federation, the library of published fiches.
FEDERATION_WIDE = (
    "{federation_slug}",
    "/api/shared-actions/campaigns/",
    "/api/shared-actions/campaign-actions/",
    "/api/shared-actions/tasks/",
    "/api/projet/library/",
)


def test_bravo_personas_never_reach_alpha_own_rows(world, tenants, ops):
    """CPTS Bravo, in the same federation as Alpha: Alpha's documents, rosters, shifts, meetings, channel,
    messages, contract, indicators, register, projet, draft fiches, invitations, members: 404 (or 403)."""
    alpha, _charlie = tenants
    cpts_ops = [op for op in ops if not any(part in op.path for part in FEDERATION_WIDE)]
    personas = {"coordinator_b": world.coordinator_b, "member_b": world.member_b}
    result = sweep(personas, alpha, cpts_ops)
    report("Bravo → Alpha (CPTS rows)", result)
    assert len(result.probed) > 90
    assert result.findings == [], "\n".join(result.findings)


# --- Lists: no row of the other federation in what one's own lists return ----------------------------------

# Shared reference data or the shared directory (its own visibility tests cover it).
SHARED_LISTS = ("/api/directory/", "/api/communes/", "/api/missions/aci/")
GARD_MARKERS = ("charlie", "inter-cpts-30", "Gard")


def test_lists_never_hold_the_other_federations_rows(world, tenants, ops):
    _alpha, charlie = tenants
    lists = [
        op for op in ops if op.method == "get" and not op.params and not op.path.startswith(SHARED_LISTS)
    ]
    c = api_client()
    findings = []
    for name in ("coordinator_a", "bureau_a", "member_a", "fed_coordinator", "partner_delegate", "outsider"):
        c.force_authenticate(getattr(world, name))
        for op in lists:
            r = c.get(op.path)
            text = r.content.decode(errors="replace")
            if r.status_code >= 500 or any(marker in text for marker in GARD_MARKERS):
                findings.append(f"{r.status_code} GET {op.path} as {name}: {text[:300]}")
    # The markers do show in the Gard people's own lists: their absence above means something.
    seen = set()
    for user in (charlie.coordinator, charlie.member, charlie.fed_coordinator):
        c.force_authenticate(user)
        seen |= {op.path for op in lists if any(m in c.get(op.path).content.decode() for m in GARD_MARKERS)}
    print(
        f"\n[lists] {len(lists)} list operations read by 6 personas; markers seen by Gard in {sorted(seen)}"
    )
    assert len(lists) > 15 and len(seen) >= 8
    assert findings == [], "\n".join(findings)
