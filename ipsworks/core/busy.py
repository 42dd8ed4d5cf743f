"""A plain answer when the database is too busy to take a write.

SQLite (the embedded default) lets one connection write at a time. While a large return is
applied, in one transaction, a request that needs to write (signing in, saving a form) waits
for the lock, and after the lock timeout gives up. Instead of a bare server error, the user
gets a page that says what happened (nothing they sent was saved) and when to try again.
PostgreSQL, recommended for more than a handful of users, locks rows, not the whole database,
so this is rarely seen there.
"""

from __future__ import annotations

import logging
from contextlib import contextmanager

from django.db import OperationalError, connections
from django.http import JsonResponse
from django.shortcuts import render

log = logging.getLogger(__name__)
RETRY_AFTER_SECONDS = 30


@contextmanager
def short_lock_wait(wait_ms: int, alias: str = "default"):
    """On SQLite, wait at most `wait_ms` for the write lock inside this block (for writes
    that may be skipped when the database is busy). Elsewhere, nothing changes."""
    connection = connections[alias]
    if connection.vendor != "sqlite" or connection.in_atomic_block:
        yield
        return
    connection.ensure_connection()
    usual = int(connection.settings_dict.get("OPTIONS", {}).get("timeout", 5) * 1000)
    with connection.cursor() as cursor:
        cursor.execute(f"PRAGMA busy_timeout = {int(wait_ms)}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA busy_timeout = {usual}")


def is_busy_error(exc: BaseException) -> bool:
    return isinstance(exc, OperationalError) and "locked" in str(exc).lower()


class BusyDatabaseMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not is_busy_error(exception):
            return None
        log.warning("Database busy: %s %s", request.method, request.path)
        if request.path.startswith("/api/"):
            response = JsonResponse(
                {"error": "The database is busy. Nothing was changed: try again shortly."},
                status=503,
            )
        else:
            response = render(request, "503.html", status=503)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response
