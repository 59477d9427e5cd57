from django.db import migrations, models


def create_row(apps, schema_editor):
    apps.get_model("caching", "CacheEpoch").objects.get_or_create(pk=1)


class Migration(migrations.Migration):
    initial = True
    dependencies = []

    operations = [
        migrations.CreateModel(
            name="CacheEpoch",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("value", models.BigIntegerField(default=0)),
            ],
            options={"verbose_name": "cache epoch"},
        ),
        migrations.RunPython(create_row, migrations.RunPython.noop),
    ]
