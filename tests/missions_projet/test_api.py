"""The register's, the projet's and the fiches' API: one error shape, tenancy (outsider → 404, member without
rights → 403, rows unchanged), and the flows end to end."""

import datetime
import io

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from missions.projet.models import Acknowledgement, FicheAction, MemberStatus, RegisterMember
from missions.projet.register import services as register
from tests.factories import UserFactory

BASE = "/api/projet/cpts"


def test_join_accept_and_export_through_the_api(world, api, make_pro):
    user = UserFactory(email="ide.dupont@example.org")
    pro = make_pro("60", user=user)
    r = api(user).post(f"{BASE}/alpha/join/", {"message": "Bonjour"}, format="json")
    assert r.status_code == 201, r.json()
    member_id = r.json()["id"]
    assert r.json()["status"] == "requested"
    # The requester sees their request; the register stays private to the CPTS's members.
    assert api(user).get("/api/projet/me/adhesions/").json()[0]["status"] == "requested"
    assert api(user).get(f"{BASE}/alpha/register/").status_code == 404
    # A member without rights cannot accept: 403 and nothing changes.
    r = api(world.member_a).post(f"{BASE}/alpha/register/{member_id}/accept/", {}, format="json")
    assert r.status_code == 403
    assert r.json()["code"] == "permission_denied"
    assert RegisterMember.objects.get(pk=member_id).status == MemberStatus.REQUESTED
    r = api(world.coordinator_a).post(
        f"{BASE}/alpha/register/{member_id}/accept/", {"category": "founding"}, format="json"
    )
    assert r.status_code == 200, r.json()
    assert r.json()["status"] == "active"
    assert r.json()["category"] == "founding"
    # The member can now read the register; the export lists them with their status.
    assert api(user).get(f"{BASE}/alpha/register/").json()[0]["name"] == pro.full_name
    r = api(world.coordinator_a).get(f"{BASE}/alpha/register/export.xlsx")
    assert r.status_code == 200
    sheet = load_workbook(io.BytesIO(r.content)).active
    rows = [[c.value for c in row] for row in sheet.iter_rows(min_row=5)]
    assert rows == [
        [
            pro.full_name,
            "Professionnel·le",
            "Infirmier",
            f"RPPS {pro.identifier}",
            "Membre fondateur",
            "Membre",
            rows[0][6],
            None,
        ]
    ]
    r = api(world.member_a).get(f"{BASE}/alpha/register/export.pdf")
    assert r.status_code == 200 and r.content.startswith(b"%PDF")


def test_register_is_private_to_the_cpts(world, api, make_pro, join):
    member = join(world.cpts_a, pro=make_pro("10"))
    for user in (world.member_b, world.outsider, world.fed_coordinator, world.partner_delegate):
        assert api(user).get(f"{BASE}/alpha/register/").status_code == 404
        assert api(user).get(f"{BASE}/alpha/register/{member.pk}/").status_code == 404
        assert api(user).get(f"{BASE}/alpha/register/export.pdf").status_code == 404
    # Another CPTS's coordinator cannot reach the line through their own CPTS either.
    r = api(world.coordinator_b).post(f"{BASE}/bravo/register/{member.pk}/resign/", {}, format="json")
    assert r.status_code == 404
    assert r.json()["code"] == "not_found"
    member.refresh_from_db()
    assert member.status == MemberStatus.ACTIVE


