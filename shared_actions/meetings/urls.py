"""Pages and API of meetings (paths and names unchanged since the split: other apps and tests reverse them)."""

from django.urls import path

from shared_actions.meetings import api, views

urlpatterns = [
    path("actions/agenda/<slug:federation_slug>/", views.federation_agenda, name="actions-agenda"),
    path(
        "actions/agenda/<slug:federation_slug>/agenda.ics",
        views.federation_agenda_ics,
        name="actions-agenda-ics",
    ),
    path("actions/reunions/", views.meeting_list, name="actions-meetings"),
    path("actions/reunions/<int:meeting_id>/", views.meeting_detail, name="actions-meeting"),
    path("actions/reunions/<int:meeting_id>/inviter/", views.meeting_invite, name="actions-meeting-invite"),
    path("actions/reunions/<int:meeting_id>/reponse/", views.meeting_reply, name="actions-meeting-reply"),
    path(
        "actions/reunions/<int:meeting_id>/presences/",
        views.meeting_attendance,
        name="actions-meeting-attendance",
    ),
    path(
        "actions/reunions/<int:meeting_id>/compte-rendu/",
        views.meeting_minutes,
        name="actions-meeting-minutes",
    ),
    path(
        "actions/reunions/<int:meeting_id>/emargement/",
        views.meeting_sign_sheet,
        name="actions-meeting-sheet",
    ),
    path("actions/reunions/<int:meeting_id>/invitation.ics", views.meeting_ics, name="actions-meeting-ics"),
    path(
        "api/shared-actions/federations/<slug:federation_slug>/agenda/",
        api.FederationAgendaView.as_view(),
        name="api-actions-agenda",
    ),
    path("api/shared-actions/meetings/", api.MeetingListView.as_view(), name="api-actions-meetings"),
    path(
        "api/shared-actions/meetings/<int:meeting_id>/",
        api.MeetingDetailView.as_view(),
        name="api-actions-meeting",
    ),
    path(
        "api/shared-actions/meetings/<int:meeting_id>/invitations/",
        api.MeetingInviteView.as_view(),
        name="api-actions-meeting-invite",
    ),
    path(
        "api/shared-actions/meetings/<int:meeting_id>/reply/",
        api.MeetingReplyView.as_view(),
        name="api-actions-meeting-reply",
    ),
    path(
        "api/shared-actions/meetings/<int:meeting_id>/attendance/",
        api.MeetingAttendanceView.as_view(),
        name="api-actions-meeting-attendance",
    ),
    path(
        "api/shared-actions/meetings/<int:meeting_id>/minutes/",
        api.MeetingMinutesView.as_view(),
        name="api-actions-meeting-minutes",
    ),
]
