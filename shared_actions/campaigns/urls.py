"""Pages and API of campaigns (paths and names unchanged since the split: other apps and tests reverse them)."""

from django.urls import path

from shared_actions.campaigns import api, views

urlpatterns = [
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
]
