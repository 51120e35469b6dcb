"""Admin: read-mostly views for support staff. Writes belong to the services (the pages and API)."""

from django.contrib import admin

from shared_actions import models


class VersionInline(admin.TabularInline):
    model = models.DocumentVersion
    extra = 0
    can_delete = False
    readonly_fields = [
        "number",
        "file",
        "original_name",
        "content_type",
        "size",
        "sha256",
        "uploaded_by",
        "uploaded_at",
    ]


@admin.register(models.Document)
class DocumentAdmin(admin.ModelAdmin):
    list_display = ["title", "category", "cpts", "federation", "visibility", "updated_at"]
    list_filter = ["category", "visibility"]
    search_fields = ["title", "description"]
    raw_id_fields = ["cpts", "federation", "created_by"]
    filter_horizontal = ["shared_with"]
    inlines = [VersionInline]


@admin.register(models.DocumentDownload)
class DocumentDownloadAdmin(admin.ModelAdmin):
    list_display = ["version", "user", "downloaded_at"]
    raw_id_fields = ["version", "user"]

    def has_change_permission(self, request, obj=None):
        return False  # the access log is append-only


class SiteInline(admin.TabularInline):
    model = models.RosterSite
    extra = 0
    raw_id_fields = ["commune", "cpts"]


@admin.register(models.Roster)
class RosterAdmin(admin.ModelAdmin):
    list_display = ["name", "cpts", "federation", "swap_requires_approval"]
    raw_id_fields = ["cpts", "federation", "created_by"]
    filter_horizontal = ["participants"]
    inlines = [SiteInline]


@admin.register(models.Shift)
class ShiftAdmin(admin.ModelAdmin):
    list_display = ["roster", "site", "start", "end", "required_count", "required_profession"]
    list_filter = ["roster"]
    raw_id_fields = ["roster", "site"]


@admin.register(models.ShiftAssignment)
class ShiftAssignmentAdmin(admin.ModelAdmin):
    list_display = ["shift", "user", "cpts", "created_at", "reminder_sent_at"]
    raw_id_fields = ["shift", "user", "cpts", "assigned_by"]


@admin.register(models.SwapRequest)
class SwapRequestAdmin(admin.ModelAdmin):
    list_display = ["kind", "status", "assignment", "requester", "target", "created_at"]
    list_filter = ["kind", "status"]
    raw_id_fields = ["assignment", "requester", "target", "counterpart", "accepted_by", "decided_by"]


@admin.register(models.CalendarFeed)
class CalendarFeedAdmin(admin.ModelAdmin):
    list_display = ["user", "roster", "created_at", "revoked_at"]
    raw_id_fields = ["user", "roster", "created_by"]
    exclude = ["token"]


class IndicatorInline(admin.TabularInline):
    model = models.Indicator
    extra = 0


@admin.register(models.Campaign)
class CampaignAdmin(admin.ModelAdmin):
    list_display = ["title", "theme", "federation", "lead_cpts", "start_date", "end_date"]
    list_filter = ["theme"]
    raw_id_fields = ["federation", "lead_cpts", "created_by"]
    filter_horizontal = ["participants", "materials"]
    inlines = [IndicatorInline]


@admin.register(models.CampaignAction)
class CampaignActionAdmin(admin.ModelAdmin):
    list_display = ["title", "campaign", "date", "cpts"]
    raw_id_fields = ["campaign", "commune", "cpts", "person_in_charge"]


@admin.register(models.IndicatorValue)
class IndicatorValueAdmin(admin.ModelAdmin):
    list_display = ["indicator", "cpts", "date", "value"]
    raw_id_fields = ["indicator", "cpts", "reported_by"]


class InvitationInline(admin.TabularInline):
    model = models.Invitation
    extra = 0
    raw_id_fields = ["user"]


@admin.register(models.Meeting)
class MeetingAdmin(admin.ModelAdmin):
    list_display = ["title", "kind", "cpts", "federation", "start"]
    list_filter = ["kind"]
    raw_id_fields = ["federation", "cpts", "campaign", "minutes", "created_by"]
    inlines = [InvitationInline]
