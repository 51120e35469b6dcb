"""The members' register's rules, quoted from the seeds.

Seed 000: "La possibilité d'une participation large et souple aux CPTS est offerte aux acteurs de santé sur la
base du volontariat." Seed 003: members are "professionnels de santé ou structures ayant expressément adhéré à la
communauté". Seed 001: "un même acteur peut être membre de plusieurs CPTS."
"""

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from directory.models import ProfessionalCpts
from federation.errors import ServiceError
from federation.models import Membership
from missions.projet.models import MemberStatus, RegisterEvent, RegisterMember
from missions.projet.register import services as register
from missions.projet.selectors import express_member_count, express_member_counts
from tests.factories import UserFactory
from tests.missions_projet.conftest import code_of


def test_practising_on_the_territory_makes_no_one_a_member(world, make_pro):
    # "sur la base du volontariat" (seed 000): a professional practising on the territory is not a member.
    from tests.factories import CommuneFactory, CptsCommuneFactory

    commune = CommuneFactory()
    CptsCommuneFactory(cpts=world.cpts_a, commune=commune)
    make_pro("10", communes=[commune])
    assert express_member_count(world.cpts_a) == 0


def test_request_pending_until_the_cpts_accepts(world, make_pro):
    user = UserFactory(email="dr.martin@example.org")
    pro = make_pro("10", user=user)
    member = register.member_request(actor=user, cpts=world.cpts_a, message="Je souhaite adhérer.")
    assert member.status == MemberStatus.REQUESTED
    assert express_member_count(world.cpts_a) == 0
    # The requester is not yet in the CPTS space.
    assert not Membership.objects.filter(user=user, cpts=world.cpts_a).exists()

    member = register.member_accept(actor=world.coordinator_a, member=member)
    assert member.status == MemberStatus.ACTIVE
    assert member.joined_on == timezone.localdate()
    assert member.consented_at == member.requested_at  # the request is the express consent
    assert express_member_count(world.cpts_a) == 1
    # The register drives the directory's CPTS link and the space access.
    assert ProfessionalCpts.objects.filter(professional=pro, cpts=world.cpts_a).exists()
    assert Membership.objects.get(user=user, cpts=world.cpts_a).role == "member"
    kinds = list(member.events.values_list("kind", flat=True))
    assert kinds == [RegisterEvent.Kind.REQUESTED, RegisterEvent.Kind.ACCEPTED]


def test_a_member_without_rights_cannot_accept(world, make_pro):
    user = UserFactory()
    make_pro("10", user=user)
    member = register.member_request(actor=user, cpts=world.cpts_a)
    with pytest.raises(PermissionDenied):
        register.member_accept(actor=world.member_a, member=member)
    member.refresh_from_db()
    assert member.status == MemberStatus.REQUESTED


def test_request_needs_a_directory_entry(world):
    with pytest.raises(ServiceError) as exc:
        register.member_request(actor=world.outsider, cpts=world.cpts_a)
    assert code_of(exc) == "no_directory_entry"
    assert not RegisterMember.objects.exists()


def test_added_by_the_coordinator_is_pending_until_consent(world, make_pro):
    user = UserFactory()
    pro = make_pro("60", user=user)
    member = register.member_add(actor=world.coordinator_a, cpts=world.cpts_a, professional=pro)
    assert member.status == MemberStatus.AWAITING_CONSENT
    assert express_member_count(world.cpts_a) == 0
    # Only the person consents online; the coordinator cannot consent in their name through this path.
    with pytest.raises(PermissionDenied):
        register.member_consent(actor=world.coordinator_a, member=member)
    member.refresh_from_db()
    assert member.status == MemberStatus.AWAITING_CONSENT
    member = register.member_consent(actor=user, member=member)
    assert member.status == MemberStatus.ACTIVE
    assert member.consented_at is not None
    assert express_member_count(world.cpts_a) == 1


