from django.contrib import admin

from messaging.models import Conversation, ConversationMember, NotificationPreference, RetentionPolicy


class MemberInline(admin.TabularInline):
    model = ConversationMember
    extra = 0
    raw_id_fields = ["user"]
    fields = ["user", "is_admin", "last_read_seq"]
    readonly_fields = ["last_read_seq"]


@admin.register(Conversation)
class ConversationAdmin(admin.ModelAdmin):
    # Message bodies are deliberately not exposed here: private conversations stay private.
    list_display = ["__str__", "kind", "federation", "cpts", "archived_at", "last_seq"]
    list_filter = ["kind", "federation"]
    search_fields = ["title"]
    inlines = [MemberInline]
    readonly_fields = ["last_seq", "created_at", "created_by"]


@admin.register(RetentionPolicy)
class RetentionPolicyAdmin(admin.ModelAdmin):
    list_display = ["federation", "retention_days"]


@admin.register(NotificationPreference)
class NotificationPreferenceAdmin(admin.ModelAdmin):
    list_display = ["user", "mode"]
    raw_id_fields = ["user"]
