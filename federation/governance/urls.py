from django.urls import path

from federation.governance import api, views

F = "federations/<slug:federation_slug>"
G = "gouvernance/<slug:federation_slug>"

urlpatterns = [
    # HTML (French)
    path("gouvernance/", views.index, name="governance-index"),
    path(f"{G}/", views.federation_governance, name="governance-federation"),
    path(f"{G}/seances/<int:meeting_id>/", views.meeting_room, name="governance-meeting"),
    path(f"{G}/seances/<int:meeting_id>/action/", views.meeting_action, name="governance-meeting-action"),
    path(f"{G}/seances/<int:meeting_id>/proces-verbal.pdf", views.minutes, name="governance-minutes"),
    path(f"{G}/scrutins/<int:poll_id>/", views.poll_page, name="governance-poll"),
    path(f"{G}/scrutins/<int:poll_id>/action/", views.poll_action, name="governance-poll-action"),
    # API
    path(f"api/governance/{F}/", api.OverviewView.as_view(), name="api-governance-overview"),
    path(f"api/governance/{F}/statutes/", api.StatutesView.as_view(), name="api-governance-statutes"),
    path(f"api/governance/{F}/fees/", api.FeeListView.as_view(), name="api-governance-fees"),
    path(f"api/governance/{F}/fees/<int:fee_id>/", api.FeeStatusView.as_view(), name="api-governance-fee"),
    path(f"api/governance/{F}/delegates/", api.DelegateView.as_view(), name="api-governance-delegates"),
    path(f"api/governance/{F}/bureau/", api.BureauView.as_view(), name="api-governance-bureau"),
    path(f"api/governance/{F}/audit/", api.AuditListView.as_view(), name="api-governance-audit"),
    path(f"api/governance/{F}/meetings/", api.MeetingListView.as_view(), name="api-governance-meetings"),
    path(
        f"api/governance/{F}/meetings/<int:meeting_id>/",
        api.MeetingDetailView.as_view(),
        name="api-governance-meeting",
    ),
    path(
        f"api/governance/{F}/meetings/<int:meeting_id>/attendance/",
        api.AttendanceView.as_view(),
        name="api-governance-attendance",
    ),
    path(
        f"api/governance/{F}/meetings/<int:meeting_id>/proxies/",
        api.ProxyView.as_view(),
        name="api-governance-proxies",
    ),
    path(
        f"api/governance/{F}/meetings/<int:meeting_id>/proxies/<int:proxy_id>/withdraw/",
        api.ProxyWithdrawView.as_view(),
        name="api-governance-proxy-withdraw",
    ),
    path(
        f"api/governance/{F}/meetings/<int:meeting_id>/<slug:action>/",
        api.MeetingActionView.as_view(),
        name="api-governance-meeting-action",
    ),
    path(f"api/governance/{F}/polls/", api.PollListView.as_view(), name="api-governance-polls"),
    path(
        f"api/governance/{F}/polls/<int:poll_id>/", api.PollDetailView.as_view(), name="api-governance-poll"
    ),
    path(
        f"api/governance/{F}/polls/<int:poll_id>/live/",
        api.PollLiveView.as_view(),
        name="api-governance-live",
    ),
    path(
        f"api/governance/{F}/polls/<int:poll_id>/ballots/",
        api.BallotView.as_view(),
        name="api-governance-ballots",
    ),
    path(
        f"api/governance/{F}/polls/<int:poll_id>/<slug:action>/",
        api.PollActionView.as_view(),
        name="api-governance-poll-action",
    ),
]