def test_add_and_exclude_need_the_rights(world, api, make_pro, join):
    pro = make_pro("21")
    r = api(world.member_a).post(f"{BASE}/alpha/register/", {"professional": pro.pk}, format="json")
    assert r.status_code == 403
    assert not RegisterMember.objects.exists()
    r = api(world.coordinator_a).post(f"{BASE}/alpha/register/", {"professional": pro.pk}, format="json")
    assert r.status_code == 201 and r.json()["status"] == "awaiting_consent"
    member = join(world.cpts_a, pro=make_pro("10"))
    today = timezone.localdate()
    body = {
        "decided_on": str(today),
        "body": "bureau",
        "reason": "Motif grave",
        "defence_invited_on": str(today - datetime.timedelta(days=10)),
    }
    r = api(world.bureau_a).post(f"{BASE}/alpha/register/{member.pk}/exclude/", body, format="json")
    assert r.status_code == 403
    member.refresh_from_db()
    assert member.status == MemberStatus.ACTIVE
    r = api(world.coordinator_a).post(
        f"{BASE}/alpha/register/{member.pk}/exclude/",
        {**body, "defence_invited_on": str(today + datetime.timedelta(days=1))},
        format="json",
    )
    assert r.status_code == 400
    assert r.json()["code"] == "defence_after_decision"
    assert r.json()["fields"]["defence_invited_on"]
    member.refresh_from_db()
    assert member.status == MemberStatus.ACTIVE
    r = api(world.coordinator_a).post(f"{BASE}/alpha/register/{member.pk}/exclude/", body, format="json")
    assert r.status_code == 200, r.json()
    assert r.json()["exclusion"]["reason"] == "Motif grave"
    history = api(world.coordinator_a).get(f"{BASE}/alpha/register/{member.pk}/").json()["history"]
    assert [h["kind"] for h in history] == ["added", "consented", "excluded"]


def test_consent_and_resignation_from_my_adhesions(world, api, make_pro):
    user = UserFactory()
    pro = make_pro("70", user=user)
    member = register.member_add(actor=world.coordinator_a, cpts=world.cpts_a, professional=pro)
    # Someone else cannot consent for them.
    assert (
        api(world.member_a)
        .post(f"/api/projet/me/adhesions/{member.pk}/consent/", {}, format="json")
        .status_code
        == 404
    )
    r = api(user).post(f"/api/projet/me/adhesions/{member.pk}/consent/", {"accept": True}, format="json")
    assert r.status_code == 200 and r.json()["status"] == "active"
    r = api(user).post(f"/api/projet/me/adhesions/{member.pk}/resign/", {}, format="json")
    assert r.status_code == 200 and r.json()["status"] == "resigned"
    # Resigning lost the CPTS space, never the view of one's own history.
    assert api(user).get("/api/projet/me/adhesions/").json()[0]["status"] == "resigned"


def test_counts_and_ratio_on_a_known_data_set(world, api, make_pro, make_structure, join):
    from tests.factories import CommuneFactory, CptsCommuneFactory

    town = CommuneFactory(population=30_000)
    village = CommuneFactory(population=2_000)
    for commune in (town, village):
        CptsCommuneFactory(cpts=world.cpts_a, commune=commune)
    doctors = [make_pro("10", communes=[town]) for _ in range(4)]
    nurses = [make_pro("60", communes=[village]) for _ in range(10)]
    elsewhere_pharmacist = make_pro("21")  # practises outside the territory, joins anyway
    for pro in doctors[:3] + nurses[:2] + [elsewhere_pharmacist]:
        join(world.cpts_a, pro=pro)
    join(world.cpts_a, structure=make_structure("ehpad"))
    r = api(world.member_a).get(f"{BASE}/alpha/register/stats/")
    assert r.status_code == 200
    stats = r.json()
    assert stats["active"] == 7 and stats["professionals"] == 6 and stats["structures"] == 1
    lines = {line["code"]: line for line in stats["by_profession"]}
    assert lines["10"] == {"code": "10", "label": "Médecin", "members": 3, "practising": 4, "ratio": 0.75}
    assert lines["60"]["members"] == 2 and lines["60"]["practising"] == 10 and lines["60"]["ratio"] == 0.2
    assert lines["21"]["members"] == 1 and lines["21"]["practising"] == 0 and lines["21"]["ratio"] is None
    assert stats["population"] == 32_000 and stats["size_tier"] == 1
    assert stats["threshold"] == 100 and stats["threshold_reached"] is False
    assert stats["warnings"] == [
        {
            "code": "single_statute_category",
            "message": "Tous les membres sont dans la même catégorie statutaire (Membre actif).",
        }
    ]


def test_single_category_of_actors_warning(world, make_pro, make_structure, join):
    # Seed 001: "la CPTS ne peut pas être constituée d'une seule catégorie d'acteurs (exemple : professionnels
    # libéraux de 1er et 2nd recours)."
    from missions.projet.register.selectors import register_stats

    join(world.cpts_a, pro=make_pro("10"))
    join(world.cpts_a, pro=make_pro("70"))
    join(world.cpts_a, structure=make_structure("msp"))  # a practice structure is still "ville"
    codes = [w["code"] for w in register_stats(world.cpts_a).warnings]
    assert "single_actor_category" in codes
    join(world.cpts_a, structure=make_structure("ssiad"))
    assert "single_actor_category" not in [w["code"] for w in register_stats(world.cpts_a).warnings]


