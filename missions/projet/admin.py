"""Read-mostly admin for staff: the register's history and decisions are written by the services only."""

from django.contrib import admin

from missions.projet.models import (
    Acknowledgement,
    ExclusionDecision,
    FicheAction,
    HealthProject,
    MemberCategory,
    ProjectVersion,
    RegisterEvent,
    RegisterMember,
)


class RegisterEventInline(admin.TabularInline):
    model = RegisterEvent
    extra = 0
    can_delete = False
    readonly_fields = ["kind", "at", "actor", "from_status", "to_status", "detail"]

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(RegisterMember)
class RegisterMemberAdmin(admin.ModelAdmin):
    list_display = ["__str__", "cpts", "category", "status", "joined_on", "left_on"]
    list_filter = ["status", "cpts"]
    search_fields = ["professional__last_name", "structure__name"]
    raw_id_fields = ["professional", "structure", "created_by"]
    inlines = [RegisterEventInline]
    # Status changes go through the services (consent, resignation, exclusion by decision).
    readonly_fields = ["status", "consented_at", "joined_on", "left_on"]


@admin.register(MemberCategory)
class MemberCategoryAdmin(admin.ModelAdmin):
    list_display = ["label", "code", "cpts", "votes", "order"]
    list_filter = ["cpts"]


@admin.register(ExclusionDecision)
class ExclusionDecisionAdmin(admin.ModelAdmin):
    list_display = ["member", "decided_on", "body"]
    readonly_fields = [f.name for f in ExclusionDecision._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False


class ProjectVersionInline(admin.StackedInline):
    model = ProjectVersion
    extra = 0
    readonly_fields = ["published_at", "published_by", "snapshot"]


@admin.register(HealthProject)
class HealthProjectAdmin(admin.ModelAdmin):
    list_display = ["title", "cpts", "status"]
    inlines = [ProjectVersionInline]


@admin.register(Acknowledgement)
class AcknowledgementAdmin(admin.ModelAdmin):
    list_display = ["member", "version", "at", "user"]
    readonly_fields = ["version", "member", "user", "at", "evidence"]


@admin.register(FicheAction)
class FicheActionAdmin(admin.ModelAdmin):
    list_display = ["title", "cpts", "mission", "status", "published_at", "origin_cpts_name"]
    list_filter = ["mission", "status", "cpts"]
    raw_id_fields = ["copied_from", "created_by"]
    filter_horizontal = ["indicators"]
