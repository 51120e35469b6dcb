from django.contrib import admin

from missions.models import (
    AnnualReview,
    Avenant,
    Contract,
    ContractMission,
    Indicator,
    IndicatorValue,
    IndicatorValueChange,
    ReviewPack,
)


class AvenantInline(admin.TabularInline):
    model = Avenant
    extra = 0


class MissionInline(admin.TabularInline):
    model = ContractMission
    extra = 0


@admin.register(Contract)
class ContractAdmin(admin.ModelAdmin):
    list_display = ["cpts", "signed_on", "rule_set", "population"]
    list_select_related = ["cpts"]
    inlines = [AvenantInline, MissionInline]
    raw_id_fields = ["cpts", "crisis_plan_document", "created_by"]


@admin.register(Indicator)
class IndicatorAdmin(admin.ModelAdmin):
    list_display = ["name", "mission", "kind", "target", "auto_source"]
    list_select_related = ["mission__contract__cpts"]
    list_filter = ["kind", "national"]


@admin.register(IndicatorValueChange)
class IndicatorValueChangeAdmin(admin.ModelAdmin):
    """The history is append-only: read it here, never edit it."""

    list_display = ["indicator", "year", "old_value", "new_value", "origin", "changed_by", "changed_at"]

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False


admin.site.register(IndicatorValue)
admin.site.register(AnnualReview)
admin.site.register(ReviewPack)
