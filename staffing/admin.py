from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import Assignment


@admin.register(Assignment)
class AssignmentAdmin(SimpleHistoryAdmin):
    list_display = ["agency", "program_manager", "kind", "starts_on", "ends_on"]
    list_filter = ["kind", "agency__field_office"]
    search_fields = ["agency__name", "program_manager__last_name", "program_manager__username"]
    raw_id_fields = ["agency", "program_manager"]


from .models import Absence, OtherDuty, ReportingLine, StaffingModel, WorkloadReport  # noqa: E402


@admin.register(ReportingLine)
class ReportingLineAdmin(SimpleHistoryAdmin):
    list_display = ["manager", "kind", "supervisor", "starts_on", "ends_on"]
    list_filter = ["kind"]
    raw_id_fields = ["manager", "supervisor"]


@admin.register(OtherDuty)
class OtherDutyAdmin(SimpleHistoryAdmin):
    list_display = ["manager", "share_percent", "description", "starts_on", "ends_on"]
    raw_id_fields = ["manager"]


@admin.register(Absence)
class AbsenceAdmin(SimpleHistoryAdmin):
    list_display = ["manager", "kind", "starts_on", "ends_on"]
    list_filter = ["kind"]
    raw_id_fields = ["manager"]


@admin.register(WorkloadReport)
class WorkloadReportAdmin(SimpleHistoryAdmin):
    list_display = ["agency", "month", "encounters_processed", "charging_documents_prepared", "detainers_issued"]
    raw_id_fields = ["agency"]


@admin.register(StaffingModel)
class StaffingModelAdmin(SimpleHistoryAdmin):
    list_display = ["__str__", "cost_per_position", "updated_at"]
