from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "ee_portal.audit"
    label = "audit"
    verbose_name = "Audit log"

    def ready(self) -> None:
        from . import receivers  # noqa: F401, PLC0415 -- connects the signal receivers
