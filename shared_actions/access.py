"""Who may see and change the pooled resources. Every lookup goes through these helpers.

"Not yours" and "does not exist" both raise Http404; a user who may see but not change something
gets PermissionDenied (403). `Scope` gathers, in a few queries, the spaces a user takes part in.
"""

from dataclasses import dataclass
from functools import cached_property

from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404

from federation.models import CPTS_MANAGER_ROLES, FederationMember, FederationRole, Membership, User
from shared_actions.models import (
    ActionTask,
    Campaign,
    CampaignAction,
    Document,
    DocumentVersion,
    Invitation,
    Meeting,
    Roster,
    Shift,
    ShiftAssignment,
    SwapRequest,
    Visibility,
)

FEDERATION_MANAGER_ROLES = (FederationRole.Role.ADMIN, FederationRole.Role.COORDINATOR)


@dataclass
class Scope:
    """The spaces a user belongs to, computed lazily (one query per attribute, cached)."""

    user: User

    @property
    def is_staff(self) -> bool:
        return bool(self.user.is_authenticated and self.user.is_staff)

    @cached_property
    def _memberships(self) -> list[tuple[int, str]]:
        if not self.user.is_authenticated:
            return []
        return list(Membership.objects.filter(user=self.user).values_list("cpts_id", "role"))

    @cached_property
    def cpts_ids(self) -> set[int]:
        return {cpts_id for cpts_id, _role in self._memberships}

    @cached_property
    def managed_cpts_ids(self) -> set[int]:
        return {cpts_id for cpts_id, role in self._memberships if role in CPTS_MANAGER_ROLES}

    @cached_property
    def _federation_roles(self) -> list[tuple[int, str]]:
        if not self.user.is_authenticated:
            return []
        return list(FederationRole.objects.filter(user=self.user).values_list("federation_id", "role"))

    @cached_property
    def managed_federation_ids(self) -> set[int]:
        return {fed for fed, role in self._federation_roles if role in FEDERATION_MANAGER_ROLES}

    @cached_property
    def partner_federation_ids(self) -> set[int]:
        return {fed for fed, role in self._federation_roles if role == FederationRole.Role.PARTNER_DELEGATE}

    @cached_property
    def member_federation_ids(self) -> set[int]:
        """Federations the user's CPTS belong to today."""
        if not self.cpts_ids:
            return set()
        return set(
            FederationMember.objects.filter(cpts_id__in=self.cpts_ids, left_on__isnull=True).values_list(
                "federation_id", flat=True
            )
        )

    @cached_property
    def federation_ids(self) -> set[int]:
        """Every federation the user takes part in (CPTS member, federation staff, partner delegate)."""
        return self.member_federation_ids | self.managed_federation_ids | self.partner_federation_ids

    def manages_cpts(self, cpts_id: int | None) -> bool:
        return self.is_staff or cpts_id in self.managed_cpts_ids

    def manages_federation(self, federation_id: int | None) -> bool:
        return self.is_staff or federation_id in self.managed_federation_ids


def scope_of(user: User) -> Scope:
    return Scope(user)


def _require_user(user: User) -> None:
    if not user.is_authenticated:
        raise Http404


# --- documents ------------------------------------------------------------------------------------
def documents_visible_q(scope: Scope) -> Q:
    """The Q filter of the documents a user may read (see `Visibility`)."""
    shared_with_me = Document.shared_with.through.objects.filter(
        document_id=OuterRef("pk"), cpts_id__in=scope.cpts_ids
    )
    designated = Document.shared_with_users.through.objects.filter(
        document_id=OuterRef("pk"), user_id=scope.user.pk
    )
    owner = Q(cpts_id__in=scope.cpts_ids) | Q(
        cpts__isnull=True, federation_id__in=scope.managed_federation_ids
    )
    return (
        (owner & ~Q(visibility=Visibility.PEOPLE))
        | Q(
            visibility__in=[Visibility.FEDERATION, Visibility.PARTNERS],
            federation_id__in=scope.member_federation_ids | scope.managed_federation_ids,
        )
        | Q(visibility=Visibility.PARTNERS, federation_id__in=scope.partner_federation_ids)
        | Q(Exists(shared_with_me), visibility=Visibility.SELECTED)
        | Q(visibility=Visibility.PEOPLE, created_by_id=scope.user.pk)
        | Q(Exists(designated), visibility=Visibility.PEOPLE)
    )


def can_write_document(scope: Scope, document: Document) -> bool:
    """Managers of the owner (CPTS coordinators/admins, or federation staff for a federation
    document) change a document; the person who created a CPTS document may add versions too.
    A document for designated people is changed only by the person who shared it."""
    if scope.is_staff:
        return True
    if document.visibility == Visibility.PEOPLE:  # private to its people: only who shared it
        return document.created_by_id == scope.user.pk
    if document.cpts_id is not None:
        return document.cpts_id in scope.managed_cpts_ids or (
            document.created_by_id == scope.user.pk and document.cpts_id in scope.cpts_ids
        )
    return document.federation_id in scope.managed_federation_ids


