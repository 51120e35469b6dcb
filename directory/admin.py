from django.contrib import admin

from directory.models import (
    EntryChange,
    ErrorReport,
    ImportRun,
    PracticeSite,
    Profession,
    Professional,
    Specialty,
    Structure,
)


@admin.register(Professional)
class ProfessionalAdmin(admin.ModelAdmin):
    list_display = ("national_id", "last_name", "first_name", "profession", "user")
    search_fields = ("national_id", "last_name", "first_name")
    list_select_related = ("profession", "user")
    raw_id_fields = ("user",)


@admin.register(Structure)
class StructureAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "finess", "siret", "commune")
    search_fields = ("name", "finess", "siret", "source_id")
    list_filter = ("kind",)
    raw_id_fields = ("commune",)


@admin.register(PracticeSite)
class PracticeSiteAdmin(admin.ModelAdmin):
    list_display = ("professional", "name", "commune", "mode")
    raw_id_fields = ("professional", "structure", "commune")


@admin.register(ErrorReport)
class ErrorReportAdmin(admin.ModelAdmin):
    list_display = ("created_at", "professional", "structure", "reporter", "status")
    list_filter = ("status",)
    raw_id_fields = ("professional", "structure", "reporter")


@admin.register(ImportRun)
class ImportRunAdmin(admin.ModelAdmin):
    list_display = ("started_at", "file_name", "status", "actor")
    readonly_fields = ("counts", "rejected")


admin.site.register(Profession)
admin.site.register(Specialty)
admin.site.register(EntryChange)