FICHE = {
    "title": "Soins non programmés",
    "mission": 1,
    "problem": "Passages évitables aux urgences.",
    "objectives": "Un créneau par jour et par cabinet.",
    "action_lead": "Dr Martin",
    "evaluation_criteria": "Créneaux pourvus.",
}


def test_projet_versions_acknowledgement_and_ready(world, api, make_pro):
    coord = api(world.coordinator_a)
    assert api(world.member_a).post(f"{BASE}/alpha/health-project/", {}, format="json").status_code == 403
    assert (
        coord.post(f"{BASE}/alpha/health-project/", {"title": "Projet Alpha"}, format="json").status_code
        == 201
    )
    r = coord.patch(
        f"{BASE}/alpha/health-project/draft/", {"needs": "Accès aux soins", "missions": [1, 3]}, format="json"
    )
    assert r.status_code == 200 and r.json()["missions"] == [1, 3]
    # A member without rights cannot edit the draft: 403 and the draft is unchanged.
    r = api(world.member_a).patch(f"{BASE}/alpha/health-project/draft/", {"needs": "x"}, format="json")
    assert r.status_code == 403
    assert coord.get(f"{BASE}/alpha/health-project/").json()["draft"]["needs"] == "Accès aux soins"
    r = coord.post(f"{BASE}/alpha/health-project/publish/", {"dated": "2026-11-02"}, format="json")
    assert r.status_code == 200 and r.json()["is_published"] and r.json()["dated"] == "2026-11-02"
    # Ready needs two fiches action (seed 001: "au minimum deux fiches action").
    r = coord.post(f"{BASE}/alpha/health-project/status/", {"status": "ready"}, format="json")
    assert r.status_code == 400 and r.json()["code"] == "too_few_fiches"
    for title in ("Fiche 1", "Fiche 2"):
        assert (
            coord.post(f"{BASE}/alpha/fiches/", {**FICHE, "title": title}, format="json").status_code == 201
        )
    r = coord.post(f"{BASE}/alpha/health-project/status/", {"status": "ready"}, format="json")
    assert r.status_code == 200 and r.json()["status"] == "ready"
    # Acknowledgement: only register members; who and when are recorded.
    r = api(world.member_a).post(f"{BASE}/alpha/health-project/versions/1/acknowledgements/", format="json")
    assert r.status_code == 400 and r.json()["code"] == "not_a_member"
    user = UserFactory()
    pro = make_pro("10", user=user)
    member = register.member_accept(actor=None, member=register.member_request(actor=user, cpts=world.cpts_a))
    r = api(user).post(f"{BASE}/alpha/health-project/versions/1/acknowledgements/", format="json")
    assert r.status_code == 201, r.json()
    ack = Acknowledgement.objects.get()
    assert (ack.member, ack.user, ack.version.number) == (member, user, 1)
    assert r.json()["member"] == pro.full_name and r.json()["at"]
    r = api(user).post(f"{BASE}/alpha/health-project/versions/1/acknowledgements/", format="json")
    assert r.status_code == 400 and r.json()["code"] == "already_acknowledged"
    assert Acknowledgement.objects.count() == 1
    # A second version must say what changed; the PDF comes in the ARS's order.
    assert (
        coord.post(
            f"{BASE}/alpha/health-project/new-version/", {"kind": "amendment"}, format="json"
        ).status_code
        == 201
    )
    r = coord.post(f"{BASE}/alpha/health-project/publish/", {}, format="json")
    assert r.status_code == 400 and r.json()["code"] == "changes_required"
    r = coord.get(f"{BASE}/alpha/health-project/versions/1/pdf/")
    assert r.status_code == 200 and r.content.startswith(b"%PDF")
    assert api(world.member_b).get(f"{BASE}/alpha/health-project/").status_code == 404


