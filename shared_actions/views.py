"""The home page of the pooled resources (/actions/): a summary of every sub-domain. The pages of each
sub-domain live in its package (`documents/views.py`, `rosters/views.py`, ...)."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from federation.selectors import user_federations
from shared_actions.campaigns.selectors import current_campaigns
from shared_actions.documents.selectors import visible_documents
from shared_actions.meetings.selectors import upcoming_meetings
from shared_actions.rosters.selectors import open_swap_requests, user_assignments


@login_required
def index(request):
    user = request.user
    return render(
        request,
        "shared_actions/index.html",
        {
            "shifts": user_assignments(user)[:10],
            "meetings": upcoming_meetings(user)[:10],
            "swaps": open_swap_requests(user)[:10],
            "federations": user_federations(user),
            "campaigns": current_campaigns(user)[:6],
            "documents": visible_documents(user)[:6],
        },
    )
