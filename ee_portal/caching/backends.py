"""Django's Redis cache, keeping one Redis client per connection pool.

Django's RedisCacheClient makes a new ``redis.Redis`` client object for every cache call
(``get_client``); building one sets up its table of response callbacks, which cost more than
the round trip itself on a page that makes one cache call (issue 12's bench: about a tenth of
a millisecond per signed-in page). redis-py's client is safe to share between threads, its
connections come from the pool, and the pool is still Django's own, so this keeps one client
per pool. Its ``incr`` is also one round trip instead of Django's two (EXISTS, then INCRBY):
the questionnaire's throttle and every change's cache versions call it, many posts at once.
"""

from typing import Any

from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient as DjangoRedisCacheClient

# Django's incr: "Key not found" (ValueError) unless the key exists, else INCRBY. As one script.
_INCR_EXISTING = """
if redis.call('EXISTS', KEYS[1]) == 1 then return redis.call('INCRBY', KEYS[1], ARGV[1]) end
return false
"""


class RedisCacheClient(DjangoRedisCacheClient):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._clients: dict[int, Any] = {}
        self._incr_scripts: dict[int, Any] = {}

    def get_client(self, key: Any = None, *, write: bool = False) -> Any:
        # Django's own pool helpers and client class (private: django-stubs leaves them out).
        index = self._get_connection_pool_index(write)  # type: ignore[attr-defined]
        client = self._clients.get(index)
        if client is None:
            pool = self._get_connection_pool(write)  # type: ignore[attr-defined]
            client = self._clients[index] = self._client(connection_pool=pool)  # type: ignore[attr-defined]
        return client

    def incr(self, key: Any, delta: int = 1) -> Any:
        client = self.get_client(key, write=True)
        script = self._incr_scripts.get(id(client))
        if script is None:  # EVALSHA, loading the script once if the server lacks it
            script = self._incr_scripts[id(client)] = client.register_script(_INCR_EXISTING)
        value = script(keys=[key], args=[delta])
        if value is None:
            raise ValueError(f"Key '{key}' not found.")
        return value


class RedisCache(DjangoRedisCache):
    def __init__(self, server: str, params: dict[str, Any]) -> None:
        super().__init__(server, params)
        self._class = RedisCacheClient
