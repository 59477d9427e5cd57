# Issue 12: reviews_award -> awards_award, reviews_certificate -> awards_certificate (ALTER TABLE
# ... RENAME on both SQLite and PostgreSQL: rows, ids, indexes and foreign keys are kept).

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('awards', '0001_initial'),
    ]

    operations = [
        migrations.AlterModelTable(
            name='award',
            table=None,
        ),
        migrations.AlterModelTable(
            name='certificate',
            table=None,
        ),
    ]
