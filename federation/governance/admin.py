"""Admin: read-mostly views of governance. Ballots, participations and the audit log are read-only —
they are written only by the services (secret ballots and the hash chain must not be edited by hand)."""

from django.contrib import admin

from federation.governance import models


@admin.register(models.StatutesSettings)
class StatutesSettingsAdmin(admin.ModelAdmin):
    list_display = ["federation", "quorum_ago", "majority_ordinary", "tie_rule", "max_proxies_per_holder"]
    readonly_fields = ["adopted_by", "updated_at"]


@admin.register(models.Delegate)
class DelegateAdmin(admin.ModelAdmin):
    list_display = ["user", "member", "kind", "since", "until"]
    list_filter = ["federation", "kind"]


@admin.register(models.BureauMandate)
class BureauMandateAdmin(admin.ModelAdmin):
    list_display = ["user", "role", "member", "starts_on", "ends_on", "ended_early_on"]
    list_filter = ["federation", "role"]


@admin.register(models.Fee)
class FeeAdmin(admin.ModelAdmin):
    list_display = ["member", "year", "amount", "status", "paid_on"]
    list_filter = ["federation", "year", "status"]


class AgendaItemInline(admin.TabularInline):
    model = models.AgendaItem
    extra = 0


@admin.register(models.Meeting)
class MeetingAdmin(admin.ModelAdmin):
    list_display = ["title", "federation", "body", "starts_at", "status"]
    list_filter = ["federation", "body", "status"]
    inlines = [AgendaItemInline]
    readonly_fields = ["status", "convened_at", "opened_at", "closed_at"]


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(models.Poll)
class PollAdmin(ReadOnlyAdmin):
    list_display = ["title", "federation", "kind", "status", "secret"]
    list_filter = ["federation", "status", "kind"]


@admin.register(models.Participation)
class ParticipationAdmin(ReadOnlyAdmin):
    list_display = ["poll", "college", "member", "mandate", "by_proxy"]


@admin.register(models.AuditEntry)
class AuditEntryAdmin(ReadOnlyAdmin):
    list_display = ["federation", "seq", "created_at", "event", "actor_id"]
    list_filter = ["federation", "event"]
