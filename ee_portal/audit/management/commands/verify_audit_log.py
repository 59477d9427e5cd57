from django.core.management.base import BaseCommand, CommandError

from ee_portal.audit.models import AuditEvent
from ee_portal.audit.services import audit_verify_chain


class Command(BaseCommand):
    help = "Check the audit log's hash chain and report the first broken link."

    def handle(self, *args, **options):
        broken = audit_verify_chain()
        if broken is not None:
            raise CommandError(
                f"Audit log broken at event #{broken.pk} ({broken.created_at:%Y-%m-%d %H:%M:%S}, "
                f"verb {broken.verb!r}): it was changed, or an event before it was removed."
            )
        self.stdout.write(f"Audit log intact: {AuditEvent.objects.count()} events checked.")
