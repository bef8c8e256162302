"""Ships the 25 ERO field offices and which office covers each state and county."""

from django.db import migrations


def load(apps, schema_editor):
    from agreements.field_offices import load_field_offices

    load_field_offices(apps.get_model("agreements", "FieldOffice"), apps.get_model("agreements", "StateOffice"))


def unload(apps, schema_editor):
    apps.get_model("agreements", "StateOffice").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("agreements", "0001_initial")]
    operations = [migrations.RunPython(load, unload)]
