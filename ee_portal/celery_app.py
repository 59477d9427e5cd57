import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ee_portal.settings.base")

app = Celery("ee_portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
