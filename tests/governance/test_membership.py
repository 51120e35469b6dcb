"""Membership by declaration (issue 16; seed 004: the CPTS are "membres de droit" and "chaque CPTS est
libre d'adhérer ou non"): a CPTS joins when it has reached the federation's stage and lies in its
département (or declares itself cross-border), and leaves — no vote. The coordinator lists members,
delegates and partner delegates with their ids."""

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from federation.governance import services
from federation.governance.models import AuditEntry, Delegate
from federation.models import CptsRole, FederationMember, MaturityStage
from tests import factories
from tests.governance.conftest import governance_rows

pytestmark = pytest.mark.django_db


def kw(a, **extra):
    return {"federation_slug": a.fed.slug, **extra}


@pytest.fixture
def newcomer(assembly):
    """CPTS Delta of the world (in no federation), with a commune in the Hérault and its coordinator."""
    w = assembly.world
    herault = factories.DepartementFactory(code="34")
    factories.CptsCommuneFactory(cpts=w.cpts_d, commune=factories.CommuneFactory(departement=herault))
    coordinator = factories.MembershipFactory(
        cpts=w.cpts_d, role=CptsRole.COORDINATOR, user=factories.UserFactory(email="coord@delta.example.org")
    ).user
    assembly.extra["delta_coordinator"] = coordinator
    return assembly


def test_a_cpts_joins_by_declaration_through_the_api(newcomer, api):
    a = newcomer
    w = a.world
    url = reverse("api-governance-member-join", kwargs=kw(a))
    before = governance_rows(a.fed)
    members_before = FederationMember.objects.filter(federation=a.fed).count()
    # Only its own coordinators, admins or bureau (or the federation's managers) declare it.
    for someone_else in (a.plain_member, a.delegates[1], w.member_c):
        assert api(someone_else).post(url, {"cpts": w.cpts_d.slug}, format="json").status_code == 403
    # Below the federation's stage: refused, nothing written.
    w.cpts_d.maturity_stage = MaturityStage.PROJECT
    w.cpts_d.save()
    refused = api(a.coordinator).post(url, {"cpts": w.cpts_d.slug}, format="json")
    assert refused.status_code == 400 and refused.json()["code"] == "stage_too_early"
    assert governance_rows(a.fed) == before
    assert FederationMember.objects.filter(federation=a.fed).count() == members_before
    w.cpts_d.maturity_stage = MaturityStage.ACI_SIGNED
    w.cpts_d.save()
    # The CPTS's own coordinator declares it, though not yet a participant of the federation.
    joined = api(a.extra["delta_coordinator"]).post(url, {"cpts": w.cpts_d.slug}, format="json")
    assert joined.status_code == 201 and joined.json()["cpts"] == w.cpts_d.slug
    assert AuditEntry.objects.filter(event="member.joined", payload__by="declaration").exists()
    again = api(a.coordinator).post(url, {"cpts": w.cpts_d.slug}, format="json")
    assert again.status_code == 201  # already a member of this federation: the same member


def test_a_cpts_outside_the_departement_joins_only_as_cross_border(assembly, api):
    a = assembly
    w = a.world
    gard = factories.DepartementFactory(code="30", name="Gard")
    factories.CptsCommuneFactory(cpts=w.cpts_d, commune=factories.CommuneFactory(departement=gard))
    url = reverse("api-governance-member-join", kwargs=kw(a))
    refused = api(a.coordinator).post(url, {"cpts": w.cpts_d.slug}, format="json")
    assert refused.status_code == 400
    assert refused.json()["code"] == "outside_departement" and refused.json()["fields"]["cross_border"]
    joined = api(a.coordinator).post(url, {"cpts": w.cpts_d.slug, "cross_border": True}, format="json")
    assert joined.status_code == 201
    assert AuditEntry.objects.get(event="member.joined").payload["cross_border"] is True


