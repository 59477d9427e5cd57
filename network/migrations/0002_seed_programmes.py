from django.db import migrations

PROGRAMMES = [
    ("ee-award", "Enabling Environments Award"),
    ("cofc", "Community of Communities"),
    ("ee-prisons", "Enabling Environments in prisons"),
]


def add_programmes(apps, schema_editor):
    Programme = apps.get_model("network", "Programme")
    for code, name in PROGRAMMES:
        Programme.objects.get_or_create(code=code, defaults={"name": name})


def remove_programmes(apps, schema_editor):
    Programme = apps.get_model("network", "Programme")
    Programme.objects.filter(code__in=[code for code, _ in PROGRAMMES], memberships=None).delete()


class Migration(migrations.Migration):
    dependencies = [("network", "0001_initial")]
    operations = [migrations.RunPython(add_programmes, remove_programmes)]
