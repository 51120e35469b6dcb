"""Pages and API of documents (paths and names unchanged since the split: other apps and tests reverse them)."""

from django.urls import path

from shared_actions.documents import api, views

urlpatterns = [
    path("actions/documents/", views.document_list, name="actions-documents"),
    path("actions/documents/<int:document_id>/", views.document_detail, name="actions-document"),
    path("actions/documents/<int:document_id>/modifier/", views.document_edit, name="actions-document-edit"),
    path(
        "actions/documents/<int:document_id>/versions/<int:number>/",
        views.document_download,
        name="actions-document-download",
    ),
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
]
