from django.urls import path

from shared_actions import api, views

urlpatterns = [
    # HTML pages
    path("actions/", views.index, name="actions-index"),
    path("actions/documents/", views.document_list, name="actions-documents"),
    path("actions/documents/<int:document_id>/", views.document_detail, name="actions-document"),
    path("actions/documents/<int:document_id>/modifier/", views.document_edit, name="actions-document-edit"),
    path(
        "actions/documents/<int:document_id>/versions/<int:number>/",
        views.document_download,
        name="actions-document-download",
    ),
    path("actions/plannings/", views.roster_list, name="actions-rosters"),
    path("actions/plannings/<int:roster_id>/", views.roster_detail, name="actions-roster"),
    path("actions/plannings/<int:roster_id>/sites/", views.roster_add_site, name="actions-roster-site"),
    path(
        "actions/plannings/<int:roster_id>/creneaux/", views.roster_add_shifts, name="actions-roster-shifts"
    ),
    path("actions/plannings/<int:roster_id>/heures.csv", views.roster_hours, name="actions-roster-hours"),
    path("actions/cpts/<slug:cpts_slug>/heures.csv", views.cpts_hours, name="actions-cpts-hours"),
    path("actions/creneaux/<int:shift_id>/inscription/", views.shift_sign_up, name="actions-shift-signup"),
    path("actions/creneaux/<int:shift_id>/supprimer/", views.shift_delete, name="actions-shift-delete"),
    path(
        "actions/affectations/<int:assignment_id>/retrait/",
        views.assignment_withdraw,
        name="actions-assignment-withdraw",
    ),
    path(
        "actions/affectations/<int:assignment_id>/demande/",
        views.assignment_request,
        name="actions-assignment-request",
    ),
    path("actions/demandes/<int:swap_id>/<str:action>/", views.swap_action, name="actions-swap"),
    path("actions/flux/", views.feed_create, name="actions-feed-create"),
    path("actions/flux/<int:feed_id>/revoquer/", views.feed_revoke, name="actions-feed-revoke"),
    path("actions/ical/<str:token>.ics", views.ical_feed, name="actions-ical-feed"),
    path("actions/campagnes/", views.campaign_list, name="actions-campaigns"),
    path("actions/campagnes/<int:campaign_id>/", views.campaign_detail, name="actions-campaign"),
    path(
        "actions/campagnes/<int:campaign_id>/valeur/",
        views.campaign_report_value,
        name="actions-campaign-value",
    ),
    path(
        "actions/campagnes/<int:campaign_id>/indicateur/",
        views.campaign_add_indicator,
        name="actions-campaign-indicator",
    ),
    path(
        "actions/campagnes/<int:campaign_id>/action/",
        views.campaign_add_action,
        name="actions-campaign-action",
    ),
    path(
        "actions/campagnes/<int:campaign_id>/support/",
        views.campaign_add_material,
        name="actions-campaign-material",
    ),
    path("actions/actions/<int:action_id>/taches/", views.action_task, name="actions-action-task"),
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
    # API
    path("api/shared-actions/documents/", api.DocumentListView.as_view(), name="api-actions-documents"),
    path(
        "api/shared-actions/documents/<int:document_id>/",
        api.DocumentDetailView.as_view(),
        name="api-actions-document",
    ),
    path(
        "api/shared-actions/documents/<int:document_id>/versions/",
        api.DocumentVersionsView.as_view(),
        name="api-actions-document-versions",
    ),
    path(
        "api/shared-actions/documents/<int:document_id>/versions/<int:number>/download/",
        api.DocumentDownloadView.as_view(),
        name="api-actions-document-download",
    ),
    path(
        "api/shared-actions/documents/<int:document_id>/access-log/",
        api.DocumentAccessLogView.as_view(),
        name="api-actions-document-log",
    ),
    path("api/shared-actions/rosters/", api.RosterListView.as_view(), name="api-actions-rosters"),
    path(
        "api/shared-actions/rosters/<int:roster_id>/",
        api.RosterDetailView.as_view(),
        name="api-actions-roster",
    ),
    path(
        "api/shared-actions/rosters/<int:roster_id>/sites/",
        api.RosterSitesView.as_view(),
        name="api-actions-roster-sites",
    ),
    path(
        "api/shared-actions/rosters/<int:roster_id>/shifts/",
        api.RosterShiftsView.as_view(),
        name="api-actions-roster-shifts",
    ),
    path(
        "api/shared-actions/rosters/<int:roster_id>/coverage/",
        api.RosterCoverageView.as_view(),
        name="api-actions-roster-coverage",
    ),
    path(
        "api/shared-actions/rosters/<int:roster_id>/hours.csv",
        api.RosterHoursView.as_view(),
        name="api-actions-roster-hours",
    ),
    path(
        "api/shared-actions/shifts/<int:shift_id>/", api.ShiftDetailView.as_view(), name="api-actions-shift"
    ),
    path(
        "api/shared-actions/shifts/<int:shift_id>/assignments/",
        api.ShiftAssignmentsView.as_view(),
        name="api-actions-shift-assignments",
    ),
    path(
        "api/shared-actions/assignments/<int:assignment_id>/",
        api.AssignmentDetailView.as_view(),
        name="api-actions-assignment",
    ),
    path("api/shared-actions/my-shifts/", api.MyShiftsView.as_view(), name="api-actions-my-shifts"),
    path("api/shared-actions/swaps/", api.SwapListView.as_view(), name="api-actions-swaps"),
    path(
        "api/shared-actions/swaps/<int:swap_id>/<str:action>/",
        api.SwapActionView.as_view(),
        name="api-actions-swap-action",
    ),
    path("api/shared-actions/feeds/", api.FeedListView.as_view(), name="api-actions-feeds"),
    path(
        "api/shared-actions/feeds/<int:feed_id>/revoke/",
        api.FeedRevokeView.as_view(),
        name="api-actions-feed-revoke",
    ),
    path("api/shared-actions/campaigns/", api.CampaignListView.as_view(), name="api-actions-campaigns"),
    path(
        "api/shared-actions/campaigns/<int:campaign_id>/",
        api.CampaignDetailView.as_view(),
        name="api-actions-campaign",
    ),
    path(
        "api/shared-actions/campaigns/<int:campaign_id>/actions/",
        api.CampaignActionsView.as_view(),
        name="api-actions-campaign-actions",
    ),
    path(
        "api/shared-actions/campaigns/<int:campaign_id>/indicators/",
        api.CampaignIndicatorsView.as_view(),
        name="api-actions-campaign-indicators",
    ),
    path(
        "api/shared-actions/campaigns/<int:campaign_id>/indicators/<int:indicator_id>/values/",
        api.IndicatorValuesView.as_view(),
        name="api-actions-indicator-values",
    ),
    path(
        "api/shared-actions/campaigns/<int:campaign_id>/dashboard/",
        api.CampaignDashboardView.as_view(),
        name="api-actions-campaign-dashboard",
    ),
    path(
        "api/shared-actions/campaigns/<int:campaign_id>/materials/",
        api.CampaignMaterialsView.as_view(),
        name="api-actions-campaign-materials",
    ),
    path(
        "api/shared-actions/campaign-actions/<int:action_id>/tasks/",
        api.ActionTasksView.as_view(),
        name="api-actions-action-tasks",
    ),
    path(
        "api/shared-actions/tasks/<int:task_id>/", api.ActionTaskDetailView.as_view(), name="api-actions-task"
    ),
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