def test_consent_declined_never_makes_a_member(world, make_pro):
    user = UserFactory()
    pro = make_pro("60", user=user)
    member = register.member_add(actor=world.coordinator_a, cpts=world.cpts_a, professional=pro)
    member = register.member_consent(actor=user, member=member, accept=False)
    assert member.status == MemberStatus.DECLINED
    assert express_member_count(world.cpts_a) == 0


def test_written_consent_needs_its_evidence(world, make_structure):
    ehpad = make_structure("ehpad", name="EHPAD Les Tilleuls")
    member = register.member_add(
        actor=world.coordinator_a, cpts=world.cpts_a, structure=ehpad, representative="Mme Roux, directrice"
    )
    with pytest.raises(ServiceError) as exc:
        register.member_consent_record(actor=world.coordinator_a, member=member, evidence=" ")
    assert code_of(exc) == "consent_evidence_required"
    member.refresh_from_db()
    assert member.status == MemberStatus.AWAITING_CONSENT
    member = register.member_consent_record(
        actor=world.coordinator_a,
        member=member,
        evidence="Délibération du CA de l'EHPAD du 3 mars",
        consented_on=timezone.localdate() - datetime.timedelta(days=2),
    )
    assert member.status == MemberStatus.ACTIVE
    assert member.joined_on == timezone.localdate() - datetime.timedelta(days=2)


def test_one_open_line_per_person_and_cpts(world, make_pro, join):
    pro = make_pro("10")
    join(world.cpts_a, pro=pro)
    with pytest.raises(ServiceError) as exc:
        register.member_add(actor=world.coordinator_a, cpts=world.cpts_a, professional=pro)
    assert code_of(exc) == "already_member"
    assert RegisterMember.objects.filter(professional=pro).count() == 1


def test_a_professional_belongs_to_several_cpts(world, make_pro, join):
    # Seed 001: "En revanche, un même acteur peut être membre de plusieurs CPTS."
    pro = make_pro("70")
    join(world.cpts_a, pro=pro)
    join(world.cpts_b, pro=pro)
    join(world.cpts_c, pro=pro)
    assert express_member_counts([world.cpts_a.pk, world.cpts_b.pk, world.cpts_c.pk, world.cpts_d.pk]) == {
        world.cpts_a.pk: 1,
        world.cpts_b.pk: 1,
        world.cpts_c.pk: 1,
        world.cpts_d.pk: 0,
    }
    # Resigning from one leaves the others.
    member_b = RegisterMember.objects.get(cpts=world.cpts_b, professional=pro)
    register.member_resign(actor=world.coordinator_b, member=member_b, note="Lettre de démission du 2 mai")
    assert express_member_counts([world.cpts_a.pk, world.cpts_b.pk]) == {
        world.cpts_a.pk: 1,
        world.cpts_b.pk: 0,
    }


def test_the_member_resigns_and_loses_the_space(world, make_pro):
    user = UserFactory()
    pro = make_pro("10", user=user)
    member = register.member_accept(
        actor=world.coordinator_a, member=register.member_request(actor=user, cpts=world.cpts_a)
    )
    member = register.member_resign(actor=user, member=member)
    assert member.status == MemberStatus.RESIGNED
    assert member.left_on == timezone.localdate()
    assert express_member_count(world.cpts_a) == 0
    assert not Membership.objects.filter(user=user, cpts=world.cpts_a).exists()
    assert not ProfessionalCpts.objects.filter(professional=pro, cpts=world.cpts_a).exists()
    # The line stays in the register's history; a new request is possible.
    again = register.member_request(actor=user, cpts=world.cpts_a)
    assert again.pk != member.pk
    assert RegisterMember.objects.filter(professional=pro, cpts=world.cpts_a).count() == 2


def test_someone_else_cannot_resign_a_member(world, make_pro, join):
    member = join(world.cpts_a, pro=make_pro("10"))
    with pytest.raises(PermissionDenied):
        register.member_resign(actor=world.member_a, member=member)
    member.refresh_from_db()
    assert member.status == MemberStatus.ACTIVE


