from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "ee_portal.audit"
    label = "audit"
    verbose_name = "Audit log"
