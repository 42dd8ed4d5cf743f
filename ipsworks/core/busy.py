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

from django.db import OperationalError
from django.shortcuts import render

log = logging.getLogger(__name__)
RETRY_AFTER_SECONDS = 30


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
        response = render(request, "503.html", status=503)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response