def test_library_is_the_federations_and_the_copy_keeps_its_origin(world, api):
    coord_a, coord_b = api(world.coordinator_a), api(world.coordinator_b)
    fiche_id = coord_a.post(f"{BASE}/alpha/fiches/", FICHE, format="json").json()["id"]
    # A draft is neither in the library nor publishable.
    assert coord_b.get(f"/api/projet/library/{fiche_id}/").status_code == 404
    r = coord_a.post(f"{BASE}/alpha/fiches/{fiche_id}/publish/", {}, format="json")
    assert r.status_code == 400 and r.json()["code"] == "fiche_not_validated"
    coord_a.post(f"{BASE}/alpha/fiches/{fiche_id}/status/", {"status": "validated"}, format="json")
    assert coord_a.post(f"{BASE}/alpha/fiches/{fiche_id}/publish/", {}, format="json").status_code == 200
    # Visible to the federation (CPTS B), not to another federation (CPTS C) nor to outsiders.
    assert [f["id"] for f in coord_b.get("/api/projet/library/").json()] == [fiche_id]
    assert api(world.member_c).get("/api/projet/library/").json() == []
    assert api(world.member_c).get(f"/api/projet/library/{fiche_id}/").status_code == 404
    assert api(world.outsider).get(f"/api/projet/library/{fiche_id}/").status_code == 404
    # CPTS B's plain member may not copy into B: 403, nothing created.
    r = api(world.member_b).post(f"/api/projet/library/{fiche_id}/copy/", {"cpts": "bravo"}, format="json")
    assert r.status_code == 403
    assert FicheAction.objects.filter(cpts=world.cpts_b).count() == 0
    r = coord_b.post(f"/api/projet/library/{fiche_id}/copy/", {"cpts": "bravo"}, format="json")
    assert r.status_code == 201, r.json()
    copy = r.json()
    assert copy["cpts"] == "bravo" and copy["status"] == "draft"
    assert copy["copied_from"] == fiche_id
    assert copy["origin_cpts_name"] == "CPTS Alpha" and copy["origin_title"] == FICHE["title"]
    assert copy["problem"] == FICHE["problem"]
    # The origin stays known after the original is edited or withdrawn.
    coord_a.patch(f"{BASE}/alpha/fiches/{fiche_id}/", {"title": "Nouveau titre"}, format="json")
    coord_a.post(f"{BASE}/alpha/fiches/{fiche_id}/publish/", {"publish": False}, format="json")
    again = coord_b.get(f"{BASE}/bravo/fiches/{copy['id']}/").json()
    assert again["origin_title"] == FICHE["title"] and again["copied_from"] == fiche_id
    # Drafts of a CPTS stay private: B cannot read A's fiches through A's space.
    assert coord_b.get(f"{BASE}/alpha/fiches/{fiche_id}/").status_code == 404


def test_fiche_points_at_its_cpts_contract_indicators(world, api):
    import datetime as dt

    from missions import services as contract_services
    from missions.models import Indicator

    def contract(cpts, coordinator):
        return contract_services.contract_create(
            actor=coordinator,
            cpts=cpts,
            signed_on=dt.date(2024, 3, 1),
            rule_set="avenant-2-2021",
            ars_name="ARS",
            cpam_name="CPAM",
            population=60_000,
            missions=[{"number": 1, "start_year": 1}],
        )

    contract(world.cpts_a, world.coordinator_a)
    contract(world.cpts_b, world.coordinator_b)
    mine = Indicator.objects.filter(mission__contract__cpts=world.cpts_a).first()
    theirs = Indicator.objects.filter(mission__contract__cpts=world.cpts_b).first()
    if mine is None:
        pytest.skip("the contract year creates no default indicator")
    coord = api(world.coordinator_a)
    r = coord.post(f"{BASE}/alpha/fiches/", {**FICHE, "indicators": [theirs.pk]}, format="json")
    assert r.status_code == 400 and r.json()["code"] == "wrong_indicator"
    assert not FicheAction.objects.exists()
    r = coord.post(f"{BASE}/alpha/fiches/", {**FICHE, "indicators": [mine.pk]}, format="json")
    assert r.status_code == 201
    assert [i["id"] for i in r.json()["indicators"]] == [mine.pk]