def test_a_cpts_leaves_by_declaration_from_the_page(newcomer, web):
    a = newcomer
    url = reverse("governance-federation", kwargs=kw(a))
    page = web(a.world.coordinator_b).get(url).content.decode()
    assert f"Déclarer le départ de {a.cpts[1].name}…" in page
    assert f"Déclarer le départ de {a.cpts[2].name}…" not in page
    before = governance_rows(a.fed)
    assert (
        web(a.world.coordinator_b).post(url, {"form": "leave", "member": a.members[2].pk}).status_code == 403
    )
    assert governance_rows(a.fed) == before
    answer = web(a.world.coordinator_b).post(url, {"form": "leave", "member": a.members[1].pk}, follow=True)
    assert "a quitté la fédération" in answer.content.decode()
    a.members[1].refresh_from_db()
    assert a.members[1].left_on is not None
    assert not Delegate.objects.filter(member=a.members[1], until__isnull=True).exists()
    # ... and CPTS Delta's coordinator declares its joining from the same page.
    delta = a.extra["delta_coordinator"]
    page = web(delta).get(reverse("governance-index")).content.decode()
    answer = (
        web(a.coordinator)
        .post(url, {"form": "join", "cpts": a.world.cpts_d.slug}, follow=True)
        .content.decode()
    )
    assert "a rejoint la fédération" in answer and page is not None


def test_the_coordinator_lists_members_delegates_and_partner_delegates_with_ids(
    assembly, api, django_assert_num_queries
):
    a = assembly
    url = reverse("api-governance-members", kwargs=kw(a))
    with django_assert_num_queries(5):
        body = api(a.coordinator).get(url).json()
    assert {m["name"] for m in body["members"]} >= {c.name for c in a.cpts} | {p.name for p in a.partners}
    assert all(isinstance(m["id"], int) for m in body["members"])
    assert {d["user_id"] for d in body["delegates"]} == {u.pk for u in a.delegates}
    assert {d["user"] for d in body["partner_delegates"]} == {u.pk for u in a.partner_delegates}
    assert api(a.world.member_c).get(url).status_code == 404


# --- losing membership: seed 000, model statutes -----------------------------------------------------------
def test_strike_off_for_an_unpaid_fee_only_after_three_reminders_and_explanations(ago, api, web):
    """Seed 000: "La radiation pour non-paiement de la cotisation annuelle, après trois rappels demeurés
    infructueux et après que l'intéressé ait été invité [...] à fournir des explications écrites au
    Président de l'Association." """
    a = ago
    services.bureau_set(
        actor=None,
        federation=a.fed,
        seats=list(zip(a.delegates, ["president", "vice_president", "treasurer", "secretary"], strict=False)),
        starts_on=timezone.localdate(),
    )
    member = a.members[4]
    fee = services.fee_set(actor=None, federation=a.fed, member=member, year=2025, amount=300)
    open_url = reverse("api-governance-proceedings", kwargs=kw(a, member_id=member.pk))
    body = {"kind": "strike_off", "reason": "Cotisation 2025 impayée"}
    before = governance_rows(a.fed)
    early = api(a.coordinator).post(open_url, body, format="json")
    assert early.status_code == 400 and early.json()["code"] == "reminders_missing"
    assert governance_rows(a.fed) == before
    remind = reverse("api-governance-fee-remind", kwargs=kw(a, fee_id=fee.pk))
    assert api(a.plain_member).post(remind).status_code == 403
    page = reverse("governance-federation", kwargs=kw(a))
    web(a.coordinator).post(page, {"form": "fee_remind", "fee": fee.pk})  # the first from the page
    for n in (2, 3):
        assert api(a.coordinator).post(remind).json()["reminders_sent"] == n
    assert "Engager la radiation…" in web(a.coordinator).get(page).content.decode()
    opened = api(a.coordinator).post(open_url, body, format="json")
    assert opened.status_code == 201 and opened.json()["outcome"] == "pending"
    decide = reverse("api-governance-proceeding-decide", kwargs=kw(a, proceeding_id=opened.json()["id"]))
    # Pronounced by the president only (seed 000: "au Président de l'Association").
    before = governance_rows(a.fed)
    assert api(a.coordinator).post(decide, {"pronounce": True}, format="json").status_code == 403
    assert governance_rows(a.fed) == before
    done = api(a.delegates[0]).post(decide, {"pronounce": True}, format="json")
    assert done.status_code == 200 and done.json()["outcome"] == "pronounced"
    member.refresh_from_db()
    assert member.left_on is not None
    assert not Delegate.objects.filter(member=member, until__isnull=True).exists()
    assert AuditEntry.objects.filter(event="member.struck_off", payload__pronounced=True).exists()
    assert AuditEntry.objects.filter(event="fee.reminded").count() == 3
    assert mail.outbox == [] or all("Rappel" in m.subject for m in mail.outbox)


