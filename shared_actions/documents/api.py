"""REST API of shared documents (/api/shared-actions/documents/). Thin: access helpers resolve,
services write, selectors read; errors propagate to the global handler (one shape)."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, status
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from federation.access import access_cpts
from shared_actions import params
from shared_actions.documents import selectors, services
from shared_actions.documents.access import access_document, access_document_version
from shared_actions.documents.files import file_response
from shared_actions.documents.serializers import (
    DocumentCreateSerializer,
    DocumentDetailSerializer,
    DocumentDownloadSerializer,
    DocumentSerializer,
    DocumentUpdateSerializer,
    DocumentVersionSerializer,
    VersionUploadSerializer,
)


@extend_schema(
    parameters=[
        OpenApiParameter("q", str, description="Recherche : titre, description, catégorie"),
        OpenApiParameter("category", str, description="Catégorie"),
    ]
)
class DocumentListView(generics.ListCreateAPIView):
    """Shared documents visible to the user; POST (multipart) creates a document and its version 1."""

    parser_classes = [MultiPartParser, FormParser, JSONParser]
    serializer_class = DocumentSerializer

    def get_queryset(self):
        return selectors.visible_documents(
            self.request.user,
            query=self.request.query_params.get("q", ""),
            category=self.request.query_params.get("category", ""),
        ).prefetch_related("shared_with")

    @extend_schema(request=DocumentCreateSerializer, responses={201: DocumentDetailSerializer})
    def post(self, request):
        data = DocumentCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        cpts = values.get("cpts")
        if cpts is not None:
            cpts = access_cpts(request.user, cpts.slug)
        document = services.document_create(
            actor=request.user,
            title=values["title"],
            description=values["description"],
            category=values["category"],
            visibility=values["visibility"],
            cpts=cpts,
            federation=params.federation_or_none(request.user, values.get("federation")),
            shared_with=list(values.get("shared_with") or []),
            shared_with_users=params.people(values.get("shared_with_users"), field="shared_with_users"),
            file=values["file"],
            comment=values["comment"],
        )
        return Response(DocumentDetailSerializer(document).data, status=status.HTTP_201_CREATED)


class DocumentDetailView(APIView):
    @extend_schema(responses=DocumentDetailSerializer)
    def get(self, request, document_id):
        document = access_document(request.user, document_id)
        return Response(DocumentDetailSerializer(document).data)

    @extend_schema(request=DocumentUpdateSerializer, responses=DocumentDetailSerializer)
    def patch(self, request, document_id):
        document = access_document(request.user, document_id, for_write=True)
        data = DocumentUpdateSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        if "shared_with_users" in values:
            values["shared_with_users"] = params.people(
                values["shared_with_users"], field="shared_with_users"
            )
        document = services.document_update(actor=request.user, document=document, **values)
        return Response(DocumentDetailSerializer(document).data)


class DocumentVersionsView(APIView):
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(responses=DocumentVersionSerializer(many=True))
    def get(self, request, document_id):
        document = access_document(request.user, document_id)
        return Response(DocumentVersionSerializer(selectors.document_versions(document), many=True).data)

    @extend_schema(request=VersionUploadSerializer, responses={201: DocumentVersionSerializer})
    def post(self, request, document_id):
        document = access_document(request.user, document_id, for_write=True)
        data = VersionUploadSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        version = services.document_add_version(
            actor=request.user,
            document=document,
            file=data.validated_data["file"],
            comment=data.validated_data["comment"],
        )
        return Response(DocumentVersionSerializer(version).data, status=status.HTTP_201_CREATED)


class DocumentDownloadView(APIView):
    """The file of one version, as an attachment (`nosniff`); the download is logged."""

    @extend_schema(responses={(200, "application/octet-stream"): OpenApiTypes.BINARY})
    def get(self, request, document_id, number):
        version = access_document_version(request.user, document_id, number)
        services.document_record_download(actor=request.user, version=version)
        return file_response(version)


class DocumentAccessLogView(generics.ListAPIView):
    """Who downloaded which version, when (for those who may change the document)."""

    serializer_class = DocumentDownloadSerializer

    def get_queryset(self):
        document = access_document(self.request.user, self.kwargs["document_id"], for_write=True)
        return selectors.document_downloads(document)
