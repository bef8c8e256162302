"""Schedule the nightly credentials task at 01:30 America/New_York, before the sweep."""

from django.db import migrations


def schedule(apps, schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    crontab, _ = CrontabSchedule.objects.get_or_create(
        minute="30", hour="1", day_of_week="*", day_of_month="*", month_of_year="*", timezone="America/New_York"
    )
    PeriodicTask.objects.get_or_create(
        name="Nightly officer credentials",
        defaults={"task": "training.nightly_credentials", "crontab": crontab, "enabled": True,
                  "description": "Deactivates lapsed security cards; suspends/revokes per the recertification settings."},
    )


def unschedule(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name="Nightly officer credentials").delete()


class Migration(migrations.Migration):
    dependencies = [("training", "0002_catalogue_and_charleston"), ("django_celery_beat", "0019_alter_periodictasks_options")]
    operations = [migrations.RunPython(schedule, unschedule)]