def test_exclusion_needs_the_defence_invitation_first(ago, api):
    """Seed 000: "L'exclusion prononcée par le Président [...] pour motifs graves. L'intéressé devra
    préalablement avoir été invité à faire valoir ses moyens de défense." """
    a = ago
    services.bureau_set(
        actor=None,
        federation=a.fed,
        seats=list(zip(a.delegates, ["president", "vice_president", "treasurer", "secretary"], strict=False)),
        starts_on=timezone.localdate(),
    )
    url = reverse("api-governance-proceedings", kwargs=kw(a, member_id=a.members[3].pk))
    assert api(a.coordinator).post(url, {"kind": "exclusion", "reason": " "}, format="json").json()[
        "code"
    ] in (
        "reason_required",
        "blank",
    )
    opened = (
        api(a.coordinator).post(url, {"kind": "exclusion", "reason": "Motifs graves"}, format="json").json()
    )
    again = api(a.coordinator).post(url, {"kind": "exclusion", "reason": "Encore"}, format="json")
    assert again.json()["code"] == "proceeding_pending"
    decide = reverse("api-governance-proceeding-decide", kwargs=kw(a, proceeding_id=opened["id"]))
    dropped = api(a.delegates[0]).post(decide, {"pronounce": False}, format="json").json()
    assert dropped["outcome"] == "dropped"
    a.members[3].refresh_from_db()
    assert a.members[3].left_on is None


def test_the_fee_scale_voted_by_the_ag_follows_the_size_of_each_cpts(ago, api):
    """Seed 004: the AG sets the fees, which must "tenir compte des moyens différents des CPTS": one amount
    per ACI size tier (by the population of the territory), one for the partners."""
    a = ago
    factories.CptsCommuneFactory(cpts=a.cpts[0], commune=factories.CommuneFactory(population=50_000))
    factories.CptsCommuneFactory(cpts=a.cpts[1], commune=factories.CommuneFactory(population=200_000))
    url = reverse("api-governance-polls", kwargs=kw(a))
    scale = {
        "type": "fee_scale",
        "year": 2027,
        "amounts": {"1": 150, "2": 250, "3": 350, "4": 450, "partner": 80},
    }
    wrong = api(a.coordinator).post(
        url,
        {"title": "Barème", "meeting": a.meeting.pk, "effect": {**scale, "amounts": {"1": 150}}},
        format="json",
    )
    assert wrong.status_code == 400 and wrong.json()["code"] == "invalid_fee_scale"
    created = api(a.coordinator).post(
        url, {"title": "Barème 2027", "meeting": a.meeting.pk, "effect": scale}, format="json"
    )
    assert created.status_code == 201 and "taille 4 : 450 €" in created.json()["effect"]["label"]
    poll = a.fed.polls.get(pk=created.json()["id"])
    services.poll_open(actor=a.coordinator, poll=poll)
    for i in range(4):
        services.ballot_cast(
            actor=a.delegates[i], poll=poll, right_key=f"member-{a.members[i].pk}", choice="yes"
        )
    services.poll_close(actor=a.coordinator, poll=poll)
    services.poll_publish(actor=a.coordinator, poll=poll)
    fees = {f.member_id: f.amount for f in a.fed.fees.filter(year=2027)}
    assert fees[a.members[0].pk] == 250 and fees[a.members[1].pk] == 450 and fees[a.members[2].pk] == 150
    assert fees[a.partner_members[0].pk] == 80


