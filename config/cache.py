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
        self._clients = {}  # connection pool index → its client
        self._clients_lock = threading.Lock()

    def get_client(self, key=None, *, write=False):
        index = self._get_connection_pool_index(write)  # the server: the first to write, any to read
        client = self._clients.get(index)
        if client is None:
            with self._clients_lock:
                if index not in self._clients:
                    if index not in self._pools:  # as Django's _get_connection_pool, for this index
                        self._pools[index] = self._pool_class.from_url(
                            self._servers[index], **self._pool_options
                        )
                    self._clients[index] = self._client(connection_pool=self._pools[index])
                client = self._clients[index]
        return client


class RedisCache(redis.RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = RedisCacheClient
