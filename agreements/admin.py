from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import Agency, Agreement, AgreementDocument, AgreementSettings, FieldOffice, IceImport, StateOffice


@admin.register(FieldOffice)
class FieldOfficeAdmin(SimpleHistoryAdmin):
    list_display = ["code", "name", "city", "state"]
    search_fields = ["code", "name", "city"]


@admin.register(StateOffice)
class StateOfficeAdmin(admin.ModelAdmin):
    list_display = ["state", "county", "field_office"]
    list_filter = ["state", "field_office"]
    search_fields = ["county"]


class AgreementInline(admin.TabularInline):
    model = Agreement
    extra = 0
    fields = ["program_model", "status", "applied_on", "signed_on", "ended_on", "moa_url", "needs_review"]


@admin.register(Agency)
class AgencyAdmin(SimpleHistoryAdmin):
    list_display = ["name", "agency_type", "state", "county", "field_office", "field_office_confirmed"]
    list_filter = ["agency_type", "field_office", "field_office_confirmed", "state"]
    search_fields = ["name", "county"]
    inlines = [AgreementInline]


@admin.register(Agreement)
class AgreementAdmin(SimpleHistoryAdmin):
    list_display = ["agency", "program_model", "status", "applied_on", "signed_on", "ended_on"]
    list_filter = ["program_model", "status", "agency__field_office", "agency__state"]
    search_fields = ["agency__name"]
    raw_id_fields = ["agency"]
    date_hierarchy = "signed_on"


@admin.register(AgreementSettings)
class AgreementSettingsAdmin(SimpleHistoryAdmin):
    """The Unit Chief edits the review limit here (settings are the Unit Chief's)."""

    list_display = ["__str__", "review_days_limit"]

    def _is_settings_writer(self, request):
        from portal import access

        return access.may(request.user, "change", AgreementSettings)

    def has_add_permission(self, request):
        return self._is_settings_writer(request) and not AgreementSettings.objects.exists()

    def has_change_permission(self, request, obj=None):
        return self._is_settings_writer(request)

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AgreementDocument)
class AgreementDocumentAdmin(SimpleHistoryAdmin):
    list_display = ["agreement", "kind", "dated_on", "title"]
    list_filter = ["kind"]
    raw_id_fields = ["agreement"]


@admin.register(IceImport)
class IceImportAdmin(admin.ModelAdmin):
    list_display = ["file_name", "edition", "status", "uploaded_at", "uploaded_by", "applied_at"]
    list_filter = ["edition", "status"]
    readonly_fields = ["rows", "report"]