def test_initial_statutes_are_set_once_through_the_api_and_the_page(world, api, web):
    """Seed 004: "des statuts simples" — their blanks (seed 000's "....." for quorum, majorities, proxies)
    are recorded once at constitution; every later change is an AGE decision."""
    from federation.governance.models import StatutesSettings

    url = reverse("api-governance-statutes-initial", kwargs={"federation_slug": world.fed.slug})
    page = reverse("governance-federation", kwargs={"federation_slug": world.fed.slug})
    assert "statuts initiaux" in web(world.fed_coordinator).get(page).content.decode()
    assert api(world.member_a).post(url, {"quorum_ago": "1/3"}, format="json").status_code == 403
    assert not StatutesSettings.objects.filter(federation=world.fed).exists()
    bad = api(world.fed_coordinator).post(url, {"quorum_ago": "9/10"}, format="json")
    assert bad.status_code == 400 and bad.json()["fields"]["quorum_ago"]
    created = api(world.fed_coordinator).post(
        url, {"quorum_ago": "1/3", "max_proxies_per_holder": 3}, format="json"
    )
    assert created.status_code == 201 and created.json()["quorum_ago"] == "1/3"
    again = api(world.fed_coordinator).post(url, {"quorum_ago": "1/2"}, format="json")
    assert again.status_code == 400 and again.json()["code"] == "statutes_exist"
    assert StatutesSettings.objects.get(federation=world.fed).quorum_ago == "1/3"
    assert "statuts initiaux" not in web(world.fed_coordinator).get(page).content.decode()
    # From the page, on the other federation.
    other = reverse("governance-federation", kwargs={"federation_slug": world.other_fed.slug})
    coordinator = factories.UserFactory(email="coordination@inter30.example.org")
    factories.FederationRoleFactory(user=coordinator, federation=world.other_fed)
    form = {
        "form": "statutes_initial",
        **{f: getattr(StatutesSettings(), f) for f in StatutesSettings.EDITABLE},
    }
    form = {k: ("on" if v is True else v) for k, v in form.items() if v is not False}
    answer = web(coordinator).post(other, {**form, "quorum_age": "2/3"}, follow=True).content.decode()
    assert "Statuts initiaux enregistrés" in answer
    assert StatutesSettings.objects.get(federation=world.other_fed).quorum_age == "2/3"


def test_partner_delegates_are_designated_by_the_managers(assembly, api):
    """Seed 004: the partners' college, "1 voix consultative par partenaire", carried by its delegate."""
    a = assembly
    url = reverse("api-governance-partner-delegates", kwargs=kw(a, partner_slug=a.partners[1].slug))
    person = factories.UserFactory(email="nouvelle@urps.example.org")
    before = governance_rows(a.fed)
    assert api(a.plain_member).post(url, {"user": person.pk}, format="json").status_code == 403
    assert governance_rows(a.fed) == before
    created = api(a.coordinator).post(url, {"user": person.pk}, format="json")
    assert created.status_code == 201 and created.json()["partner"] == a.partners[1].slug
    listed = (
        api(a.coordinator).get(reverse("api-governance-members", kwargs=kw(a))).json()["partner_delegates"]
    )
    assert person.pk in {d["user"] for d in listed}
    assert AuditEntry.objects.filter(event="partner.delegate_designated", payload__user=person.pk).exists()
    other = reverse("api-governance-partner-delegates", kwargs=kw(a, partner_slug="inconnu"))
    assert api(a.coordinator).post(other, {"user": person.pk}, format="json").status_code == 404
