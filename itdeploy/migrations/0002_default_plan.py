from django.db import migrations


def forwards(apps, schema_editor):
    from itdeploy.plan import load_default_plan

    load_default_plan(apps.get_model("itdeploy", "StepTemplate"), apps.get_model("itdeploy", "ProgramModelSetting"),
                      apps.get_model("itdeploy", "InstallationSettings"))


class Migration(migrations.Migration):
    dependencies = [("itdeploy", "0001_initial")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
