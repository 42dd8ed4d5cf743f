"""System checks for a production install (``ipsworks check --deploy``, and at start-up)."""

from django.conf import settings
from django.core.checks import Tags, Warning, register


@register(Tags.security, deploy=True)
def email_is_sent(app_configs, **kwargs):
    """Return reminders are e-mails: in production, warn when they would only be printed."""
    backend = settings.MAILERS["default"]["BACKEND"]
    if getattr(settings, "PRODUCTION", False) and backend.endswith(("console.EmailBackend",)):
        return [
            Warning(
                "E-mail is written to the console, not sent: return reminders will not reach "
                "anyone.",
                hint="Set IPSWORKS_EMAIL_URL, for example smtp+tls://user:pass@host:587.",
                id="ipsworks.W001",
            )
        ]
    return []