def test_list_endpoints_cost_a_fixed_number_of_queries(world, api, make_pro, make_structure, join):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def cost(url):
        client = api(world.coordinator_a)
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    urls = [
        f"{BASE}/alpha/register/",
        f"{BASE}/alpha/register/stats/",
        "/api/projet/library/",
        f"{BASE}/alpha/fiches/",
    ]
    join(world.cpts_a, pro=make_pro("10"))
    fiche = api(world.coordinator_a).post(f"{BASE}/alpha/fiches/", FICHE, format="json").json()["id"]
    api(world.coordinator_a).post(
        f"{BASE}/alpha/fiches/{fiche}/status/", {"status": "validated"}, format="json"
    )
    api(world.coordinator_a).post(f"{BASE}/alpha/fiches/{fiche}/publish/", {}, format="json")
    small = [cost(url) for url in urls]
    for code in ("60", "70", "21", "10", "60"):
        join(world.cpts_a, pro=make_pro(code))
    join(world.cpts_a, structure=make_structure("ssiad"))
    for title in ("A", "B", "C"):
        fiche = (
            api(world.coordinator_a)
            .post(f"{BASE}/alpha/fiches/", {**FICHE, "title": title}, format="json")
            .json()["id"]
        )
        api(world.coordinator_a).post(
            f"{BASE}/alpha/fiches/{fiche}/status/", {"status": "validated"}, format="json"
        )
        api(world.coordinator_a).post(f"{BASE}/alpha/fiches/{fiche}/publish/", {}, format="json")
    assert [cost(url) for url in urls] == small


def test_structures_acknowledge_through_their_legal_representative(
    world, api, make_pro, make_structure, join
):
    # Seed 001: "chacun des membres (représentant légal pour les structures et les établissements) signe le projet".
    from missions.projet.health_project import services as projects

    ehpad = join(world.cpts_a, structure=make_structure("ehpad"))
    doctor = join(world.cpts_a, pro=make_pro("10"))
    project = projects.project_start(actor=None, cpts=world.cpts_a)
    projects.version_update(actor=None, version=project.versions.get(), data={"missions": [2]})
    projects.version_publish(actor=None, project=project)
    url = f"{BASE}/alpha/health-project/versions/1/acknowledgements/"
    body = {"member": ehpad.pk, "evidence": "Signature de Mme Roux, directrice, le 3 mars"}
    r = api(world.member_a).post(url, body, format="json")
    assert r.status_code == 403
    assert not Acknowledgement.objects.exists()
    r = api(world.coordinator_a).post(url, {**body, "evidence": ""}, format="json")
    assert r.status_code == 400 and r.json()["code"] == "evidence_required"
    r = api(world.coordinator_a).post(url, {"member": doctor.pk, "evidence": "x"}, format="json")
    assert r.status_code == 400 and r.json()["code"] == "online_only"
    r = api(world.coordinator_a).post(url, body, format="json")
    assert r.status_code == 201, r.json()
    ack = Acknowledgement.objects.get()
    assert (ack.member, ack.user, ack.evidence) == (ehpad, world.coordinator_a, body["evidence"])
    listed = api(world.member_a).get(url).json()
    assert [(a["member_id"], a["evidence"]) for a in listed] == [(ehpad.pk, body["evidence"])]


def test_the_federations_staff_reads_the_library_too(world, api):
    from missions.projet.fiches import services as fiches

    fiche = fiches.fiche_create(actor=None, cpts=world.cpts_a, data=FICHE)
    fiches.fiche_set_status(actor=None, fiche=fiche, status="validated")
    fiches.fiche_publish(actor=None, fiche=fiche)
    for user in (world.fed_coordinator, world.partner_delegate, world.member_b):
        assert [f["id"] for f in api(user).get("/api/projet/library/").json()] == [fiche.pk]
    for user in (world.member_c, world.outsider):
        assert api(user).get("/api/projet/library/").json() == []
        assert api(user).get(f"/api/projet/library/{fiche.pk}/").status_code == 404


def test_the_spreadsheet_export_never_holds_formulas(world, api, make_pro, join):
    pro = make_pro("10")
    pro.first_name, pro.last_name = "", '=HYPERLINK("http://evil.example","x")'
    pro.save()
    join(world.cpts_a, pro=pro)
    r = api(world.coordinator_a).get(f"{BASE}/alpha/register/export.xlsx")
    cell = load_workbook(io.BytesIO(r.content)).active["A5"]
    assert cell.data_type == "s" and cell.value == ('=HYPERLINK("http://evil.example","x")')
