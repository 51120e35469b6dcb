"""Celery application. Apps declare periodic tasks in CELERY_BEAT_SCHEDULE (config/settings.py)."""

import os
import smtplib

from celery import Celery, Task

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")


class ReliableTask(Task):
    """Base of every task: acknowledged after it ran (a killed worker's task is delivered again), and
    retried with exponential backoff when a dependency is briefly away. Tasks are written idempotent."""

    acks_late = True
    reject_on_worker_lost = True
    autoretry_for = (ConnectionError, TimeoutError, smtplib.SMTPException)
    retry_backoff = 5
    retry_backoff_max = 600
    retry_jitter = True
    max_retries = 8


app = Celery("maillage", task_cls=ReliableTask)
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
