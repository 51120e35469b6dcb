from django.urls import path

from missions import api, views

urlpatterns = [
    # pages
    path("missions/", views.index, name="missions-index"),
    path("cpts/<slug:cpts_slug>/contrat/", views.contract_page, name="missions-contract"),
    path("cpts/<slug:cpts_slug>/contrat/creer/", views.contract_create, name="missions-contract-create"),
    path("cpts/<slug:cpts_slug>/contrat/avenants/", views.avenant_add, name="missions-avenant-add"),
    path("cpts/<slug:cpts_slug>/contrat/indicateurs/", views.indicator_add, name="missions-indicator-add"),
    path(
        "cpts/<slug:cpts_slug>/contrat/indicateurs/<int:pk>/",
        views.indicator_history,
        name="missions-indicator-history",
    ),
    path(
        "cpts/<slug:cpts_slug>/contrat/indicateurs/<int:pk>/valeur/",
        views.indicator_value,
        name="missions-indicator-value",
    ),
    path(
        "cpts/<slug:cpts_slug>/contrat/indicateurs/<int:pk>/cible/",
        views.indicator_target,
        name="missions-indicator-target",
    ),
    path("cpts/<slug:cpts_slug>/contrat/recalculer/", views.autofill, name="missions-autofill"),
    path("cpts/<slug:cpts_slug>/contrat/revue/", views.review_schedule, name="missions-review"),
    path(
        "cpts/<slug:cpts_slug>/contrat/missions/<int:number>/annee/",
        views.mission_year,
        name="missions-mission-year",
    ),
    path("cpts/<slug:cpts_slug>/contrat/dossier/", views.pack_request, name="missions-pack-request"),
    path("missions/dossiers/<int:pk>/", views.pack_page, name="missions-pack"),
    path("missions/dossiers/<int:pk>/<str:fmt>/", views.pack_download, name="missions-pack-download"),
    path("missions/simulateur/", views.simulator, name="missions-simulator"),
    path("missions/federation/<slug:federation_slug>/", views.rollup, name="missions-rollup"),
    # API
    path("api/missions/aci/simulate/", api.SimulateView.as_view(), name="api-missions-simulate"),
    path("api/missions/aci/rule-sets/", api.RuleSetListView.as_view(), name="api-missions-rule-sets"),
    path(
        "api/missions/cpts/<slug:cpts_slug>/contract/",
        api.ContractView.as_view(),
        name="api-missions-contract",
    ),
    path(
        "api/missions/cpts/<slug:cpts_slug>/contract/avenants/",
        api.AvenantListView.as_view(),
        name="api-missions-avenants",
    ),
    path(
        "api/missions/cpts/<slug:cpts_slug>/contract/missions/",
        api.MissionListView.as_view(),
        name="api-missions-missions",
    ),
    path(
        "api/missions/cpts/<slug:cpts_slug>/contract/indicators/",
        api.IndicatorListView.as_view(),
        name="api-missions-indicators",
    ),
    path(
        "api/missions/cpts/<slug:cpts_slug>/contract/years/<int:year>/funding/",
        api.YearFundingView.as_view(),
        name="api-missions-year-funding",
    ),
    path(
        "api/missions/cpts/<slug:cpts_slug>/contract/years/<int:year>/indicators/",
        api.YearIndicatorsView.as_view(),
        name="api-missions-year-indicators",
    ),
    path(
        "api/missions/cpts/<slug:cpts_slug>/contract/years/<int:year>/autofill/",
        api.YearAutofillView.as_view(),
        name="api-missions-year-autofill",
    ),
    path(
        "api/missions/cpts/<slug:cpts_slug>/contract/years/<int:year>/missions/<int:number>/",
        api.MissionYearView.as_view(),
        name="api-missions-mission-year",
    ),
    path(
        "api/missions/cpts/<slug:cpts_slug>/contract/years/<int:year>/review/",
        api.ReviewView.as_view(),
        name="api-missions-review",
    ),
    path(
        "api/missions/cpts/<slug:cpts_slug>/contract/years/<int:year>/review-pack/",
        api.ReviewPackRequestView.as_view(),
        name="api-missions-review-pack-request",
    ),
    path(
        "api/missions/indicators/<int:pk>/", api.IndicatorDetailView.as_view(), name="api-missions-indicator"
    ),
    path(
        "api/missions/indicators/<int:pk>/values/",
        api.IndicatorValueView.as_view(),
        name="api-missions-value",
    ),
    path(
        "api/missions/indicators/<int:pk>/history/",
        api.IndicatorHistoryView.as_view(),
        name="api-missions-history",
    ),
    path(
        "api/missions/review-packs/<int:pk>/", api.ReviewPackView.as_view(), name="api-missions-review-pack"
    ),
    path(
        "api/missions/federations/<slug:federation_slug>/rollup/",
        api.RollupView.as_view(),
        name="api-missions-rollup",
    ),
]
