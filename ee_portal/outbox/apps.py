from django.apps import AppConfig


class OutboxConfig(AppConfig):
    name = "ee_portal.outbox"
    label = "outbox"
    verbose_name = "Task outbox"