def access_document(user: User, document_id: int, *, for_write: bool = False) -> Document:
    """The document `document_id` if the user may see it (its visibility scope).

    Raises Http404 when it does not exist or is outside the user's visibility scope; with
    `for_write`, PermissionDenied when the user sees it but may not change it (see `can_write_document`).
    """
    _require_user(user)
    scope = scope_of(user)
    queryset = Document.objects.select_related("cpts", "federation")
    if not scope.is_staff:
        queryset = queryset.filter(documents_visible_q(scope))
    document = queryset.filter(pk=document_id).first()
    if document is None:
        raise Http404
    if for_write and not can_write_document(scope, document):
        raise PermissionDenied
    return document


def access_document_version(user: User, document_id: int, number: int) -> DocumentVersion:
    """Version `number` of a document the user may see; Http404 otherwise."""
    document = access_document(user, document_id)
    version = document.versions.select_related("document").filter(number=number).first()
    if version is None:
        raise Http404
    return version


# --- rosters --------------------------------------------------------------------------------------
def rosters_visible_q(scope: Scope) -> Q:
    participates = Roster.participants.through.objects.filter(
        roster_id=OuterRef("pk"), cpts_id__in=scope.cpts_ids
    )
    return (
        Q(cpts_id__in=scope.cpts_ids)
        | Q(Exists(participates))
        | Q(federation_id__in=scope.managed_federation_ids)
    )


def can_manage_roster(scope: Scope, roster: Roster) -> bool:
    """A CPTS roster: that CPTS's coordinators/admins. A pooled roster: the federation staff and the
    coordinators/admins of any participating CPTS."""
    if scope.is_staff:
        return True
    if roster.cpts_id is not None:
        return roster.cpts_id in scope.managed_cpts_ids
    if roster.federation_id in scope.managed_federation_ids:
        return True
    participant_ids = {c.pk for c in roster.participants.all()}
    return bool(participant_ids & scope.managed_cpts_ids)


def roster_cpts_ids(roster: Roster) -> set[int]:
    """The CPTS whose members may sign up on the roster."""
    if roster.cpts_id is not None:
        return {roster.cpts_id}
    return {c.pk for c in roster.participants.all()}


def access_roster(user: User, roster_id: int, *, for_write: bool = False) -> Roster:
    """The roster `roster_id` if the user belongs to its CPTS (or a participating CPTS of a pooled
    roster, or manages its federation). Http404 otherwise; with `for_write`, PermissionDenied unless
    the user manages it (see `can_manage_roster`)."""
    _require_user(user)
    scope = scope_of(user)
    queryset = Roster.objects.select_related("cpts", "federation").prefetch_related("participants")
    if not scope.is_staff:
        queryset = queryset.filter(rosters_visible_q(scope))
    roster = queryset.filter(pk=roster_id).first()
    if roster is None:
        raise Http404
    if for_write and not can_manage_roster(scope, roster):
        raise PermissionDenied
    return roster


def access_shift(user: User, shift_id: int, *, for_write: bool = False) -> Shift:
    """A shift of a roster the user may see (see `access_roster`); same 404/403 rules."""
    _require_user(user)
    scope = scope_of(user)
    queryset = Shift.objects.select_related("roster", "site")
    if not scope.is_staff:
        queryset = queryset.filter(roster__in=Roster.objects.filter(rosters_visible_q(scope)))
    shift = queryset.filter(pk=shift_id).first()
    if shift is None:
        raise Http404
    if for_write and not can_manage_roster(scope, shift.roster):
        raise PermissionDenied
    return shift


def access_assignment(user: User, assignment_id: int) -> ShiftAssignment:
    """A person's place on a shift of a roster the user may see (see `access_roster`); Http404
    otherwise. Who may withdraw or exchange it is checked by the services."""
    _require_user(user)
    scope = scope_of(user)
    queryset = ShiftAssignment.objects.select_related("shift__roster", "shift__site", "user", "cpts")
    if not scope.is_staff:
        queryset = queryset.filter(shift__roster__in=Roster.objects.filter(rosters_visible_q(scope)))
    assignment = queryset.filter(pk=assignment_id).first()
    if assignment is None:
        raise Http404
    return assignment


