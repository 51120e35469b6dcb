"""Directory API (thin: validation, access helpers, services, visibility-aware output)."""

import uuid

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.files.storage import default_storage
from django.urls import reverse
from django.utils import translation
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import permissions, status
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.views import APIView

from directory import fhir, finder, selectors, services
from directory.models import ImportRun, Professional
from directory.serializers import (
    CptsAttachSerializer,
    ErrorReportSerializer,
    ImportUploadSerializer,
    ProfessionalUpdateSerializer,
    SearchParamsSerializer,
    StructureUpdateSerializer,
    professional_data,
    structure_data,
)
from federation.api_base import CptsScopedMixin
from federation.models import SecurityEvent
from federation.security import client_ip
from federation.services import security_event_record


def _service_error(exc: DjangoValidationError):
    detail = exc.message_dict if hasattr(exc, "error_dict") else {"detail": exc.messages}
    raise ValidationError(detail) from exc


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

    @extend_schema(parameters=[SearchParamsSerializer], responses=OpenApiTypes.OBJECT)
    def get(self, request):
        answer = finder.run(search_params(request), request.user)
        if "error" in answer:
            return Response(
                {"near": ["Commune inconnue."], "code": answer["error"]}, status=status.HTTP_400_BAD_REQUEST
            )
        return Response(answer)


class AutocompleteView(APIView):
    @extend_schema(parameters=[OpenApiParameter("q", str)], responses=OpenApiTypes.OBJECT)
    def get(self, request):
        return Response({"suggestions": finder.suggest(request.query_params.get("q", "")[:100])})


class ProfessionalDetailView(APIView):
    """An entry, fields filtered by visibility; PATCH edits optional fields and their visibility."""

    @extend_schema(responses=OpenApiTypes.OBJECT)
    def get(self, request, pk: int):
        professional = selectors.access_professional(request.user, pk)
        return Response(professional_data(professional, selectors.viewer_for(request.user)))

    @extend_schema(request=ProfessionalUpdateSerializer, responses=OpenApiTypes.OBJECT)
    def patch(self, request, pk: int):
        professional = selectors.access_professional(request.user, pk, for_write=True)
        serializer = ProfessionalUpdateSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        visibility = data.pop("visibility", None)
        try:
            services.professional_update(
                actor=request.user, professional=professional, data=data, visibility=visibility
            )
        except DjangoValidationError as exc:
            _service_error(exc)
        professional = selectors.access_professional(request.user, pk)
        return Response(professional_data(professional, selectors.viewer_for(request.user)))


class ProfessionalHistoryView(APIView):
    """Change history of an entry (who, when, what): for its editors only."""

    @extend_schema(responses=OpenApiTypes.OBJECT)
    def get(self, request, pk: int):
        professional = selectors.access_professional(request.user, pk, for_write=True)
        changes = selectors.entry_history(professional=professional)[:200]
        return Response(
            [
                {
                    "at": change.at,
                    "actor": str(change.actor) if change.actor else None,
                    "source": change.source,
                    "changes": change.changes,
                }
                for change in changes
            ]
        )


class ProfessionalReportView(APIView):
    """« Signaler une erreur » on an entry."""

    @extend_schema(request=ErrorReportSerializer, responses=OpenApiTypes.OBJECT)
    def post(self, request, pk: int):
        professional = selectors.access_professional(request.user, pk)
        serializer = ErrorReportSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            report = services.error_report_create(
                actor=request.user, professional=professional, message=serializer.validated_data["message"]
            )
        except DjangoValidationError as exc:
            _service_error(exc)
        return Response({"id": report.pk, "status": report.status}, status=status.HTTP_201_CREATED)


class StructureDetailView(APIView):
    @extend_schema(responses=OpenApiTypes.OBJECT)
    def get(self, request, pk: int):
        structure = selectors.access_structure(request.user, pk)
        data = structure_data(structure, selectors.viewer_for(request.user))
        data["professionals"] = [
            {"id": site.professional_id, "name": site.professional.full_name}
            for site in structure.sites.all()
        ]
        return Response(data)

    @extend_schema(request=StructureUpdateSerializer, responses=OpenApiTypes.OBJECT)
    def patch(self, request, pk: int):
        structure = selectors.access_structure(request.user, pk, for_write=True)
        serializer = StructureUpdateSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        visibility = data.pop("visibility", None)
        try:
            services.structure_update(
                actor=request.user, structure=structure, data=data, visibility=visibility
            )
        except DjangoValidationError as exc:
            _service_error(exc)
        structure = selectors.access_structure(request.user, pk)
        return Response(structure_data(structure, selectors.viewer_for(request.user)))


