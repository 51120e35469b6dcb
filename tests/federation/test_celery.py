from celery import current_app

import config.celery  # noqa: F401 — the project's app


def test_every_project_task_is_reliable():
    current_app.loader.import_default_modules()
    project = {
        name: task
        for name, task in current_app.tasks.items()
        if task.__module__.split(".")[0]
        in {"federation", "directory", "search", "shared_actions", "messaging"}
    }
    assert len(project) >= 8
    for name, task in project.items():
        assert task.acks_late and task.reject_on_worker_lost, name
        assert ConnectionError in task.autoretry_for, name
        assert task.retry_backoff, name
