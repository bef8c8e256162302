"""A Redis cache that keeps the portal working while Redis is unreachable.

Redis holds only what can be rebuilt (API throttle counts, short-lived figures): when a
call fails with a connection error, the cache answers from this process's memory for
``RETRY_AFTER`` seconds, then tries Redis again. ``redis_state()`` tells the health
check whether the cache is on Redis or on its fallback.
"""

from __future__ import annotations

import logging
import time

from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache

logger = logging.getLogger(__name__)
RETRY_AFTER = 10.0


def _redis_errors():
    import redis

    return (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError, OSError)


class FallbackRedisCache(RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._fallback = LocMemCache(f"fallback-{server}", {"OPTIONS": {"MAX_ENTRIES": 5000}})
        self._down_until = 0.0

    @property
    def on_fallback(self) -> bool:
        return time.monotonic() < self._down_until

    def _call(self, name, *args, **kwargs):
        if not self.on_fallback:
            try:
                return getattr(super(), name)(*args, **kwargs)
            except _redis_errors() as exc:
                logger.warning("Redis cache unreachable (%s); using process memory for %ss", exc, RETRY_AFTER)
                self._down_until = time.monotonic() + RETRY_AFTER
        return getattr(self._fallback, name)(*args, **kwargs)


for _name in (
    "add",
    "get",
    "set",
    "touch",
    "delete",
    "get_many",
    "has_key",
    "incr",
    "set_many",
    "delete_many",
    "clear",
    "get_or_set",
):

    def _method(self, *args, _name=_name, **kwargs):
        return self._call(_name, *args, **kwargs)

    _method.__name__ = _name
    setattr(FallbackRedisCache, _name, _method)
