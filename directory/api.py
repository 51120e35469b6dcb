"""Directory API (thin: validation, access helpers and selectors, services, output serializers).

Errors are not caught here: services raise `ServiceError`, the global handler answers in the one shape.
"""

import uuid

from django.core.files.storage import default_storage
from django.http import StreamingHttpResponse
from django.utils import translation
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import permissions, status
from rest_framework.exceptions import PermissionDenied
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.views import APIView

from directory import fhir, selectors, services
from directory.selectors.search import directory_search, directory_suggest
from directory.serializers import (
    AutocompleteSerializer,
    CptsAttachedSerializer,
    CptsAttachSerializer,
    CptsProfessionalPageSerializer,
    CptsProfessionalSerializer,
    CreatedReportSerializer,
    EntryChangeSerializer,
    ErrorReportSerializer,
    FeatureCollectionSerializer,
    FhirBundleSerializer,
    ImportRunDetailSerializer,
    ImportRunSerializer,
    ImportScheduledSerializer,
    ImportUploadSerializer,
    ProfessionalSerializer,
    ProfessionalUpdateSerializer,
    SearchAnswerSerializer,
    SearchParamsSerializer,
    StructureSerializer,
    StructureUpdateSerializer,
)
from federation.api_base import CptsScopedMixin
from federation.models import SecurityEvent
from federation.security import client_ip
from federation.services import security_event_record

# Search parameter serializers, built once per language: a serializer keeps no state while validating
# (DRF reuses nested serializers the same way), and building one per search deep-copied its 16 fields
# (~0.2 ms, four times the validation). Per language because DRF formats some of a field's messages
# once (lazy_format keeps the text of its first use).
_SEARCH_PARAMS: dict[str | None, SearchParamsSerializer] = {}


def _search_params_serializer() -> SearchParamsSerializer:
    language = translation.get_language()
    serializer = _SEARCH_PARAMS.get(language)
    if serializer is None:
        serializer = SearchParamsSerializer()
        serializer.fields  # noqa: B018 — bound before other threads see it
        _SEARCH_PARAMS[language] = serializer
    return serializer


def search_params(request) -> dict:
    """Validated search parameters (a 400 with the fields' errors otherwise)."""
    data = {}
    for key in request.query_params:
        values = request.query_params.getlist(key)
        if key in ("profession", "specialty", "cpts", "commune", "mode"):
            data[key] = [v for value in values for v in value.split(",") if v]
        else:
            data[key] = values[-1]
    return _search_params_serializer().run_validation(data)


class SearchView(APIView):
    """Search the directory: free text (abbreviations understood, communes named in the text become a
    place), filters, radius around a commune (`near`) or a point (`lat`/`lon`), facets, pagination.
    Counting stops after SEARCH_COUNT_CAP matches: `total_is_exact` false means the total and the facet
    counts are lower bounds (counted among the first matches: the nearest ones around a place)."""

    @extend_schema(parameters=[SearchParamsSerializer], responses=SearchAnswerSerializer)
    def get(self, request):
        # The answer is built as a dict (see SearchAnswerSerializer): no serializer pass per hit.
        return Response(directory_search(search_params(request), request.user))


class AutocompleteView(APIView):
    @extend_schema(parameters=[OpenApiParameter("q", str)], responses=AutocompleteSerializer)
    def get(self, request):
        suggestions = directory_suggest(request.query_params.get("q", "")[:100])
        return Response(AutocompleteSerializer({"suggestions": suggestions}).data)


class OutlinesView(APIView):
    """GeoJSON outlines of communes (`?commune=34145&commune=34146`, 300 at most): the results map
    draws them when no tile server is configured."""

    @extend_schema(
        parameters=[OpenApiParameter("commune", str, many=True)], responses=FeatureCollectionSerializer
    )
    def get(self, request):
        codes = [c for value in request.query_params.getlist("commune") for c in value.split(",") if c]
        return Response(selectors.commune_outlines(codes))


class ProfessionalDetailView(APIView):
    """An entry, fields filtered by visibility; PATCH edits optional fields and their visibility."""

    def _answer(self, request, pk: int) -> Response:
        professional = selectors.access_professional(request.user, pk)
        viewer = selectors.viewer_for(request.user)
        return Response(ProfessionalSerializer(professional, context={"viewer": viewer}).data)

    @extend_schema(responses=ProfessionalSerializer)
    def get(self, request, pk: int):
        return self._answer(request, pk)

    @extend_schema(request=ProfessionalUpdateSerializer, responses=ProfessionalSerializer)
    def patch(self, request, pk: int):
        professional = selectors.access_professional(request.user, pk, for_write=True)
        serializer = ProfessionalUpdateSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        visibility = data.pop("visibility", None)
        services.professional_update(
            actor=request.user, professional=professional, data=data, visibility=visibility
        )
        return self._answer(request, pk)


class ProfessionalHistoryView(APIView):
    """Change history of an entry (who, when, what): for its editors only."""

    @extend_schema(responses=EntryChangeSerializer(many=True))
    def get(self, request, pk: int):
        professional = selectors.access_professional(request.user, pk, for_write=True)
        changes = selectors.entry_history(professional=professional)[:200]
        return Response(EntryChangeSerializer(changes, many=True).data)


class ProfessionalReportView(APIView):
    """« Signaler une erreur » on an entry."""

    @extend_schema(request=ErrorReportSerializer, responses={201: CreatedReportSerializer})
    def post(self, request, pk: int):
        professional = selectors.access_professional(request.user, pk)
        serializer = ErrorReportSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        report = services.error_report_create(
            actor=request.user, professional=professional, message=serializer.validated_data["message"]
        )
        return Response(CreatedReportSerializer(report).data, status=status.HTTP_201_CREATED)


