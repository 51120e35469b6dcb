"""Every page and API route of the pooled resources: the index here, the rest from each sub-domain."""

from django.urls import path

from shared_actions import views
from shared_actions.campaigns.urls import urlpatterns as campaigns
from shared_actions.documents.urls import urlpatterns as documents
from shared_actions.meetings.urls import urlpatterns as meetings
from shared_actions.rosters.urls import urlpatterns as rosters

urlpatterns = [
    path("actions/", views.index, name="actions-index"),
    *documents,
    *rosters,
    *campaigns,
    *meetings,
]