class FhirPagination(PageNumberPagination):
    page_size = 100
    page_size_query_param = "_count"
    max_page_size = 500


class FhirBundleView(APIView):
    """FHIR R4 searchset Bundle of Practitioner / PractitionerRole / Organization (FR Core identifiers).
    `?cpts=<slug>` limits to one CPTS' professionals; `?_count=` and `?page=` page through."""

    @extend_schema(responses={(200, "application/fhir+json"): OpenApiTypes.OBJECT})
    def get(self, request):
        viewer = selectors.viewer_for(request.user)
        queryset = selectors.professionals_detailed().order_by("id")
        security_event_record(
            kind=SecurityEvent.Kind.EXPORT,
            actor=request.user,
            ip_address=client_ip(request._request),
            detail={"export": "fhir", "query": request.query_params.dict()},
        )
        if request.query_params.get("cpts"):
            queryset = queryset.filter(cpts_links__cpts__slug=request.query_params["cpts"])
        paginator = FhirPagination()
        page = paginator.paginate_queryset(queryset, request, view=self)
        links = [{"relation": "self", "url": request.build_absolute_uri()}]
        if paginator.get_next_link():
            links.append({"relation": "next", "url": paginator.get_next_link()})
        body = fhir.bundle(
            fhir.resources(page, viewer.can_see),
            bundle_type="searchset",
            total=paginator.page.paginator.count,
            links=links,
        )
        return Response(body, content_type="application/fhir+json")


class CptsProfessionalsView(CptsScopedMixin, APIView):
    """The professionals of one CPTS (members see it; other CPTS get 404). POST attaches an entry
    (coordinators only)."""

    @extend_schema(responses=OpenApiTypes.OBJECT)
    def get(self, request, cpts_slug: str):
        viewer = selectors.viewer_for(request.user)
        paginator = PageNumberPagination()
        page = paginator.paginate_queryset(selectors.cpts_professionals(self.cpts), request, view=self)
        return paginator.get_paginated_response(
            [
                {
                    "id": pro.pk,
                    "name": pro.full_name,
                    "profession": pro.profession.label,
                    "communes": sorted({s.commune.name for s in pro.sites.all() if s.commune_id}),
                    "accepts_new_patients": pro.accepts_new_patients
                    if viewer.can_see(pro, "accepts_new_patients")
                    else None,
                    "url": reverse("api-directory-professional", args=[pro.pk]),
                }
                for pro in page
            ]
        )

    @extend_schema(request=CptsAttachSerializer, responses=OpenApiTypes.OBJECT)
    def post(self, request, cpts_slug: str):
        serializer = CptsAttachSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        professional = Professional.objects.filter(pk=serializer.validated_data["professional"]).first()
        if professional is None:
            raise ValidationError({"professional": ["Professionnel·le introuvable."]}, code="not_found")
        services.professional_join_cpts(actor=request.user, professional=professional, cpts=self.cpts)
        return Response(
            {"professional": professional.pk, "cpts": self.cpts.slug}, status=status.HTTP_201_CREATED
        )


class ImportListView(APIView):
    """Staff: upload an extraction file (imported by a Celery task) and follow the runs."""

    permission_classes = [permissions.IsAuthenticated]

    def _check(self, request):
        if not request.user.is_staff:
            raise PermissionDenied

    @extend_schema(operation_id="directory_imports_list", responses=OpenApiTypes.OBJECT)
    def get(self, request):
        self._check(request)
        return Response(
            [
                {
                    "id": r.pk,
                    "file": r.file_name,
                    "status": r.status,
                    "counts": r.counts,
                    "started_at": r.started_at,
                }
                for r in selectors.import_runs()[:50]
            ]
        )

    @extend_schema(request={"multipart/form-data": ImportUploadSerializer}, responses=OpenApiTypes.OBJECT)
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
        return Response({"id": run.pk, "status": run.status}, status=status.HTTP_202_ACCEPTED)


class ImportDetailView(APIView):
    """Staff: one import run with its rejected lines."""

    @extend_schema(responses=OpenApiTypes.OBJECT)
    def get(self, request, pk: int):
        if not request.user.is_staff:
            raise PermissionDenied
        run = selectors.import_runs().filter(pk=pk).first()
        if run is None:
            from django.http import Http404

            raise Http404
        return Response(
            {
                "id": run.pk,
                "file": run.file_name,
                "status": run.status,
                "counts": run.counts,
                "rejected": run.rejected,
                "started_at": run.started_at,
                "finished_at": run.finished_at,
            }
        )


__all__ = ["ImportRun"]
