from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.core.exceptions import PermissionDenied
from simple_history.admin import SimpleHistoryAdmin

from .audit.models import AuditEvent
from .compliance.models import Finding, SweepRun
from .models import ApiToken, StaffProfile

admin.site.site_header = "287(g) Program Portal administration"
admin.site.site_title = "287(g) Program Portal"

User = get_user_model()


class StaffProfileInline(admin.StackedInline):
    model = StaffProfile
    can_delete = False
    autocomplete_fields = ["field_office"]


admin.site.unregister(User)


@admin.register(User)
class PortalUserAdmin(UserAdmin):
    inlines = [StaffProfileInline]
    list_display = ["username", "first_name", "last_name", "email", "role", "field_office", "is_active"]
    list_filter = ["staff_profile__role", "staff_profile__field_office", "is_active", "is_staff"]
    list_select_related = ["staff_profile", "staff_profile__field_office"]

    @admin.display(ordering="staff_profile__role")
    def role(self, user):
        profile = getattr(user, "staff_profile", None)
        return profile.get_role_display() if profile else "—"

    @admin.display(ordering="staff_profile__field_office__name")
    def field_office(self, user):
        profile = getattr(user, "staff_profile", None)
        return profile.field_office if profile and profile.field_office else "—"


@admin.register(StaffProfile)
class StaffProfileAdmin(SimpleHistoryAdmin):
    list_display = ["user", "role", "field_office", "title"]
    list_filter = ["role", "field_office"]
    search_fields = ["user__username", "user__first_name", "user__last_name", "user__email"]
    autocomplete_fields = ["user", "field_office"]


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["name", "user", "prefix", "created_at", "expires_at", "revoked_at", "last_used_at"]
    list_filter = ["revoked_at"]
    search_fields = ["name", "user__username", "prefix"]
    readonly_fields = ["prefix", "digest", "created_at", "last_used_at"]


@admin.register(Finding)
class FindingAdmin(SimpleHistoryAdmin):
    list_display = ["rule", "subject_label", "severity", "status", "responsible", "first_seen_at", "last_seen_at"]
    list_filter = ["status", "severity", "category", "rule", "field_office"]
    search_fields = ["subject_label", "detail"]
    raw_id_fields = [
        "agency",
        "responsible",
        "opened_by_run",
        "last_seen_run",
        "resolved_by_run",
        "acknowledged_by",
        "resolved_by",
        "waived_by",
    ]
    date_hierarchy = "first_seen_at"


@admin.register(SweepRun)
class SweepRunAdmin(SimpleHistoryAdmin):
    list_display = ["pk", "started_at", "finished_at", "status", "as_of", "triggered_by"]
    list_filter = ["status", "triggered_by"]
    readonly_fields = ["started_at", "finished_at", "status", "as_of", "triggered_by", "counts", "error"]


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """The journal, read only: entries are written by the portal, never edited."""

    list_display = [
        "occurred_at",
        "actor",
        "actor_label",
        "channel",
        "action",
        "content_type",
        "object_id",
        "object_label",
        "status_code",
        "address",
        "request_id",
    ]
    list_filter = ["channel", "action", "content_type"]
    search_fields = ["object_label", "actor__username", "actor_label", "request_id", "object_id", "path"]
    date_hierarchy = "occurred_at"
    list_select_related = ["actor", "content_type"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


from axes.models import AccessAttempt  # noqa: E402


@admin.register(AccessAttempt)
class AccessAttemptAdmin(SimpleHistoryAdmin):
    """Sign-in lockouts (django-axes). Lifting one goes through the unlock action, which
    records who lifted it (deleting a row directly is not offered)."""

    list_display = ["username", "ip_address", "failures_since_start", "attempt_time"]
    search_fields = ["username", "ip_address"]
    readonly_fields = ["username", "ip_address", "user_agent", "path_info", "failures_since_start", "attempt_time"]
    exclude = ["get_data", "post_data", "http_accept"]
    actions = ["unlock"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description="Unlock the selected sign-in lockouts (recorded)")
    def unlock(self, request, queryset):
        from django.contrib import messages

        from .accounts.services import lockout_unlock

        try:
            lifted = sum(
                lockout_unlock(attempt_id=pk, acting_user=request.user, reason="Unlocked in the admin")
                for pk in queryset.values_list("pk", flat=True)
            )
        except PermissionDenied as exc:  # an admin user who is not HQ
            self.message_user(request, str(exc), messages.ERROR)
            return
        self.message_user(request, f"{lifted} lockout(s) lifted.", messages.SUCCESS)
