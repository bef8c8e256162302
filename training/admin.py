from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import AcademyClass, AcademySite, Course, Officer, Waiver


@admin.register(Officer)
class OfficerAdmin(SimpleHistoryAdmin):
    list_display = ["officer_number", "last_name", "first_name", "agency", "status", "certified_on"]
    search_fields = ["officer_number", "last_name"]
    list_filter = ["status"]
    readonly_fields = ["status", "status_since", "certified_on", "suspended_on", "revoked_on", "left_on"]


admin.site.register([Course, AcademySite, AcademyClass, Waiver], SimpleHistoryAdmin)
