"""Objects of every kind for one tenant (a CPTS and its federation), built through the services so the
rules apply: the cross-tenant probe (test_tenancy_probe.py) substitutes their ids and slugs into every
API operation and page, as the personas of the OTHER tenant."""

import datetime as dt
import uuid
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils import timezone

from directory import services as directory_services
from federation import invitations, tokens
from federation.governance.meetings import services as gov_meetings
from federation.governance.meetings.models import Body
from federation.governance.membership import services as gov_membership
from federation.governance.polls import services as gov_polls
from federation.governance.statutes import services as gov_statutes
from federation.models import CptsRole, FederationRole
from federation.territory_services import cpts_territory_add
from messaging import services as messaging
from messaging.models import Conversation
from missions import services as missions
from missions.projet.fiches import services as fiches
from missions.projet.health_project import services as projects
from missions.projet.register import services as register
from shared_actions.campaigns import services as campaigns
from shared_actions.meetings import services as sa_meetings
from shared_actions.rosters import services as rosters
from shared_actions.rosters import swaps
from tests import factories
from tests.directory.factories import ProfessionalCptsFactory, ProfessionalFactory, StructureFactory

FICHE = {
    "title": "Soins non programmés",
    "mission": 1,
    "problem": "Passages évitables aux urgences.",
    "objectives": "Un créneau par jour et par cabinet.",
    "action_lead": "Dr Martin",
    "evaluation_criteria": "Créneaux pourvus.",
}


@dataclass
class Tenant:
    """A CPTS, its federation, its people and one object of every kind."""

    name: str
    cpts: object
    fed: object
    coordinator: object
    member: object
    fed_coordinator: object
    objects: dict = field(default_factory=dict)  # kind → model instance
    token: object = None  # the member's API token


def pdf_upload():
    from tests.shared_actions.conftest import pdf_upload as upload

    return upload()


