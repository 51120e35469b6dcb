from django.urls import path

from federation import api, views

urlpatterns = [
    path("", views.home, name="home"),
    path("cpts/<slug:cpts_slug>/", views.cpts_home, name="cpts-home"),
    path("cpts/<slug:cpts_slug>/territoire/", views.cpts_territory_add, name="cpts-territory-add"),
    path("cpts/<slug:cpts_slug>/membres/", views.cpts_member_invite, name="cpts-member-invite"),
    path("federation/<slug:federation_slug>/", views.federation_home, name="federation-home"),
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
    path(
        "api/federations/<slug:federation_slug>/",
        api.FederationDetailView.as_view(),
        name="api-federation-detail",
    ),
]