class StructureDetailView(APIView):
    def _answer(self, request, pk: int) -> Response:
        structure = selectors.access_structure(request.user, pk)
        viewer = selectors.viewer_for(request.user)
        return Response(StructureSerializer(structure, context={"viewer": viewer}).data)

    @extend_schema(responses=StructureSerializer)
    def get(self, request, pk: int):
        return self._answer(request, pk)

    @extend_schema(request=StructureUpdateSerializer, responses=StructureSerializer)
    def patch(self, request, pk: int):
        structure = selectors.access_structure(request.user, pk, for_write=True)
        serializer = StructureUpdateSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        visibility = data.pop("visibility", None)
        services.structure_update(actor=request.user, structure=structure, data=data, visibility=visibility)
        return self._answer(request, pk)


class FhirPagination(PageNumberPagination):
    page_size = 100
    page_size_query_param = "_count"
    max_page_size = 500


class FhirBundleView(APIView):
    """FHIR R4 searchset Bundle of Practitioner / PractitionerRole / Organization (FR Core identifiers).
    `?cpts=<slug>` limits to one CPTS' professionals; `?_count=` and `?page=` page through."""

    @extend_schema(
        parameters=[
            OpenApiParameter("cpts", str),
            OpenApiParameter("_count", int),
            OpenApiParameter("page", int),
        ],
        responses={(200, "application/fhir+json"): FhirBundleSerializer},
    )
    def get(self, request):
        viewer = selectors.viewer_for(request.user)
        security_event_record(
            kind=SecurityEvent.Kind.EXPORT,
            actor=request.user,
            ip_address=client_ip(request._request),
            detail={"export": "fhir", "query": request.query_params.dict()},
        )
        queryset = selectors.fhir_professionals(cpts_slug=request.query_params.get("cpts") or None)
        paginator = FhirPagination()
        page = paginator.paginate_queryset(queryset, request, view=self)
        links = [{"relation": "self", "url": request.build_absolute_uri()}]
        if paginator.get_next_link():
            links.append({"relation": "next", "url": paginator.get_next_link()})
        chunks = fhir.stream_bundle(
            fhir.resources(page, viewer.can_see),
            bundle_type="searchset",
            total=paginator.page.paginator.count,
            links=links,
        )
        # Streamed: a page of 500 professionals (with their places, roles and structures) is sent as built.
        return StreamingHttpResponse(chunks, content_type="application/fhir+json")


class CptsProfessionalsView(CptsScopedMixin, APIView):
    """The professionals of one CPTS (members see it; other CPTS get 404). POST attaches an entry
    (coordinators only)."""

    @extend_schema(responses=CptsProfessionalPageSerializer)
    def get(self, request, cpts_slug: str):
        viewer = selectors.viewer_for(request.user)
        paginator = PageNumberPagination()
        page = paginator.paginate_queryset(selectors.cpts_professionals(self.cpts), request, view=self)
        rows = CptsProfessionalSerializer(page, many=True, context={"viewer": viewer}).data
        return paginator.get_paginated_response(rows)

    @extend_schema(request=CptsAttachSerializer, responses={201: CptsAttachedSerializer})
    def post(self, request, cpts_slug: str):
        serializer = CptsAttachSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        professional = selectors.professional_for_attach(serializer.validated_data["professional"])
        services.professional_join_cpts(actor=request.user, professional=professional, cpts=self.cpts)
        body = CptsAttachedSerializer({"professional": professional.pk, "cpts": self.cpts.slug}).data
        return Response(body, status=status.HTTP_201_CREATED)


class CptsProfessionalView(CptsScopedMixin, APIView):
    """DELETE detaches an entry from the CPTS (its coordinators; the entry itself stays in the directory)."""

    @extend_schema(responses={204: None})
    def delete(self, request, cpts_slug: str, pk: int):
        professional = selectors.cpts_professional(self.cpts, pk)
        services.professional_leave_cpts(actor=request.user, professional=professional, cpts=self.cpts)
        return Response(status=status.HTTP_204_NO_CONTENT)


class ImportListView(APIView):
    """Staff: upload an extraction file (imported by a Celery task) and follow the runs."""

    permission_classes = [permissions.IsAuthenticated]

    def _check(self, request):
        if not request.user.is_staff:
            raise PermissionDenied

    @extend_schema(operation_id="directory_imports_list", responses=ImportRunSerializer(many=True))
    def get(self, request):
        self._check(request)
        return Response(ImportRunSerializer(selectors.import_runs()[:50], many=True).data)

    @extend_schema(
        request={"multipart/form-data": ImportUploadSerializer},
        responses={202: OpenApiResponse(ImportScheduledSerializer, description="Import programmé.")},
    )
    def post(self, request):
        self._check(request)
        serializer = ImportUploadSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        upload = serializer.validated_data["file"]
        # Stored through the default storage (local folder or S3) so a worker on another host reads it.
        path = default_storage.save(f"imports/rpps-{uuid.uuid4().hex}.txt", upload)
        run = services.import_run_schedule(
            actor=request.user,
            path=path,
            file_name=upload.name,
            departments=serializer.validated_data["department"],
        )
        return Response(ImportScheduledSerializer(run).data, status=status.HTTP_202_ACCEPTED)


class ImportDetailView(APIView):
    """Staff: one import run with its rejected lines."""

    @extend_schema(responses=ImportRunDetailSerializer)
    def get(self, request, pk: int):
        run = selectors.access_import_run(request.user, pk)
        return Response(ImportRunDetailSerializer(run).data)
