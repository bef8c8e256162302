"""Schedules the compliance sweep every night at 02:00 America/New_York (django-celery-beat).
HQ can change the schedule in the admin (Periodic tasks)."""

from django.db import migrations


def schedule(apps, schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    crontab, _ = CrontabSchedule.objects.get_or_create(
        minute="0", hour="2", day_of_week="*", day_of_month="*", month_of_year="*", timezone="America/New_York"
    )
    PeriodicTask.objects.get_or_create(
        name="Nightly compliance sweep",
        defaults={"task": "portal.compliance_sweep", "crontab": crontab, "enabled": True,
                  "description": "Records the findings of every compliance rule and notifies the responsible people."},
    )


def unschedule(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name="Nightly compliance sweep").delete()


class Migration(migrations.Migration):
    dependencies = [("portal", "0001_initial"), ("django_celery_beat", "0019_alter_periodictasks_options")]
    operations = [migrations.RunPython(schedule, unschedule)]
