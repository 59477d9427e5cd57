from django.core.management.base import BaseCommand
from django.template.defaultfilters import filesizeformat

from portfolios.retention import evidence_purge


class Command(BaseCommand):
    help = (
        "Delete evidence files whose retention period (EE_EVIDENCE_RETENTION_DAYS) has passed "
        "since their cycle closed. Metadata and audit entries are kept."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="Only report what would be deleted."
        )

    def handle(self, *args, dry_run: bool, **options):
        result = evidence_purge(dry_run=dry_run)
        verb = "Would delete" if dry_run else "Deleted"
        self.stdout.write(
            f"{verb} {result.files} evidence file(s), {filesizeformat(result.bytes)}."
        )
