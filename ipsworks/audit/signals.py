"""Sign-ins, sign-outs and failed sign-ins go to the audit trail."""

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from .models import AuditEvent
from .services import record


@receiver(user_logged_in)
def _signed_in(sender, request, user, **kwargs):
    record(actor=user, action=AuditEvent.Action.SIGN_IN, event="accounts.signed_in", instance=user)


@receiver(user_logged_out)
def _signed_out(sender, request, user, **kwargs):
    if user is not None:
        record(
            actor=user,
            action=AuditEvent.Action.SIGN_OUT,
            event="accounts.signed_out",
            instance=user,
        )


@receiver(user_login_failed)
def _sign_in_failed(sender, credentials, request=None, **kwargs):
    username = str(credentials.get("username", ""))[:150]
    record(
        actor=None,
        action=AuditEvent.Action.SIGN_IN_FAILED,
        event="accounts.sign_in_failed",
        entity="accounts.User",
        summary=f"Failed sign-in for {username!r}",
    )
