from django.urls import path

from missions.projet.fiches import api as fiches_api
from missions.projet.fiches import views as fiches_views
from missions.projet.health_project import api as project_api
from missions.projet.health_project import views as project_views
from missions.projet.register import api as register_api
from missions.projet.register import views as register_views

C = "cpts/<slug:cpts_slug>"
A = f"api/projet/{C}"

urlpatterns = [
    # HTML (French)
    path(f"{C}/registre/", register_views.register_page, name="projet-register"),
    path(f"{C}/registre/<int:member_id>/", register_views.member_page, name="projet-register-member"),
    path(f"{C}/registre/membres.<str:fmt>", register_views.register_export, name="projet-register-export"),
    path("mes-adhesions/", register_views.my_adhesions, name="projet-my-adhesions"),
    path(
        "mes-adhesions/<int:member_id>/", register_views.my_adhesion_action, name="projet-my-adhesion-action"
    ),
    path(f"{C}/projet-de-sante/", project_views.project_page, name="projet-health-project"),
    path(f"{C}/projet-de-sante/action/", project_views.project_action, name="projet-health-project-action"),
    path(f"{C}/projet-de-sante/v<int:number>/", project_views.version_page, name="projet-version"),
    path(f"{C}/projet-de-sante/v<int:number>.pdf", project_views.version_pdf, name="projet-version-pdf"),
    path(f"{C}/fiches-action/", fiches_views.fiche_list, name="projet-fiches"),
    path(f"{C}/fiches-action/<int:fiche_id>/", fiches_views.fiche_page, name="projet-fiche"),
    path(f"{C}/fiches-action/<int:fiche_id>/action/", fiches_views.fiche_action, name="projet-fiche-action"),
    path("fiches-action/bibliotheque/", fiches_views.library, name="projet-library"),
    path(
        "fiches-action/bibliotheque/<int:fiche_id>/", fiches_views.library_fiche, name="projet-library-fiche"
    ),
    # API
    path(f"{A}/register/", register_api.RegisterListView.as_view(), name="api-projet-register"),
    path(f"{A}/register/stats/", register_api.RegisterStatsView.as_view(), name="api-projet-register-stats"),
    path(f"{A}/register/categories/", register_api.CategoryListView.as_view(), name="api-projet-categories"),
    path(
        f"{A}/register/export.<str:fmt>", register_api.RegisterExportView.as_view(), name="api-projet-export"
    ),
    path(
        f"{A}/register/<int:member_id>/", register_api.RegisterMemberView.as_view(), name="api-projet-member"
    ),
    path(
        f"{A}/register/<int:member_id>/<slug:action>/",
        register_api.RegisterActionView.as_view(),
        name="api-projet-member-action",
    ),
    path(f"{A}/join/", register_api.JoinView.as_view(), name="api-projet-join"),
    path("api/projet/me/adhesions/", register_api.MyAdhesionsView.as_view(), name="api-projet-my-adhesions"),
    path(
        "api/projet/me/adhesions/<int:member_id>/consent/",
        register_api.MyAdhesionConsentView.as_view(),
        name="api-projet-my-adhesion-consent",
    ),
    path(
        "api/projet/me/adhesions/<int:member_id>/resign/",
        register_api.MyAdhesionResignView.as_view(),
        name="api-projet-my-adhesion-resign",
    ),
    path(f"{A}/health-project/", project_api.ProjectView.as_view(), name="api-projet-project"),
    path(f"{A}/health-project/draft/", project_api.DraftView.as_view(), name="api-projet-draft"),
    path(f"{A}/health-project/publish/", project_api.PublishView.as_view(), name="api-projet-publish"),
    path(
        f"{A}/health-project/new-version/",
        project_api.NewVersionView.as_view(),
        name="api-projet-new-version",
    ),
    path(f"{A}/health-project/status/", project_api.ProjectStatusView.as_view(), name="api-projet-status"),
    path(
        f"{A}/health-project/versions/<int:number>/",
        project_api.VersionView.as_view(),
        name="api-projet-version",
    ),
    path(
        f"{A}/health-project/versions/<int:number>/pdf/",
        project_api.VersionPdfView.as_view(),
        name="api-projet-version-pdf",
    ),
    path(
        f"{A}/health-project/versions/<int:number>/acknowledgements/",
        project_api.AcknowledgementsView.as_view(),
        name="api-projet-acknowledgements",
    ),
    path(f"{A}/fiches/", fiches_api.FicheListView.as_view(), name="api-projet-fiches"),
    path(f"{A}/fiches/<int:fiche_id>/", fiches_api.FicheDetailView.as_view(), name="api-projet-fiche"),
    path(
        f"{A}/fiches/<int:fiche_id>/status/",
        fiches_api.FicheStatusView.as_view(),
        name="api-projet-fiche-status",
    ),
    path(
        f"{A}/fiches/<int:fiche_id>/publish/",
        fiches_api.FichePublishView.as_view(),
        name="api-projet-fiche-publish",
    ),
    path("api/projet/library/", fiches_api.LibraryListView.as_view(), name="api-projet-library"),
    path(
        "api/projet/library/<int:fiche_id>/",
        fiches_api.LibraryDetailView.as_view(),
        name="api-projet-library-fiche",
    ),
    path(
        "api/projet/library/<int:fiche_id>/copy/",
        fiches_api.LibraryCopyView.as_view(),
        name="api-projet-library-copy",
    ),
]