def access_swap_request(user: User, request_id: int) -> SwapRequest:
    """A swap/replacement request of a roster the user may see; Http404 otherwise. What the user may
    do with it (accept, approve, cancel) is checked by the services."""
    _require_user(user)
    scope = scope_of(user)
    queryset = SwapRequest.objects.select_related(
        "assignment__shift__roster", "assignment__shift__site", "requester", "target", "counterpart__shift"
    )
    if not scope.is_staff:
        queryset = queryset.filter(
            assignment__shift__roster__in=Roster.objects.filter(rosters_visible_q(scope))
        )
    swap = queryset.filter(pk=request_id).first()
    if swap is None:
        raise Http404
    return swap


# --- campaigns ------------------------------------------------------------------------------------
def campaigns_visible_q(scope: Scope) -> Q:
    return Q(federation_id__in=scope.federation_ids)


def can_manage_campaign(scope: Scope, campaign: Campaign) -> bool:
    """The federation staff and the coordinators/admins of the lead CPTS."""
    return scope.manages_federation(campaign.federation_id) or scope.manages_cpts(campaign.lead_cpts_id)


def can_report_for(scope: Scope, campaign: Campaign, cpts_id: int) -> bool:
    """Values of a participating CPTS are reported by its coordinators/admins (or campaign managers)."""
    if can_manage_campaign(scope, campaign):
        return True
    return cpts_id in scope.managed_cpts_ids


def access_campaign(user: User, campaign_id: int, *, for_write: bool = False) -> Campaign:
    """The campaign `campaign_id` if the user takes part in its federation (CPTS member, federation
    staff or partner delegate). Http404 otherwise; with `for_write`, PermissionDenied unless the user
    manages it (see `can_manage_campaign`)."""
    _require_user(user)
    scope = scope_of(user)
    queryset = Campaign.objects.select_related("federation", "lead_cpts").prefetch_related("participants")
    if not scope.is_staff:
        queryset = queryset.filter(campaigns_visible_q(scope))
    campaign = queryset.filter(pk=campaign_id).first()
    if campaign is None:
        raise Http404
    if for_write and not can_manage_campaign(scope, campaign):
        raise PermissionDenied
    return campaign


def access_action_task(user: User, task_id: int) -> ActionTask:
    """A checklist item of a campaign the user may see (see `access_campaign`); Http404 otherwise.
    Ticking it needs a participating CPTS (checked by the services)."""
    _require_user(user)
    scope = scope_of(user)
    queryset = ActionTask.objects.select_related("action__campaign")
    if not scope.is_staff:
        queryset = queryset.filter(action__campaign__federation_id__in=scope.federation_ids)
    task = queryset.filter(pk=task_id).first()
    if task is None:
        raise Http404
    return task


def access_campaign_action(user: User, action_id: int) -> CampaignAction:
    """An action of a campaign the user may see (see `access_campaign`); Http404 otherwise."""
    _require_user(user)
    scope = scope_of(user)
    queryset = CampaignAction.objects.select_related("campaign", "cpts", "commune", "person_in_charge")
    if not scope.is_staff:
        queryset = queryset.filter(campaign__federation_id__in=scope.federation_ids)
    action = queryset.filter(pk=action_id).first()
    if action is None:
        raise Http404
    return action


# --- meetings -------------------------------------------------------------------------------------
def meetings_visible_q(scope: Scope) -> Q:
    invited = Invitation.objects.filter(meeting_id=OuterRef("pk"), user_id=scope.user.pk)
    return (
        Q(cpts_id__in=scope.cpts_ids)
        | Q(cpts__isnull=True, federation_id__in=scope.federation_ids)
        | Q(Exists(invited))
    )


def can_manage_meeting(scope: Scope, meeting: Meeting) -> bool:
    """Its organiser, the coordinators/admins of its CPTS, or the federation staff."""
    if scope.is_staff or (scope.user.is_authenticated and meeting.created_by_id == scope.user.pk):
        return True
    if meeting.cpts_id is not None:
        return meeting.cpts_id in scope.managed_cpts_ids
    return meeting.federation_id in scope.managed_federation_ids


def access_meeting(user: User, meeting_id: int, *, for_write: bool = False) -> Meeting:
    """The meeting if the user belongs to its CPTS (federation meetings: takes part in the federation)
    or is invited. Http404 otherwise; with `for_write`, PermissionDenied unless the user manages it."""
    _require_user(user)
    scope = scope_of(user)
    queryset = Meeting.objects.select_related("cpts", "federation", "campaign", "minutes")
    if not scope.is_staff:
        queryset = queryset.filter(meetings_visible_q(scope))
    meeting = queryset.filter(pk=meeting_id).first()
    if meeting is None:
        raise Http404
    if for_write and not can_manage_meeting(scope, meeting):
        raise PermissionDenied
    return meeting


def filter_visible(queryset: QuerySet, scope: Scope, q: Q) -> QuerySet:
    return queryset if scope.is_staff else queryset.filter(q)
