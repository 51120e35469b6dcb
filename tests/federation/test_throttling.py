"""The per-user API rate: refused above it, whatever the rate, with a history of bounded size."""

from types import SimpleNamespace

import pytest
from django.core.cache import cache
from django.urls import reverse
from hypothesis import given, settings
from hypothesis import strategies as st
from rest_framework.authtoken.models import Token

from federation.throttling import UserRateThrottle

pytestmark = pytest.mark.django_db


class Clock:
    def __init__(self, now=1_000_000.0):
        self.now = now

    def __call__(self):
        return self.now


@pytest.fixture
def clock(monkeypatch):
    cache.clear()
    clock = Clock()
    monkeypatch.setattr(UserRateThrottle, "timer", clock)
    yield clock
    cache.clear()


def _throttle(rate):
    throttle = UserRateThrottle.__new__(UserRateThrottle)
    throttle.rate = rate
    throttle.__init__()
    return throttle


def _request(user_id=1):
    return SimpleNamespace(user=SimpleNamespace(is_authenticated=True, pk=user_id))


def test_the_api_refuses_a_user_above_the_rate_then_lets_them_in_again(world, api, clock, monkeypatch):
    monkeypatch.setattr(UserRateThrottle, "rate", "3/minute", raising=False)
    url = reverse("api-me")
    client, other = api(), api()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=world.member_a).key}")
    other.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=world.member_b).key}")
    assert [client.get(url).status_code for _ in range(3)] == [200, 200, 200]
    refused = client.get(url)
    assert refused.status_code == 429 and 0 < int(refused["Retry-After"]) <= 61
    assert other.get(url).status_code == 200  # per user
    clock.now += 30
    assert client.get(url).status_code == 429
    clock.now += 32  # the first requests' slice has left the window
    assert client.get(url).status_code == 200


def test_the_history_stays_small_whatever_the_rate(clock):
    throttle = _throttle("100000/hour")
    for _ in range(20_000):
        clock.now += 0.5
        assert throttle.allow_request(_request(), None)
    assert len(cache.get(throttle.key)) <= UserRateThrottle.slices + 1


@settings(max_examples=200, deadline=None)
@given(
    gaps=st.lists(st.floats(min_value=0, max_value=40, allow_nan=False), min_size=1, max_size=60),
    allowed=st.integers(min_value=1, max_value=5),
)
def test_never_more_than_the_rate_in_any_window_and_a_quiet_user_gets_in(gaps, allowed):
    cache.clear()
    clock = Clock()
    throttle = _throttle(f"{allowed}/minute")
    throttle.timer = clock
    accepted = []
    for gap in gaps:
        clock.now += gap
        ok = throttle.allow_request(_request(), None)
        if ok:
            accepted.append(clock.now)
            # No window of 60 s holds more than the rate (DRF's guarantee).
            assert sum(1 for t in accepted if clock.now - 60 < t <= clock.now) <= allowed
        else:
            assert 0 < throttle.wait() <= 61
        # Nothing accepted for 61 s (the window and a slice): never refused.
        before = accepted[:-1] if ok else accepted
        if not any(t > clock.now - 61.001 for t in before):
            assert ok
    cache.clear()


def test_with_cache_url_the_web_processes_share_their_counts():
    """CACHE_URL (production): one Redis cache for every process, so N replicas do not allow N times the
    rate. Two separate processes: what one counts, the other reads."""
    import os
    import subprocess
    import sys
    import uuid

    if not os.environ.get("REDIS_URL"):
        pytest.skip("needs the Redis server (REDIS_URL)")
    key = f"test-shared-{uuid.uuid4().hex}"
    env = {**os.environ, "CACHE_URL": os.environ["REDIS_URL"], "DJANGO_SETTINGS_MODULE": "config.settings"}
    script = (
        'import sys, django; django.setup(); from django.core.cache import caches; cache = caches["default"]; '
        "print(type(cache).__name__, cache.incr(sys.argv[1]) if cache.get(sys.argv[1]) else cache.set(sys.argv[1], 1, 60))"
    )
    first = subprocess.run(
        [sys.executable, "-c", script, key], env=env, capture_output=True, text=True, check=True
    )
    second = subprocess.run(
        [sys.executable, "-c", script, key], env=env, capture_output=True, text=True, check=True
    )
    assert first.stdout.split() == ["RedisCache", "None"]
    assert second.stdout.split() == ["RedisCache", "2"]


def test_the_redis_cache_builds_one_client_not_one_per_operation(monkeypatch):
    """CACHE_URL: each API request reads and writes its throttle history; building a redis-py client
    per operation (Django's) cost ~0.2 ms of CPU each. The same answers, one client."""
    import os
    import uuid

    import redis

    from config.cache import RedisCache

    if not os.environ.get("REDIS_URL"):
        pytest.skip("needs the Redis server (REDIS_URL)")
    built = []
    init = redis.Redis.__init__

    def counted(self, *args, **kwargs):
        built.append(self)
        init(self, *args, **kwargs)

    monkeypatch.setattr(redis.Redis, "__init__", counted)
    cache = RedisCache(os.environ["REDIS_URL"], {"KEY_PREFIX": f"test-{uuid.uuid4().hex}"})
    assert cache.get("history", {}) == {}
    cache.set("history", {7: 1}, 60)
    assert cache.get("history", {}) == {7: 1}
    assert cache.incr(cache.set("n", 1, 60) or "n") == 2
    cache.delete_many(["history", "n"])
    assert cache.get("history") is None
    assert len(built) == 1


def test_with_redis_the_count_takes_one_command_and_decides_as_the_local_one(clock, monkeypatch):
    """CACHE_URL: the history is read, counted and written by one script (one round trip per API request,
    not a get and a set); same decisions and waits as with the local memory cache."""
    import os
    import random
    import uuid

    import redis

    from config.cache import RedisCache

    if not os.environ.get("REDIS_URL"):
        pytest.skip("needs the Redis server (REDIS_URL)")
    shared = RedisCache(os.environ["REDIS_URL"], {"KEY_PREFIX": f"test-{uuid.uuid4().hex}"})
    rng = random.Random(5)
    gaps = [rng.choice([0.0, 0.3, 2.0, 7.0, 30.0]) for _ in range(120)]

    def decisions(backend):
        monkeypatch.setattr(UserRateThrottle, "cache", backend)
        clock.now, seen = 1_000_000.0, []
        for gap in gaps:
            clock.now += gap
            throttle = _throttle("5/min")
            allowed = throttle.allow_request(_request(), None)
            seen.append((allowed, None if allowed else round(throttle.wait(), 6)))
        return seen

    local = decisions(cache)
    commands = []
    execute = redis.Redis.execute_command

    def counted(self, *args, **kwargs):
        commands.append(args[0])
        return execute(self, *args, **kwargs)

    monkeypatch.setattr(redis.Redis, "execute_command", counted)
    assert decisions(shared) == local
    assert True in [a for a, _ in local] and False in [a for a, _ in local]
    assert commands.count("EVALSHA") == len(gaps) and len(commands) <= len(gaps) + 1  # + EVAL: loading it
    shared.delete(_throttle("5/min").get_cache_key(_request(), None) + "_h")
