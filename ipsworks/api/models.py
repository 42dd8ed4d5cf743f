"""Personal access tokens for the read-only API.

A token acts for the account that made it, with that account's current roles: a role that ends
ends what the token can read, and a deactivated account's tokens stop working. Only a SHA-256
hash of each token is stored (the tokens are long and random, so a slow hash adds nothing); the
token itself is shown once, when it is made.
"""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.db import models
from django.utils import timezone

PREFIX = "ipw_"


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


class ApiTokenQuerySet(models.QuerySet):
    def usable(self, now=None):
        """Tokens that still work: not revoked, not expired, account active."""
        now = now or timezone.now()
        return self.filter(revoked_at__isnull=True, expires_at__gt=now, user__is_active=True)


class ApiToken(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(
        max_length=60, help_text="What the token is for, so that you can recognise it later."
    )
    # The first characters of the token, kept so that a token can be recognised in lists.
    hint = models.CharField(max_length=12)
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.hint}…)"

    def status(self, now=None) -> str:
        now = now or timezone.now()
        if self.revoked_at:
            return "Revoked"
        if self.expires_at <= now:
            return "Expired"
        return "Active"
