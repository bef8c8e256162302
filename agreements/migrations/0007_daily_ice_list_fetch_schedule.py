"""Schedules the fetch of ICE's published lists every day at 06:30 America/New_York
(django-celery-beat). HQ can change or disable it in the admin (Periodic tasks); the
addresses fetched are the ICE_LIST_URLS setting (none by default)."""

from django.db import migrations


def schedule(apps, schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    crontab, _ = CrontabSchedule.objects.get_or_create(
        minute="30", hour="6", day_of_week="*", day_of_month="*", month_of_year="*", timezone="America/New_York"
    )
    PeriodicTask.objects.get_or_create(
        name="Daily fetch of ICE's 287(g) lists",
        defaults={"task": "agreements.fetch_ice_lists", "crontab": crontab, "enabled": True,
                  "description": "Fetches ICE's Participating and Pending Agencies lists (ICE_LIST_URLS), imports a "
                                 "new edition and e-mails the change digest to the HQ users who subscribe to it."},
    )


def unschedule(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name="Daily fetch of ICE's 287(g) lists").delete()


class Migration(migrations.Migration):
    dependencies = [("agreements", "0006_ice_editions_change_list_fetch_onboarding"),
                    ("django_celery_beat", "0019_alter_periodictasks_options")]
    operations = [migrations.RunPython(schedule, unschedule)]
