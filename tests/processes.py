"""Real processes for system and browser tests: daphne, Celery worker and beat, on loopback.

They share the test database created by pytest-django, so they need PostgreSQL (an in-memory SQLite
test database cannot be seen from another process): fixtures skip on SQLite.
"""

import os
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def require_postgres() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (DATABASE_URL): other processes must share the test database")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def process_env(**extra: str) -> dict[str, str]:
    """Environment of a child process: the test database, this run's Redis, no eager tasks."""
    db = settings.DATABASES["default"]
    url = f"postgres://{db['USER']}:{db['PASSWORD'] or ''}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST")}
    # Servers run as in production (pooled connections); the test process itself does not pool.
    env.update(DATABASE_URL=url, DJANGO_SETTINGS_MODULE="config.settings", PYTHONUNBUFFERED="1", DB_POOL="1")
    env.setdefault("CHANNEL_LAYER_PREFIX", "asgi" + os.environ.get("PYTEST_XDIST_WORKER", ""))
    env.update(extra)
    return env


def wait_http(url: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status < 500:
                    return
        except OSError:
            if time.monotonic() > deadline:
                raise
        time.sleep(0.2)


@contextmanager
def running(args: list[str], env: dict[str, str], log_path: Path):
    """Run a process for the duration of the block; stop it gracefully (SIGTERM), then kill."""
    with open(log_path, "wb") as log:
        process = subprocess.Popen(args, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
        try:
            yield process
        finally:
            if process.poll() is None:
                process.terminate()
                try:
                    process.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()


_STATIC_ROOT: Path | None = None


def collected_static() -> Path:
    """Static files collected once per test run (the servers run with DEBUG off, as in production)."""
    global _STATIC_ROOT
    if _STATIC_ROOT is None:
        import tempfile

        root = Path(tempfile.mkdtemp(prefix="maillage-static-"))
        subprocess.run(
            [sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"],
            cwd=ROOT,
            env=process_env(STATIC_ROOT=str(root)),
            check=True,
            timeout=300,
        )
        _STATIC_ROOT = root
    return _STATIC_ROOT


@contextmanager
def daphne(tmp_path: Path, **env_extra: str):
    """A daphne server on a free loopback port; yields its base URL."""
    with daphne_process(tmp_path, **env_extra) as (base, _process):
        yield base


@contextmanager
def daphne_process(tmp_path: Path, **env_extra: str):
    """A daphne server on a free loopback port; yields its base URL and its process (to signal it)."""
    port = free_port()
    args = [str(BIN / "daphne"), "-b", "127.0.0.1", "-p", str(port), "config.asgi:application"]
    env = process_env(ALLOWED_HOSTS="127.0.0.1,localhost", STATIC_ROOT=str(collected_static()), **env_extra)
    with running(args, env, tmp_path / f"daphne-{port}.log") as process:
        base = f"http://127.0.0.1:{port}"
        try:
            wait_http(base + "/healthz")
        except OSError:
            process.terminate()
            raise RuntimeError((tmp_path / f"daphne-{port}.log").read_text(errors="replace")) from None
        yield base, process


def celery(tmp_path: Path, kind: str = "worker", **env_extra: str):
    """A Celery worker (or beat) process against this run's broker; use as a context manager."""
    args = [str(BIN / "celery"), "-A", "config", kind, "--loglevel", "INFO"]
    if kind == "worker":
        args += ["--concurrency", "1", "--pool", "prefork", "--without-gossip", "--without-mingle"]
    else:
        args += ["--schedule", str(tmp_path / "celerybeat-schedule")]
    return running(
        args, process_env(CELERY_TASK_ALWAYS_EAGER="0", **env_extra), tmp_path / f"celery-{kind}.log"
    )


class PrivateRedis:
    """A Redis of a test's own on a free loopback port: stopping it (a layer outage) disturbs nobody else."""

    def __init__(self):
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"

    def _answers(self) -> bool:
        result = subprocess.run(
            ["redis-cli", "-h", "127.0.0.1", "-p", str(self.port), "ping"], capture_output=True, text=True
        )
        return result.stdout.strip() == "PONG"

    def _wait(self, up: bool) -> None:
        for _ in range(100):
            if self._answers() == up:
                return
            time.sleep(0.1)
        raise RuntimeError(f"private Redis on {self.port} did not {'start' if up else 'stop'}")

    def start(self) -> None:
        subprocess.run(
            ["redis-server", "--daemonize", "yes", "--bind", "127.0.0.1", "--port", str(self.port),
             "--save", "", "--appendonly", "no"],
            check=True, capture_output=True, timeout=30,
        )  # fmt: skip
        self._wait(up=True)

    def stop(self) -> None:
        subprocess.run(
            ["redis-cli", "-h", "127.0.0.1", "-p", str(self.port), "shutdown", "nosave"],
            capture_output=True, timeout=30,
        )  # fmt: skip
        self._wait(up=False)
