"""Writes for the API: making, using and revoking personal access tokens (each audited)."""

from __future__ import annotations

import logging
import secrets
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import OperationalError, transaction
from django.utils import timezone

from ipsworks.audit.services import record
from ipsworks.core.busy import short_lock_wait

from .models import PREFIX, ApiToken, hash_token

LIFETIMES_DAYS = (30, 90, 365)
MAX_ACTIVE_TOKENS = 10
# How stale "last used" may be before a request updates it (one write a minute at most).
LAST_USED_STEP = timedelta(minutes=1)
BUSY_WAIT_MS = 200  # how long the last-use note waits for SQLite's write lock
log = logging.getLogger(__name__)


@transaction.atomic
def create_api_token(*, actor, user, name: str, days: int, raw: str | None = None):
    """Make a token for `user` (the actor themself, or anyone when run from a command with no
    actor). Returns (token, secret): the secret is not stored and cannot be shown again.
    `raw` fixes the secret (the demo's published token); otherwise it is random."""
    if actor is not None and actor != user:
        raise PermissionDenied("You can only make tokens for your own account.")
    name = " ".join(name.split())
    if not name:
        raise ValidationError({"name": "Enter what the token is for."})
    if days not in LIFETIMES_DAYS:
        raise ValidationError({"days": f"Choose {', '.join(map(str, LIFETIMES_DAYS))} days."})
    # Lock the account's row so that two requests at once cannot both pass the limit.
    get_user_model().objects.select_for_update().filter(pk=user.pk).first()
    if ApiToken.objects.usable().filter(user=user).count() >= MAX_ACTIVE_TOKENS:
        who = "You already have" if actor is not None else f"{user.username} already has"
        raise ValidationError(
            {"name": f"{who} {MAX_ACTIVE_TOKENS} tokens. Revoke one no longer in use."}
        )
    raw = raw or PREFIX + secrets.token_urlsafe(32)
    now = timezone.now()
    token = ApiToken(
        user=user,
        name=name,
        hint=raw[: len(PREFIX) + 4],
        key_hash=hash_token(raw),
        created_at=now,
        expires_at=now + timedelta(days=days),
    )
    token.full_clean()
    token.save()
    record(
        actor=actor,
        action="create",
        event="api_token.created",
        instance=token,
        summary=f"API token made for {user.username}: {token}, expires {token.expires_at:%Y-%m-%d}",
        after={"user": user.pk, "name": name, "hint": token.hint, "days": days},
    )
    return token, raw


@transaction.atomic
def revoke_api_token(*, actor, token: ApiToken) -> ApiToken:
    """Stop a token working. Its owner or a superuser may revoke it (or a command, with no
    actor)."""
    token = ApiToken.objects.select_for_update().get(pk=token.pk)
    if actor is not None and actor.pk != token.user_id and not actor.is_superuser:
        raise PermissionDenied("You can only revoke your own tokens.")
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        record(
            actor=actor,
            action="update",
            event="api_token.revoked",
            instance=token,
            summary=f"API token revoked for {token.user.username}: {token}",
            after={"revoked_at": token.revoked_at},
        )
    return token


def note_use(*, token: ApiToken) -> None:
    """Record when a token was last used, at most once a minute (not audited: reads only).
    When the database is busy (SQLite during a long return apply) the note is skipped after a
    short wait, so a read never waits for, or fails on, this write."""
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_STEP:
        try:
            with short_lock_wait(BUSY_WAIT_MS):
                ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        except OperationalError:
            log.info("API token last-use note skipped: the database is busy")
            return
        token.last_used_at = now
