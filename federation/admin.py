from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from federation import models, services


@admin.register(models.User)
class UserAdmin(BaseUserAdmin):
    ordering = ["email"]
    list_display = ["email", "display_name", "is_active", "is_staff"]
    search_fields = ["email", "display_name"]
    fieldsets = (
        (None, {"fields": ("email", "password", "display_name")}),
        ("Permissions", {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "password1", "password2")}),)
    actions = ["deactivate"]

    @admin.action(description=_("Désactiver les comptes (fin des sessions, jetons et websockets)"))
    def deactivate(self, request, queryset):
        for user in queryset.filter(is_active=True):
            services.user_deactivate(actor=request.user, user=user)
        self.message_user(request, _("Comptes désactivés."))


class MembershipInline(admin.TabularInline):
    model = models.Membership
    autocomplete_fields = ["user"]
    extra = 0


@admin.register(models.Cpts)
class CptsAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "maturity_stage"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [MembershipInline]


@admin.register(models.Federation)
class FederationAdmin(admin.ModelAdmin):
    list_display = ["name", "departement"]


@admin.register(models.Commune)
class CommuneAdmin(admin.ModelAdmin):
    list_display = ["insee_code", "name", "departement", "population"]
    search_fields = ["name", "insee_code"]
    list_filter = ["departement"]


admin.site.register(models.Partner)
admin.site.register(models.FederationMember)
admin.site.register(models.FederationRole)
admin.site.register(models.Departement)
admin.site.register(models.Epci)
