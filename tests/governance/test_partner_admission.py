"""Partners admitted by the bureau, unanimously — a statutes option (issue 16, "The statutes' rules").
Seed 000 (model statutes), for the active members: « être agréé à l'unanimité par le Bureau de
l'Association, dont la décision en la matière est discrétionnaire et n'a pas à être motivée » ; seed 004:
« Partenaires : définir les partenaires en cohérence avec la stratégie et les missions de l'inter-CPTS
(1 voix consultative par membre) ». Off (the default), the AG admits partners as before."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from federation.governance import services
from federation.governance.models import AuditEntry, DecisionKind, PartnerAdmission, StatutesSettings
from federation.models import FederationMember, Partner
from tests.governance.conftest import error_code, governance_rows

pytestmark = pytest.mark.django_db


@pytest.fixture
def bureau(assembly):
    a = assembly
    seats = [
        (a.delegates[0], "president"),
        (a.delegates[1], "vice_president"),
        (a.delegates[2], "treasurer"),
        (a.delegates[3], "secretary"),
    ]
    services.bureau_set(actor=None, federation=a.fed, seats=seats, starts_on=timezone.localdate())
    return a


@pytest.fixture
def by_bureau(bureau):
    # As if adopted by an AGE (statutes_change): the option is a statutes setting.
    StatutesSettings.objects.filter(federation=bureau.fed).update(partners_admitted_by_bureau_unanimity=True)
    return bureau


def kw(a, **extra):
    return {"federation_slug": a.fed.slug, **extra}


def test_the_option_is_a_statutes_setting_changed_by_an_age(bureau):
    assert "partners_admitted_by_bureau_unanimity" in StatutesSettings.EDITABLE
    assert StatutesSettings.objects.get(federation=bureau.fed).partners_admitted_by_bureau_unanimity is False


def test_option_off_the_bureau_cannot_admit(bureau, api):
    a = bureau
    before = governance_rows(a.fed)
    r = api(a.coordinator).post(reverse("api-governance-partner-admissions", kwargs=kw(a)), {"name": "URPS"})
    assert r.status_code == 400
    assert r.json()["code"] == "admission_by_ag"
    assert governance_rows(a.fed) == before


def test_every_bureau_member_agrees_then_the_partner_is_admitted(by_bureau, api):
    a = by_bureau
    r = api(a.coordinator).post(
        reverse("api-governance-partner-admissions", kwargs=kw(a)),
        {"name": "CPAM de l'Hérault", "kind": "cpam"},
    )
    assert r.status_code == 201, r.content
    admission_id = r.json()["id"]
    url = reverse("api-governance-partner-admission-answer", kwargs=kw(a, admission_id=admission_id))
    for delegate in a.delegates[:3]:
        r = api(delegate).post(url, {"agrees": True}, format="json")
        assert r.status_code == 200
        assert r.json()["status"] == "pending"
    assert not Partner.objects.filter(federation=a.fed, name="CPAM de l'Hérault").exists()
    r = api(a.delegates[3]).post(url, {"agrees": True}, format="json")
    assert r.json()["status"] == "admitted"
    assert len(r.json()["answers"]) == 4 and all(x["agrees"] for x in r.json()["answers"])
    partner = Partner.objects.get(federation=a.fed, name="CPAM de l'Hérault")
    assert FederationMember.objects.filter(partner=partner, college="partners").exists()
    events = list(AuditEntry.objects.filter(federation=a.fed).values_list("event", flat=True))
    assert "partner_admission.proposed" in events and "partner_admission.admitted" in events
    assert events.count("partner_admission.answered") == 4


def test_one_refusal_refuses(by_bureau):
    a = by_bureau
    admission = services.partner_admission_propose(actor=a.coordinator, federation=a.fed, name="Labo X")
    services.partner_admission_answer(actor=a.delegates[0], admission=admission, agrees=True)
    admission = services.partner_admission_answer(actor=a.delegates[1], admission=admission, agrees=False)
    assert admission.status == PartnerAdmission.Status.REFUSED
    assert not Partner.objects.filter(name="Labo X").exists()
    with pytest.raises(ValidationError) as exc:
        services.partner_admission_answer(actor=a.delegates[2], admission=admission, agrees=True)
    assert error_code(exc.value) == "admission_decided"


def test_only_bureau_members_answer_and_other_federations_see_404(by_bureau, api):
    a = by_bureau
    admission = services.partner_admission_propose(actor=a.coordinator, federation=a.fed, name="Labo Y")
    url = reverse("api-governance-partner-admission-answer", kwargs=kw(a, admission_id=admission.pk))
    before = governance_rows(a.fed)
    r = api(a.partner_delegates[0]).post(url, {"agrees": True}, format="json")
    assert r.status_code == 403
    assert r.json()["code"] == "permission_denied"
    assert api(a.world.member_c).post(url, {"agrees": True}, format="json").status_code == 404
    assert governance_rows(a.fed) == before
    services.partner_admission_answer(actor=a.delegates[0], admission=admission, agrees=True)
    with pytest.raises(ValidationError) as exc:
        services.partner_admission_answer(actor=a.delegates[0], admission=admission, agrees=True)
    assert error_code(exc.value) == "already_answered"


def test_with_the_option_the_ag_no_longer_admits_partners(by_bureau):
    a = by_bureau
    meeting = services.meeting_create(
        actor=a.coordinator,
        federation=a.fed,
        body="ago",
        title="AGO",
        starts_at=timezone.now() + timedelta(days=30),
    )
    with pytest.raises(ValidationError) as exc:
        services.poll_create(
            actor=a.coordinator,
            federation=a.fed,
            meeting=meeting,
            title="Adhésion de l'URPS",
            decision_kind=DecisionKind.MEMBERSHIP,
            effect={"type": "partner_join", "name": "URPS", "kind": "other"},
        )
    assert error_code(exc.value) == "admission_by_bureau"


def test_page_proposes_and_bureau_members_answer(by_bureau, web):
    a = by_bureau
    page = reverse("governance-federation", kwargs=kw(a))
    r = web(a.coordinator).post(
        page, {"form": "partner_propose", "name": "Maison sport-santé", "kind": "other"}, follow=True
    )
    assert "Partenaire proposé au bureau" in r.content.decode()
    admission = PartnerAdmission.objects.get(name="Maison sport-santé")
    html = web(a.delegates[1]).get(page).content.decode()
    assert "Donner mon accord" in html and "à l&#x27;unanimité" in html
    for delegate in a.delegates[:4]:
        web(delegate).post(page, {"form": "partner_answer", "admission": admission.pk, "agrees": "1"})
    admission.refresh_from_db()
    assert admission.status == "admitted"
    assert "Admis" in web(a.coordinator).get(page).content.decode()
