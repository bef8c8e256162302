from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import Assignment


@admin.register(Assignment)
class AssignmentAdmin(SimpleHistoryAdmin):
    list_display = ["agency", "program_manager", "kind", "starts_on", "ends_on"]
    list_filter = ["kind", "agency__field_office"]
    search_fields = ["agency__name", "program_manager__last_name", "program_manager__username"]
    raw_id_fields = ["agency", "program_manager"]
