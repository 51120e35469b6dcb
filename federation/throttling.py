"""API throttles (settings.REST_FRAMEWORK["DEFAULT_THROTTLE_CLASSES"])."""

import hashlib

from redis.exceptions import NoScriptError
from rest_framework import throttling

from federation.security import client_ip


class ClientAddressMixin:
    """Anonymous requests are counted per client address as `federation.security.client_ip` sees it:
    `X-Forwarded-For` only from settings.TRUSTED_PROXIES (DRF's own `get_ident` believes it from anyone
    when NUM_PROXIES is unset)."""

    def get_ident(self, request):
        return client_ip(request) or ""


class AnonRateThrottle(ClientAddressMixin, throttling.AnonRateThrottle):
    pass


class ScopedRateThrottle(ClientAddressMixin, throttling.ScopedRateThrottle):
    pass


class UserRateThrottle(ClientAddressMixin, throttling.UserRateThrottle):
    """DRF's per-user rate (settings `user`), with a history whose size does not grow with the rate.

    DRF's keeps one timestamp per request of the last window (up to 100,000 with an hourly rate of
    100,000) and the cache copies the whole list in and out on every request (~2.7 ms at 100,000).
    This one counts requests per 1/60 of the window (at most 61 numbers). A request is forgotten when
    its whole slice has left the window, up to one slice after DRF would forget it: never more requests
    than the rate in any window, as with DRF's.
    """

    slices = 60
    cache_format = "throttle_%(scope)s_slices_%(ident)s"  # not DRF's list under the same key

    def allow_request(self, request, view):
        if self.rate is None:
            return True
        self.key = self.get_cache_key(request, view)
        if self.key is None:
            return True
        self.now = self.timer()
        self.width = self.duration / self.slices
        horizon = self.now - self.duration
        current = int(self.now // self.width)
        redis_client = getattr(getattr(self.cache, "_cache", None), "get_client", None)
        if redis_client is not None:  # Redis (CACHE_URL): read, count and write in one round trip
            return self._allow_in_redis(redis_client(write=True), horizon, current)
        # {slice number: requests}, for the slices still partly in the window.
        self.history = {
            n: count for n, count in self.cache.get(self.key, {}).items() if (n + 1) * self.width > horizon
        }
        if sum(self.history.values()) >= self.num_requests:
            return self.throttle_failure()
        self.history[current] = self.history.get(current, 0) + 1
        self.cache.set(self.key, self.history, self.duration)
        return True

    def _allow_in_redis(self, client, horizon: float, current: int) -> bool:
        """The same count in a Redis hash (slice number → requests), by a script: one command per request
        instead of a get and a set (two round trips, and redis-py's ~0.1 ms of CPU per command)."""
        key = self.cache.make_and_validate_key(self.key + "_h")
        args = (1, key, repr(self.width), repr(horizon), self.num_requests, current, int(self.duration) + 1)
        try:
            answer = client.evalsha(_COUNT_SHA, *args)
        except NoScriptError:  # not yet loaded on this server
            answer = client.eval(_COUNT_SCRIPT, *args)
        allowed, kept = answer[0], answer[1:]
        self.history = {int(kept[i]): int(kept[i + 1]) for i in range(0, len(kept), 2)}
        return True if allowed else self.throttle_failure()

    def wait(self):
        """DRF's estimate, with the end of the oldest slice as the time of the oldest request."""
        if self.history:
            remaining = (min(self.history) + 1) * self.width - (self.now - self.duration)
        else:
            remaining = self.duration
        available = self.num_requests - sum(self.history.values()) + 1
        if available <= 0:
            return None
        return remaining / float(available)


# KEYS[1]: the history, a hash {slice number: requests}. ARGV: slice width, horizon (the window's start),
# rate, current slice, time to live. Drops the slices that left the window (as the dict comprehension
# above, same float arithmetic), then counts the request if the rate allows it.
# Answers {1 if allowed, then the slices kept before counting and their requests}.
_COUNT_SCRIPT = """
local width, horizon = tonumber(ARGV[1]), tonumber(ARGV[2])
local fields = redis.call('HGETALL', KEYS[1])
local total, kept, stale = 0, {}, {}
for i = 1, #fields, 2 do
  if (tonumber(fields[i]) + 1) * width > horizon then
    total = total + tonumber(fields[i + 1])
    kept[#kept + 1] = fields[i]
    kept[#kept + 1] = fields[i + 1]
  else
    stale[#stale + 1] = fields[i]
  end
end
if #stale > 0 then redis.call('HDEL', KEYS[1], unpack(stale)) end
if total >= tonumber(ARGV[3]) then return {0, unpack(kept)} end
redis.call('HINCRBY', KEYS[1], ARGV[4], 1)
redis.call('EXPIRE', KEYS[1], ARGV[5])
return {1, unpack(kept)}
"""
_COUNT_SHA = hashlib.sha1(_COUNT_SCRIPT.encode()).hexdigest()
