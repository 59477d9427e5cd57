"""Django's Redis cache, keeping one Redis client per connection pool.

Django's RedisCacheClient makes a new ``redis.Redis`` client object for every cache call
(``get_client``); building one sets up its table of response callbacks, which cost more than
the round trip itself on a page that makes one cache call (issue 12's bench: about a tenth of
a millisecond per signed-in page). redis-py's client is safe to share between threads, its
connections come from the pool, and the pool is still Django's own, so this keeps one client
per pool. Its ``incr`` is also one round trip instead of Django's two (EXISTS, then INCRBY):
the questionnaire's throttle and every change's cache versions call it, many posts at once.
``count`` (see count_hit) counts hits in a window in one round trip too.
"""

from typing import Any

from django.core.cache import cache
from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient as DjangoRedisCacheClient

# Django's incr: "Key not found" (ValueError) unless the key exists, else INCRBY. As one script.
_INCR_EXISTING = """
if redis.call('EXISTS', KEYS[1]) == 1 then return redis.call('INCRBY', KEYS[1], ARGV[1]) end
return false
"""
# A hit in a window: the first hit starts it (the key expires ARGV[1] seconds later).
_COUNT = """
local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('EXPIRE', KEYS[1], ARGV[1]) end
return n
"""


class RedisCacheClient(DjangoRedisCacheClient):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._clients: dict[int, Any] = {}
        self._scripts: dict[tuple[int, str], Any] = {}

    def get_client(self, key: Any = None, *, write: bool = False) -> Any:
        # Django's own pool helpers and client class (private: django-stubs leaves them out).
        index = self._get_connection_pool_index(write)  # type: ignore[attr-defined]
        client = self._clients.get(index)
        if client is None:
            pool = self._get_connection_pool(write)  # type: ignore[attr-defined]
            client = self._clients[index] = self._client(connection_pool=pool)  # type: ignore[attr-defined]
        return client

    def _run(self, source: str, key: Any, *args: Any) -> Any:
        """A Lua script on the key's server (EVALSHA, loading it once if the server lacks it)."""
        client = self.get_client(key, write=True)
        script = self._scripts.get((id(client), source))
        if script is None:
            script = self._scripts[(id(client), source)] = client.register_script(source)
        return script(keys=[key], args=list(args))

    def incr(self, key: Any, delta: int = 1) -> Any:
        value = self._run(_INCR_EXISTING, key, delta)
        if value is None:
            raise ValueError(f"Key '{key}' not found.")
        return value

    def count(self, key: Any, timeout: int) -> int:
        return int(self._run(_COUNT, key, timeout))


class RedisCache(DjangoRedisCache):
    def __init__(self, server: str, params: dict[str, Any]) -> None:
        super().__init__(server, params)
        self._class = RedisCacheClient

    def count(self, key: Any, timeout: int, version: int | None = None) -> int:
        """See count_hit()."""
        key = self.make_and_validate_key(key, version=version)
        return self._cache.count(key, max(1, int(timeout)))  # type: ignore[attr-defined]


def count_hit(key: str, timeout: int) -> int:
    """Count a hit on ``key`` and return the hits in its window, this one included; the first
    hit opens the window, which lasts ``timeout`` seconds. One round trip on Redis; any other
    cache (the per-process one of `make demo` and the tests) adds then increments."""
    counter = getattr(cache, "count", None)
    if counter is not None:
        return int(counter(key, timeout))
    cache.add(key, 0, timeout=timeout)
    try:
        return int(cache.incr(key))
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=timeout)
        return 1
