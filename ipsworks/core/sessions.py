"""Sessions that expire after a spell of inactivity without a database write on every request.

Django's ``SESSION_SAVE_EVERY_REQUEST`` slides the expiry by saving the session on every
request. On SQLite every save needs the database's only write lock, so while a large return is
being applied (one transaction, holding that lock) every page and every progress poll of every
user waited for it, and after the lock timeout failed. This middleware saves an otherwise
unchanged session at most once every ``REFRESH_EVERY`` seconds (the expiry still slides: it is
at most that much early), and when such a refresh-only save finds the database busy it waits
only briefly and skips the refresh instead of failing the page. A session that really changed
(signing in, a message to show) is saved as Django always does.
"""

from __future__ import annotations

import logging
import time

from django.contrib.sessions.exceptions import SessionInterrupted
from django.contrib.sessions.middleware import SessionMiddleware
from django.db import OperationalError

from .busy import short_lock_wait

log = logging.getLogger(__name__)
REFRESH_EVERY = 60  # seconds
REFRESHED_KEY = "_ipsworks_refreshed"
BUSY_WAIT_MS = 1000  # how long a refresh-only save waits for SQLite's write lock


class SlidingSessionMiddleware(SessionMiddleware):
    """Use in place of Django's SessionMiddleware, with ``SESSION_SAVE_EVERY_REQUEST = False``."""

    def process_response(self, request, response):
        session = getattr(request, "session", None)
        if session is None or not session.accessed or session.is_empty():
            return super().process_response(request, response)
        refresh_only = not session.modified
        if refresh_only:
            now = int(time.time())
            if now - int(session.get(REFRESHED_KEY, 0)) < REFRESH_EVERY:
                return super().process_response(request, response)
            session[REFRESHED_KEY] = now  # marks the session modified: it will be saved
            try:
                with short_lock_wait(BUSY_WAIT_MS):
                    return super().process_response(request, response)
            except (OperationalError, SessionInterrupted):
                # The database is busy (a long apply on SQLite; Django reports the failed
                # save as SessionInterrupted): the session is still valid and is refreshed on
                # a later request.
                log.info("Session refresh skipped: the database is busy")
                return response
        session[REFRESHED_KEY] = int(time.time())
        return super().process_response(request, response)
