"""Ship the 287(g) course catalogue (domain.md) and the ERO Academy at Charleston."""

from django.db import migrations

COURSES = [
    ("IADP", "Immigration Authority Delegation Program (basic, 4 weeks)", "basic", 28),
    ("IADRP", "Immigration Authority Delegation Refresher Program (1 week)", "refresher", 7),
    ("PALMS-INA", "Immigration and Nationality Act overview", "palms", 1),
    ("PALMS-IMMF", "Immigration fundamentals", "palms", 1),
    ("PALMS-HTA", "Human trafficking awareness", "palms", 1),
    ("PALMS-INFO", "Information awareness", "palms", 1),
    ("PALMS-REC", "Basic records management", "palms", 1),
    ("PALMS-PRIV", "Privacy awareness", "palms", 1),
    ("PALMS-OPSEC", "Operations security", "palms", 1),
    ("PALMS-LEP", "ICE language access for limited English-proficient individuals", "palms", 1),
]


def load(apps, schema_editor):
    Course = apps.get_model("training", "Course")
    AcademySite = apps.get_model("training", "AcademySite")
    for code, title, kind, days in COURSES:
        Course.objects.update_or_create(code=code, defaults={"title": title, "kind": kind, "duration_days": days})
    AcademySite.objects.update_or_create(
        name="ERO Academy, FLETC Charleston",
        defaults={"city": "Charleston", "state": "SC", "max_concurrent_classes": 2, "default_capacity": 24, "is_default": True},
    )


class Migration(migrations.Migration):
    dependencies = [("training", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