def build_tenant(
    name, *, cpts, fed, coordinator, member, fed_coordinator, commune, other_cpts, other_delegate
) -> Tenant:
    """`other_cpts` (another member of `fed`) and its delegate `other_delegate` hold the CPTS's proxy."""
    t = Tenant(name, cpts, fed, coordinator, member, fed_coordinator)
    o = t.objects
    today = timezone.localdate()
    start = timezone.now() + dt.timedelta(days=3)

    # federation: an invitation waiting, a territory with its history, an API token.
    o["invitation"], _ = invitations.invitation_send(
        actor=coordinator, cpts=cpts, email=f"invite@{cpts.slug}.example.org"
    )
    cpts_territory_add(actor=coordinator, cpts=cpts, commune_codes=[commune.insee_code])
    t.token = tokens.api_token_issue(user=member)
    o["token"] = t.token

    # shared_actions: document, roster/site/shift/assignment/swap, campaign/action/task/indicator, meeting, feed.
    from shared_actions.documents import services as documents
    from shared_actions.models import DocumentCategory

    o["document"] = documents.document_create(
        actor=coordinator, title="Statuts", category=DocumentCategory.STATUTES, file=pdf_upload(), cpts=cpts
    )
    o["roster"] = rosters.roster_create(actor=coordinator, name=f"SNP {name}", cpts=cpts)
    o["site"] = rosters.site_create(actor=coordinator, roster=o["roster"], name="MSP")
    o["shift"] = rosters.shift_create(
        actor=coordinator,
        roster=o["roster"],
        site=o["site"],
        start=start,
        end=start + dt.timedelta(hours=4),
        required_count=3,
    )
    o["assignment"] = rosters.shift_sign_up(actor=member, shift=o["shift"])
    o["swap"] = swaps.swap_request_create(actor=member, assignment=o["assignment"], kind="replacement")
    o["feed"] = rosters.calendar_feed_create(actor=member)
    o["campaign"] = campaigns.campaign_create(
        actor=fed_coordinator,
        federation=fed,
        title="Octobre rose",
        theme="octobre_rose",
        start_date=today,
        end_date=today + dt.timedelta(days=30),
        lead_cpts=cpts,
        participants=[cpts],
    )
    o["campaign_action"] = campaigns.campaign_action_create(
        actor=coordinator, campaign=o["campaign"], title="Stand", date=today, cpts=cpts, tasks=["Affiches"]
    )
    o["task"] = o["campaign_action"].tasks.get()
    o["campaign_indicator"] = campaigns.indicator_create(
        actor=fed_coordinator, campaign=o["campaign"], name="Mammographies", target=Decimal(100)
    )
    o["sa_meeting"] = sa_meetings.meeting_create(
        actor=coordinator,
        title="Bureau",
        cpts=cpts,
        start=start,
        end=start + dt.timedelta(hours=1),
        place="Salle",
        invitees=[member],
    )

    # governance: delegate, statutes, fee, meeting, poll.
    member_row = fed.members.get(cpts=cpts)
    o["delegate"] = gov_membership.delegate_designate(actor=None, federation=fed, cpts=cpts, user=member)
    gov_statutes.statutes_initialize(actor=None, federation=fed)
    o["fee"] = gov_membership.fee_set(
        actor=None, federation=fed, member=member_row, year=today.year, amount=Decimal(50)
    )
    o["gov_meeting"] = gov_meetings.meeting_create(
        actor=fed_coordinator,
        federation=fed,
        body=Body.AGO,
        title="AGO",
        starts_at=timezone.now() + dt.timedelta(days=20),
        location="Salle",
        agenda=["Rapport moral"],
    )
    # A proxy: the CPTS's delegate gives its vote at a convened assembly to another CPTS's delegate.
    gov_membership.delegate_designate(actor=None, federation=fed, cpts=other_cpts, user=other_delegate)
    o["proxy_meeting"] = gov_meetings.meeting_create(
        actor=fed_coordinator,
        federation=fed,
        body=Body.AGO,
        title="AGO des pouvoirs",
        starts_at=timezone.now() + dt.timedelta(days=25),
        location="Salle",
        agenda=["Budget"],
    )
    gov_meetings.meeting_convene(actor=fed_coordinator, meeting=o["proxy_meeting"])
    o["proxy"] = gov_meetings.proxy_give(
        actor=member, meeting=o["proxy_meeting"], giver=member_row, holder=other_delegate
    )
    o["poll"] = gov_polls.poll_create(
        actor=fed_coordinator, federation=fed, title="Motion", meeting=o["gov_meeting"]
    )

    # messaging: the CPTS channel with a message.
    o["conversation"] = messaging.cpts_channel_sync(cpts=cpts)
    o["group"] = messaging.conversation_create(
        actor=coordinator,
        kind=Conversation.Kind.GROUP,
        title="Groupe",
        federation=fed,
        members=[member],
    )
    o["message"], _ = messaging.message_send(
        actor=member, conversation=o["conversation"], body="Bonjour", client_id=uuid.uuid4()
    )

    # missions: contract, indicator with a value, review pack.
    o["contract"] = missions.contract_create(
        actor=coordinator,
        cpts=cpts,
        signed_on=dt.date(2024, 3, 1),
        rule_set="avenant-2-2021",
        ars_name="ARS",
        cpam_name="CPAM",
        population=60000,
        missions=[{"number": 1, "start_year": 1}, {"number": 2, "start_year": 1}],
    )
    mission = o["contract"].missions.get(number=1)
    o["mission"] = mission
    o["indicator"] = missions.indicator_create(
        actor=coordinator, mission=mission, name="Créneaux", target=Decimal(10), data_source="Agenda"
    )
    missions.indicator_value_set(actor=coordinator, indicator=o["indicator"], year=1, value=Decimal(4))
    o["review_pack"] = missions.review_pack_request(actor=coordinator, contract=o["contract"], year=1)

    # missions.projet: register (category, member), projet de santé published, a published fiche.
    register.categories_ensure_defaults(cpts=cpts)
    pro = ProfessionalFactory(user=factories.UserFactory(email=f"pro@{cpts.slug}.example.org"))
    o["register_member"] = register.member_consent_record(
        actor=None,
        member=register.member_add(actor=None, cpts=cpts, professional=pro),
        evidence="Bulletin signé",
    )
    o["register_user"] = pro.user
    project = projects.project_start(actor=None, cpts=cpts)
    projects.version_update(actor=None, version=project.versions.get(), data={"missions": [1]})
    o["project_version"] = projects.version_publish(actor=None, project=project)
    o["project"] = project
    o["fiche"] = fiches.fiche_create(actor=None, cpts=cpts, data=FICHE)
    fiches.fiche_set_status(actor=None, fiche=o["fiche"], status="validated")
    fiches.fiche_publish(actor=None, fiche=o["fiche"])
    o["draft_fiche"] = fiches.fiche_create(actor=None, cpts=cpts, data={**FICHE, "title": "Brouillon"})

    # directory: a professional and a structure of the CPTS, an error report on them.
    o["pro_link"] = ProfessionalCptsFactory(cpts=cpts)
    o["professional"] = o["pro_link"].professional
    o["structure"] = StructureFactory(name=f"MSP {name}")
    o["structure"].cpts_links.create(cpts=cpts)
    o["error_report"] = directory_services.error_report_create(
        actor=member, message="Téléphone erroné", professional=o["professional"]
    )
    return t


def gard_people(world):
    """The world has no coordinator for Charlie nor for the Gard federation, and Charlie is the Gard's only
    member: add them, and CPTS Golf (its bureau member will hold Charlie's proxy)."""
    coordinator_c = factories.MembershipFactory(
        cpts=world.cpts_c,
        role=CptsRole.COORDINATOR,
        user=factories.UserFactory(email="coord@charlie.example.org"),
    ).user
    fed_coordinator_gard = factories.UserFactory(email="coordination@inter30.example.org")
    factories.FederationRoleFactory(
        user=fed_coordinator_gard, federation=world.other_fed, role=FederationRole.Role.COORDINATOR
    )
    golf = factories.CptsFactory(name="CPTS Golf", slug="golf")
    factories.FederationMemberFactory(federation=world.other_fed, cpts=golf)
    bureau_golf = factories.MembershipFactory(
        cpts=golf, role=CptsRole.BUREAU, user=factories.UserFactory(email="bureau@golf.example.org")
    ).user
    return coordinator_c, fed_coordinator_gard, golf, bureau_golf
