"""Reads for the API: finding the token a request presents, and a user's tokens."""

from __future__ import annotations

from django.db.models import QuerySet

from .models import PREFIX, ApiToken, hash_token


def token_for(raw: str) -> ApiToken | None:
    """The usable token whose secret is `raw`, with its user; None for anything else."""
    if not raw.startswith(PREFIX) or len(raw) > 200:
        return None
    return ApiToken.objects.usable().select_related("user").filter(key_hash=hash_token(raw)).first()


def tokens_of(user) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(user=user)
