"""The home page of the pooled resources (/actions/): a summary of every sub-domain. The pages of each
sub-domain live in its package (`documents/views.py`, `rosters/views.py`, ...)."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils import timezone

from federation.selectors import user_federations
from shared_actions.campaigns.selectors import visible_campaigns
from shared_actions.documents.selectors import visible_documents
from shared_actions.meetings.selectors import visible_meetings
from shared_actions.rosters.selectors import user_assignments, user_swap_requests
from shared_actions.rosters.swaps import OPEN_STATUSES


@login_required
def index(request):
    user = request.user
    return render(
        request,
        "shared_actions/index.html",
        {
            "shifts": user_assignments(user)[:10],
            "meetings": visible_meetings(user).filter(end__gte=timezone.now())[:10],
            "swaps": user_swap_requests(user).filter(status__in=OPEN_STATUSES)[:10],
            "federations": user_federations(user),
            "campaigns": visible_campaigns(user).filter(end_date__gte=timezone.localdate())[:6],
            "documents": visible_documents(user)[:6],
        },
    )
