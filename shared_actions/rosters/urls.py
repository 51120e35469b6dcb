"""Pages and API of rosters (paths and names unchanged since the split: other apps and tests reverse them)."""

from django.urls import path

from shared_actions.rosters import api, views

urlpatterns = [
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
]