def test_exclusion_only_by_a_recorded_decision(world, make_pro, join):
    # Seed 000, statutes 6.4: "L'exclusion prononcée par le Président de l'Association pour motifs graves.
    # L'intéressé devra préalablement avoir été invité à faire valoir ses moyens de défense".
    member = join(world.cpts_a, pro=make_pro("10"))
    today = timezone.localdate()
    with pytest.raises(ServiceError) as exc:
        register.member_exclude(
            actor=world.coordinator_a,
            member=member,
            decided_on=today,
            body="bureau",
            reason="",
            defence_invited_on=today,
        )
    assert code_of(exc) == "reason_required"
    with pytest.raises(ServiceError) as exc:
        register.member_exclude(
            actor=world.coordinator_a,
            member=member,
            decided_on=today,
            body="bureau",
            reason="Motif grave",
            defence_invited_on=today + datetime.timedelta(days=1),
        )
    assert code_of(exc) == "defence_after_decision"
    member.refresh_from_db()
    assert member.status == MemberStatus.ACTIVE
    member = register.member_exclude(
        actor=world.coordinator_a,
        member=member,
        decided_on=today,
        body="president",
        reason="Manquements graves répétés",
        defence_invited_on=today - datetime.timedelta(days=15),
        reference="PV du bureau n° 12",
    )
    assert member.status == MemberStatus.EXCLUDED
    assert member.exclusion.body == "president"
    assert member.exclusion.reason == "Manquements graves répétés"
    assert member.exclusion.recorded_by == world.coordinator_a
    assert member.events.last().kind == RegisterEvent.Kind.EXCLUDED
    assert express_member_count(world.cpts_a) == 0


def test_the_exclusion_check_is_in_the_database_too(world, make_pro, join):
    """No code path sets `excluded` without the decision: the only writer is member_exclude; and an active line
    needs a date and a consent (database constraint)."""
    from django.db import IntegrityError, transaction

    member = join(world.cpts_a, pro=make_pro("10"))
    with pytest.raises(IntegrityError), transaction.atomic():
        RegisterMember.objects.filter(pk=member.pk).update(consented_at=None)


def test_history_of_changes(world, make_pro, join, professions):
    from missions.projet.models import MemberCategory

    member = join(world.cpts_a, pro=make_pro("10"))
    founding = MemberCategory.objects.get(cpts=world.cpts_a, code="founding")
    register.member_set_category(actor=world.coordinator_a, member=member, category=founding)
    register.member_resign(actor=world.coordinator_a, member=member, note="Courrier du 4 juin")
    events = list(member.events.values_list("kind", "from_status", "to_status"))
    assert events == [
        ("added", "", "awaiting_consent"),
        ("consented", "awaiting_consent", "active"),
        ("category", "active", "active"),
        ("resigned", "active", "resigned"),
    ]


def test_categories_are_per_cpts_with_defaults(world, make_pro):
    from missions.projet.models import MemberCategory

    register.categories_ensure_defaults(cpts=world.cpts_a)
    codes = list(MemberCategory.objects.filter(cpts=world.cpts_a).values_list("code", flat=True))
    assert codes == ["founding", "active", "honorary", "benefactor"]
    register.category_create(
        actor=world.coordinator_a, cpts=world.cpts_a, code="usagers", label="Représentant·e d'usagers"
    )
    other = MemberCategory.objects.get(cpts=world.cpts_a, code="usagers")
    # A category of CPTS A cannot be used in CPTS B.
    with pytest.raises(ServiceError) as exc:
        register.member_add(
            actor=world.coordinator_b, cpts=world.cpts_b, professional=make_pro("10"), category=other
        )
    assert code_of(exc) == "wrong_category"
    assert not RegisterMember.objects.filter(cpts=world.cpts_b).exists()
