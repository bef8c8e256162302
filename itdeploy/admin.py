"""The Unit Chief edits the installation plan and the pipeline's settings here."""

from django import forms
from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from portal import access

from .models import (
    Installation,
    InstallationSettings,
    InstallationStep,
    Installer,
    InstallerUnavailability,
    ProgramModelSetting,
    StepTemplate,
)


class SettingsAdmin(SimpleHistoryAdmin):
    """Settings change only for the roles the access policy grants "change" (the Unit Chief)."""

    def has_change_permission(self, request, obj=None):
        return access.may(request.user, "change", self.model) and super().has_change_permission(request, obj)

    def has_add_permission(self, request):
        return access.may(request.user, "change", self.model) and super().has_add_permission(request)

    def has_delete_permission(self, request, obj=None):
        return access.may(request.user, "change", self.model) and super().has_delete_permission(request, obj)


class StepTemplateForm(forms.ModelForm):
    class Meta:
        model = StepTemplate
        fields = ["number", "name", "owner", "kind", "planned_days", "depends_on"]

    def clean_depends_on(self):
        deps = self.cleaned_data["depends_on"]
        if self.instance.pk is None:
            return deps
        # A step may not depend, directly or through others, on itself.
        seen, todo = set(), list(deps)
        while todo:
            step = todo.pop()
            if step.pk == self.instance.pk:
                raise forms.ValidationError("These dependencies would make the step wait for itself.")
            if step.pk not in seen:
                seen.add(step.pk)
                todo.extend(step.depends_on.all())
        return deps


@admin.register(StepTemplate)
class StepTemplateAdmin(SettingsAdmin):
    form = StepTemplateForm
    list_display = ["number", "name", "owner", "kind", "planned_days"]
    filter_horizontal = ["depends_on"]


@admin.register(InstallationSettings)
class InstallationSettingsAdmin(SettingsAdmin):
    list_display = ["goal_days", "at_risk_percent", "forecast_min_history", "forecast_window"]

    def has_add_permission(self, request):
        return not InstallationSettings.objects.exists() and super().has_add_permission(request)


@admin.register(ProgramModelSetting)
class ProgramModelSettingAdmin(SettingsAdmin):
    list_display = ["program_model", "needs_installation"]


class UnavailabilityInline(admin.TabularInline):
    model = InstallerUnavailability
    extra = 0


@admin.register(Installer)
class InstallerAdmin(SimpleHistoryAdmin):
    list_display = ["name", "active", "days_per_week", "home_base"]
    list_filter = ["active"]
    inlines = [UnavailabilityInline]
    raw_id_fields = ["user"]


class StepInline(admin.TabularInline):
    model = InstallationStep
    extra = 0
    fields = ["number", "name", "planned_days", "started_on", "completed_on", "installer", "responsible"]
    raw_id_fields = ["responsible"]


@admin.register(Installation)
class InstallationAdmin(SimpleHistoryAdmin):
    list_display = ["agency", "status", "moa_signed_on", "operational_on", "priority_rank"]
    list_filter = ["status", "agency__field_office"]
    search_fields = ["agency__name"]
    raw_id_fields = ["agency", "opened_from"]
    inlines = [StepInline]
