"""Django's Redis cache, keeping one Redis client per connection pool.

Django's RedisCacheClient makes a new ``redis.Redis`` client object for every cache call
(``get_client``); building one sets up its table of response callbacks, which cost more than
the round trip itself on a page that makes one cache call (issue 12's bench: about a tenth of
a millisecond per signed-in page). redis-py's client is safe to share between threads, its
connections come from the pool, and the pool is still Django's own, so this keeps one client
per pool and changes nothing else.
"""

from typing import Any

from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient as DjangoRedisCacheClient


class RedisCacheClient(DjangoRedisCacheClient):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._clients: dict[int, Any] = {}

    def get_client(self, key: Any = None, *, write: bool = False) -> Any:
        # Django's own pool helpers and client class (private: django-stubs leaves them out).
        index = self._get_connection_pool_index(write)  # type: ignore[attr-defined]
        client = self._clients.get(index)
        if client is None:
            pool = self._get_connection_pool(write)  # type: ignore[attr-defined]
            client = self._clients[index] = self._client(connection_pool=pool)  # type: ignore[attr-defined]
        return client


class RedisCache(DjangoRedisCache):
    def __init__(self, server: str, params: dict[str, Any]) -> None:
        super().__init__(server, params)
        self._class = RedisCacheClient
