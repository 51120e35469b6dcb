"""Django's Redis cache (settings.CACHES with CACHE_URL), with one Redis client per connection pool.

Django's client builds a new `redis.Redis` for every operation, and redis-py fills ~170 response
callbacks in each (`Redis.__init__`): ~0.2 ms of CPU per cache operation. Every API request reads and
writes its throttle history (federation.throttling), so that was ~0.4 ms of CPU per request, ten times the
two round trips. A `redis.Redis` is safe to share between threads (it borrows a connection from its pool
for each command), so one per pool is kept.
"""

import threading

from django.core.cache.backends import redis


class RedisCacheClient(redis.RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}  # connection pool → its client
        self._clients_lock = threading.Lock()

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)  # Django's: the first server to write, any to read
        client = self._clients.get(pool)
        if client is None:
            with self._clients_lock:
                client = self._clients.setdefault(pool, self._client(connection_pool=pool))
        return client


class RedisCache(redis.RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = RedisCacheClient
