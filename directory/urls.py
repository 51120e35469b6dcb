from django.urls import path

from directory import api, views

urlpatterns = [
    path("annuaire/", views.directory_home, name="directory-home"),
    path("annuaire/professionnels/<int:pk>/", views.professional_detail, name="directory-professional"),
    path(
        "annuaire/professionnels/<int:pk>/modifier/",
        views.professional_edit,
        name="directory-professional-edit",
    ),
    path(
        "annuaire/professionnels/<int:pk>/vcard/",
        views.professional_vcard,
        name="directory-professional-vcard",
    ),
    path(
        "annuaire/professionnels/<int:pk>/signaler/",
        views.professional_report,
        name="directory-professional-report",
    ),
    path(
        "annuaire/professionnels/<int:pk>/cpts/<slug:cpts_slug>/retirer/",
        views.professional_leave,
        name="directory-professional-leave",
    ),
    path("annuaire/signalements/", views.error_reports, name="directory-reports"),
    path("annuaire/structures/<int:pk>/", views.structure_detail, name="directory-structure"),
    path("annuaire/structures/<int:pk>/signaler/", views.structure_report, name="directory-structure-report"),
    # API
    path("api/directory/search/", api.SearchView.as_view(), name="api-directory-search"),
    path("api/directory/autocomplete/", api.AutocompleteView.as_view(), name="api-directory-autocomplete"),
    path("api/directory/outlines/", api.OutlinesView.as_view(), name="api-directory-outlines"),
    path(
        "api/directory/professionals/<int:pk>/",
        api.ProfessionalDetailView.as_view(),
        name="api-directory-professional",
    ),
    path(
        "api/directory/professionals/<int:pk>/history/",
        api.ProfessionalHistoryView.as_view(),
        name="api-directory-professional-history",
    ),
    path(
        "api/directory/professionals/<int:pk>/report/",
        api.ProfessionalReportView.as_view(),
        name="api-directory-professional-report",
    ),
    path(
        "api/directory/structures/<int:pk>/",
        api.StructureDetailView.as_view(),
        name="api-directory-structure",
    ),
    path("api/directory/fhir/", api.FhirBundleView.as_view(), name="api-directory-fhir"),
    path(
        "api/directory/cpts/<slug:cpts_slug>/professionals/",
        api.CptsProfessionalsView.as_view(),
        name="api-directory-cpts-professionals",
    ),
    path(
        "api/directory/cpts/<slug:cpts_slug>/professionals/<int:pk>/",
        api.CptsProfessionalView.as_view(),
        name="api-directory-cpts-professional",
    ),
    path("api/directory/imports/", api.ImportListView.as_view(), name="api-directory-imports"),
    path("api/directory/imports/<int:pk>/", api.ImportDetailView.as_view(), name="api-directory-import"),
]
