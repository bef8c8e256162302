from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import Agency, Agreement, FieldOffice, StateOffice


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
    fields = ["program_model", "status", "applied_on", "signed_on", "ended_on", "moa_url"]


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
