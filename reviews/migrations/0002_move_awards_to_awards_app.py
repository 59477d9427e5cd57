# Issue 12: Award and Certificate moved to the awards app, with their data.
# (ReminderLog stays in reviews: review reminders use it too.)
#
# State only: reviews forgets the two models, the tables stay exactly as they are. The
# awards app takes them over in awards/migrations/0001_initial.py (state only, on these same
# tables), renames the tables in 0002 and renames the content types in 0003. reviews never
# depends on awards; awards depends on this migration.

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("reviews", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveConstraint(
                    model_name="certificate", name="reviews_one_certificate_per_award"
                ),
                migrations.RemoveIndex(model_name="award", name="reviews_award_current_idx"),
                migrations.DeleteModel(name="Certificate"),
                migrations.DeleteModel(name="Award"),
            ],
            database_operations=[],
        ),
    ]
