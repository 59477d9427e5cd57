from django.db import models


class CacheEpoch(models.Model):
    """One row: the generation of every cached fragment and page.

    A change that cannot move its scopes' versions in the cache (the cache was unreachable)
    moves this instead, in the same transaction as the change. Every cached lookup reads it
    once per request (one primary-key query) and it is part of every cache key, so when the
    cache answers again no copy stored before the change is ever served."""

    value = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = "cache epoch"

    def __str__(self) -> str:
        return f"cache epoch {self.value}"
