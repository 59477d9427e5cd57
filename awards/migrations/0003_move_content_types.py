# Issue 12: the content types of Award and Certificate follow the models to the awards app.
#
# The rows are renamed (app_label reviews -> awards), not replaced, so their ids stay and
# everything that points at them keeps working: auth permissions (now "awards.view_award"
# and so on), the Django admin's LogEntry history. The audit log is NOT touched: it is
# hash-chained, and its object references are plain text ("reviews.award", see
# ee_portal/audit/services.py), so events written before the move keep "reviews.award" /
# "reviews.certificate" and still verify (manage.py verify_audit_log);
# awards.selectors.AUDIT_OBJECT_TYPES lists both labels for lookups.

from django.db import migrations

MODELS = ("award", "certificate")


def _move(apps, old_label: str, new_label: str) -> None:
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    LogEntry = apps.get_model("admin", "LogEntry")
    for model in MODELS:
        old = ContentType.objects.filter(app_label=old_label, model=model).first()
        if old is None:
            continue  # a fresh database: post_migrate creates the new one
        new = ContentType.objects.filter(app_label=new_label, model=model).first()
        if new is not None:
            # Made by an earlier, partial migrate (post_migrate ran in between). Nothing but
            # its default permissions and admin history can point at it yet: keep the old
            # row (older references), drop the duplicate permissions, move the history.
            LogEntry.objects.filter(content_type=new).update(content_type=old)
            Permission.objects.filter(content_type=new).delete()
            new.delete()
        old.app_label = new_label
        old.save(update_fields=["app_label"])
    ContentType.objects.clear_cache()


def forwards(apps, schema_editor):
    _move(apps, "reviews", "awards")


def backwards(apps, schema_editor):
    _move(apps, "awards", "reviews")


class Migration(migrations.Migration):

    dependencies = [
        ("awards", "0002_rename_tables"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("admin", "0003_logentry_add_action_flag_choices"),
    ]

    operations = [
        migrations.RunPython(forwards, backwards, elidable=False),
    ]
