"""Projet de santé API: /api/projet/cpts/<cpts_slug>/health-project/…

Drafts are private to the CPTS (outsider → 404); writing is for its managers (→ 403), except the members'
acknowledgement of a published version.
"""

from django.http import Http404, HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import APIView

from federation.api_base import CptsScopedMixin
from missions.projet.access import access_register_member, can_manage
from missions.projet.fiches.selectors import counted_fiches
from missions.projet.health_project import pdf, selectors, services
from missions.projet.serializers import (
    AcknowledgementRecordSerializer,
    AcknowledgementSerializer,
    NewVersionSerializer,
    ProjectOverviewSerializer,
    ProjectSerializer,
    ProjectStartSerializer,
    ProjectStatusSerializer,
    PublishSerializer,
    VersionSerializer,
    VersionUpdateSerializer,
)


class ProjectMixin(CptsScopedMixin):
    def project(self):
        project = selectors.cpts_project(self.cpts)
        if project is None:
            raise Http404
        return project

    def version(self, number: int):
        version = selectors.project_version(self.project(), number)
        if version is None:
            raise Http404
        return version


class ProjectView(ProjectMixin, APIView):
    """The projet de santé: status, current draft, versions, the territory's figures; POST starts it."""

    @extend_schema(responses=ProjectOverviewSerializer)
    def get(self, request, cpts_slug):
        project = self.project()
        return Response(
            ProjectOverviewSerializer(
                {
                    "project": project,
                    "draft": selectors.draft_version(project),
                    "versions": selectors.project_versions(project),
                    "diagnosis": selectors.territory_diagnosis(self.cpts),
                    "fiches_count": counted_fiches(self.cpts).count(),
                    "can_manage": can_manage(request.user, self.cpts),
                }
            ).data
        )

    @extend_schema(request=ProjectStartSerializer, responses={201: ProjectSerializer})
    def post(self, request, cpts_slug):
        data = ProjectStartSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        project = services.project_start(
            actor=request.user, cpts=self.cpts, title=data.validated_data["title"]
        )
        return Response(ProjectSerializer(project).data, status=status.HTTP_201_CREATED)


class DraftView(ProjectMixin, APIView):
    """Edit the current draft's sections (diagnosis, needs, priorities, missions, coordination, actors,
    evaluation, what changes)."""

    @extend_schema(request=VersionUpdateSerializer, responses=VersionSerializer)
    def patch(self, request, cpts_slug):
        draft = selectors.draft_version(self.project())
        if draft is None:
            raise Http404
        data = VersionUpdateSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        version = services.version_update(actor=request.user, version=draft, data=data.validated_data)
        return Response(VersionSerializer(version).data)


class PublishView(ProjectMixin, APIView):
    """Date and freeze the draft (from version 2 on, say what changed)."""

    @extend_schema(request=PublishSerializer, responses=VersionSerializer)
    def post(self, request, cpts_slug):
        data = PublishSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        version = services.version_publish(actor=request.user, project=self.project(), **data.validated_data)
        return Response(VersionSerializer(version).data)


class NewVersionView(ProjectMixin, APIView):
    """Start a new draft (a revision or an avenant) from the latest published version."""

    @extend_schema(request=NewVersionSerializer, responses={201: VersionSerializer})
    def post(self, request, cpts_slug):
        data = NewVersionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        version = services.version_new_draft(
            actor=request.user, project=self.project(), kind=data.validated_data["kind"]
        )
        return Response(VersionSerializer(version).data, status=status.HTTP_201_CREATED)


class ProjectStatusView(ProjectMixin, APIView):
    """Mark the projet ready (at least two fiches action and a published version), submitted, validated."""

    @extend_schema(request=ProjectStatusSerializer, responses=ProjectSerializer)
    def post(self, request, cpts_slug):
        data = ProjectStatusSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        project = services.project_set_status(
            actor=request.user, project=self.project(), status=data.validated_data["status"]
        )
        return Response(ProjectSerializer(project).data)


class VersionView(ProjectMixin, APIView):
    @extend_schema(responses=VersionSerializer)
    def get(self, request, cpts_slug, number):
        return Response(VersionSerializer(self.version(number)).data)


class VersionPdfView(ProjectMixin, APIView):
    """The version as a PDF, in the order the ARS reads it."""

    @extend_schema(responses={(200, "application/pdf"): OpenApiTypes.BINARY})
    def get(self, request, cpts_slug, number):
        version = self.version(number)
        response = HttpResponse(pdf.version_pdf(version), content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="projet-de-sante-{self.cpts.slug}-v{number}.pdf"'
        return response


class AcknowledgementsView(ProjectMixin, APIView):
    """Who acknowledged a version, and when; POST: the signed-in member acknowledges it."""

    write_requires_manager = False  # any member acknowledges; the service checks the register

    @extend_schema(responses=AcknowledgementSerializer(many=True))
    def get(self, request, cpts_slug, number):
        return Response(
            AcknowledgementSerializer(
                selectors.version_acknowledgements(self.version(number)), many=True
            ).data
        )

    @extend_schema(
        request=AcknowledgementRecordSerializer,
        responses={201: AcknowledgementSerializer},
        description="Sans corps : le membre connecté prend connaissance de la version. Avec `member` et "
        "`evidence` : la coordination enregistre la signature du représentant légal d'une structure membre.",
    )
    def post(self, request, cpts_slug, number):
        version = self.version(number)
        if "member" not in request.data:
            ack = services.version_acknowledge(actor=request.user, version=version)
            return Response(AcknowledgementSerializer(ack).data, status=status.HTTP_201_CREATED)
        data = AcknowledgementRecordSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        member = access_register_member(
            request.user, self.cpts, data.validated_data["member"], for_write=True
        )
        ack = services.version_acknowledge_record(
            actor=request.user, version=version, member=member, evidence=data.validated_data["evidence"]
        )
        return Response(AcknowledgementSerializer(ack).data, status=status.HTTP_201_CREATED)
