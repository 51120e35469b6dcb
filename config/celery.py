"""Celery application. Apps declare periodic tasks in CELERY_BEAT_SCHEDULE via their AppConfig.ready()."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("maillage")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
