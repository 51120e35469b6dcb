from django.urls import path
from django.views.decorators.gzip import gzip_page

from federation import api, cockpit_api, cockpit_views, member_views, views

urlpatterns = [
    path("", views.home, name="home"),
    path("cpts/<slug:cpts_slug>/", views.cpts_home, name="cpts-home"),
    path("cpts/<slug:cpts_slug>/membres/", member_views.members, name="cpts-members"),
    path("federation/<slug:federation_slug>/", views.federation_home, name="federation-home"),
    # The federation cockpit, its view of a member CPTS, territory editing (cockpit_views.py)
    path("federation/<slug:federation_slug>/pilotage/", cockpit_views.cockpit, name="federation-cockpit"),
    path(
        "federation/<slug:federation_slug>/cpts/<slug:cpts_slug>/",
        cockpit_views.federation_cpts,
        name="federation-cpts",
    ),
    path("cpts/<slug:cpts_slug>/territoire/", cockpit_views.territory, name="cpts-territory"),
    # The former form (INSEE codes, no preview): kept for scripts, the page uses the preview above.
    path("cpts/<slug:cpts_slug>/territoire/ajouter/", views.cpts_territory_add, name="cpts-territory-add"),
    path(
        "cpts/<slug:cpts_slug>/territoire/apercu/",
        cockpit_views.territory_preview,
        name="cpts-territory-preview",
    ),
    path(
        "cpts/<slug:cpts_slug>/territoire/confirmer/",
        cockpit_views.territory_confirm,
        name="cpts-territory-confirm",
    ),
    # API
    path("api/auth/token/", api.ObtainTokenView.as_view(), name="api-token"),
    path("api/me/", api.MeView.as_view(), name="api-me"),
    path("api/communes/", api.CommuneListView.as_view(), name="api-communes"),
    path("api/cpts/", api.CptsListView.as_view(), name="api-cpts-list"),
    path("api/cpts/<slug:cpts_slug>/", api.CptsDetailView.as_view(), name="api-cpts-detail"),
    path("api/cpts/<slug:cpts_slug>/territory/", api.CptsTerritoryView.as_view(), name="api-cpts-territory"),
    path("api/cpts/<slug:cpts_slug>/members/", api.CptsMembersView.as_view(), name="api-cpts-members"),
    path(
        "api/cpts/<slug:cpts_slug>/members/<int:user_id>/",
        api.CptsMemberDetailView.as_view(),
        name="api-cpts-member-detail",
    ),
    path("api/federations/", api.FederationListView.as_view(), name="api-federation-list"),
    # Cockpit, territory map and territory editing (cockpit_api.py)
    path(
        "api/federations/<slug:federation_slug>/cockpit/",
        cockpit_api.CockpitView.as_view(),
        name="api-federation-cockpit",
    ),
    path(
        "api/federations/<slug:federation_slug>/territory-map/",
        gzip_page(cockpit_api.FederationMapView.as_view()),
        name="api-federation-map",
    ),
    path(
        "api/cpts/<slug:cpts_slug>/territory/map/",
        gzip_page(cockpit_api.CptsMapView.as_view()),
        name="api-cpts-map",
    ),
    path(
        "api/cpts/<slug:cpts_slug>/territory/candidates/",
        cockpit_api.CandidatesView.as_view(),
        name="api-cpts-territory-candidates",
    ),
    path(
        "api/cpts/<slug:cpts_slug>/territory/preview/",
        cockpit_api.PreviewView.as_view(),
        name="api-cpts-territory-preview",
    ),
    path(
        "api/cpts/<slug:cpts_slug>/territory/edit/",
        cockpit_api.EditView.as_view(),
        name="api-cpts-territory-edit",
    ),
    path(
        "api/cpts/<slug:cpts_slug>/territory/history/",
        cockpit_api.HistoryView.as_view(),
        name="api-cpts-territory-history",
    ),
    path(
        "api/federations/<slug:federation_slug>/",
        api.FederationDetailView.as_view(),
        name="api-federation-detail",
    ),
]
