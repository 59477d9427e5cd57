from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("questionnaires", "0002_answers_without_redundant_indexes"),
        ("questionnaires", "0002_welsh_item_text"),
    ]

    operations = []
