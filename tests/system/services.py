"""Start and stop this machine's PostgreSQL and Redis for fault tests (loopback only)."""

import shutil
import subprocess
import time
from pathlib import Path

import pytest
from django.conf import settings


def _run(*args: str) -> None:
    subprocess.run(args, check=True, capture_output=True, timeout=60)


def require_local_services() -> None:
    database_host = settings.DATABASES["default"].get("HOST") or ""
    if database_host not in ("127.0.0.1", "localhost") or not settings.REDIS_URL:
        pytest.skip("fault tests restart the local PostgreSQL and Redis: DATABASE_URL/REDIS_URL on loopback")
    if not shutil.which("pg_ctlcluster") or not shutil.which("redis-server"):
        pytest.skip("pg_ctlcluster / redis-server not available")


def restart_postgres() -> None:
    version = sorted(p.name for p in Path("/etc/postgresql").iterdir())[0]
    _run("pg_ctlcluster", "--skip-systemctl-redirect", version, "main", "restart", "--", "-m", "fast")


def redis_ping() -> bool:
    return (
        subprocess.run(
            ["redis-cli", "-h", "127.0.0.1", "ping"], capture_output=True, text=True
        ).stdout.strip()
        == "PONG"
    )


def stop_redis() -> None:
    subprocess.run(["redis-cli", "-h", "127.0.0.1", "shutdown", "nosave"], capture_output=True, timeout=30)
    for _ in range(50):
        if not redis_ping():
            return
        time.sleep(0.1)


def start_redis() -> None:
    _run(
        "redis-server",
        "--daemonize",
        "yes",
        "--bind",
        "127.0.0.1",
        "-::1",
        "--port",
        "6379",
        "--save",
        "",
        "--appendonly",
        "no",
    )
    for _ in range(100):
        if redis_ping():
            return
        time.sleep(0.1)
    raise RuntimeError("Redis did not come back")
