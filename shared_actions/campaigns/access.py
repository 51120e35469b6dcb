"""Who may see, manage and report for prevention campaigns."""

from django.db.models import Q

from federation.models import User
from shared_actions.access import Scope, resolve
from shared_actions.campaigns.models import ActionTask, Campaign, CampaignAction


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
    queryset = Campaign.objects.select_related("federation", "lead_cpts").prefetch_related("participants")
    return resolve(
        user, queryset, campaign_id, campaigns_visible_q, for_write=for_write, can_write=can_manage_campaign
    )


def access_campaign_action(user: User, action_id: int) -> CampaignAction:
    """An action of a campaign the user may see (see `access_campaign`); Http404 otherwise."""
    queryset = CampaignAction.objects.select_related("campaign", "cpts", "commune", "person_in_charge")
    return resolve(
        user, queryset, action_id, lambda scope: Q(campaign__federation_id__in=scope.federation_ids)
    )


def access_action_task(user: User, task_id: int, *, action: CampaignAction | None = None) -> ActionTask:
    """A checklist item of a campaign the user may see (see `access_campaign`), of `action` when
    given; Http404 otherwise. Ticking it needs a participating CPTS (checked by the services)."""
    queryset = ActionTask.objects.select_related("action__campaign")
    if action is not None:
        queryset = queryset.filter(action=action)
    queryset = queryset
    return resolve(
        user, queryset, task_id, lambda scope: Q(action__campaign__federation_id__in=scope.federation_ids)
    )
