"""Schedules ``portal.dispatch_pending`` every five minutes (django-celery-beat): tasks
kept while Redis was down are sent once it is back, and an overdue sweep is started."""

from django.db import migrations


def schedule(apps, schema_editor):
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    every, _ = IntervalSchedule.objects.get_or_create(every=5, period="minutes")
    PeriodicTask.objects.get_or_create(
        name="Send work kept while Redis was down",
        defaults={"task": "portal.dispatch_pending", "interval": every, "enabled": True,
                  "description": "Sends the tasks kept in the database while the broker was unreachable, "
                                 "and starts the compliance sweep if none started in the last 26 hours."},
    )


def unschedule(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name="Send work kept while Redis was down").delete()


class Migration(migrations.Migration):
    dependencies = [("portal", "0004_accounts_history_sweep_notices_pending_tasks")]
    operations = [migrations.RunPython(schedule, unschedule)]
