"""Sign-in with lockout, password change. Sign-out is Django's (POST only)."""

from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.db import transaction
from django.utils.decorators import method_decorator

from ipsworks.audit.models import AuditEvent
from ipsworks.audit.services import record

from .forms import NhsPasswordChangeForm, SignInForm


@method_decorator(login_not_required, name="dispatch")
class SignInView(auth_views.LoginView):
    template_name = "registration/login.html"
    redirect_authenticated_user = True
    authentication_form = SignInForm


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "registration/password_change_form.html"
    form_class = NhsPasswordChangeForm

    def form_valid(self, form):
        """Change the password and audit it (that it changed, never the hash)."""
        with transaction.atomic():
            response = super().form_valid(form)
            record(
                actor=self.request.user,
                action=AuditEvent.Action.UPDATE,
                event="account.password_changed",
                instance=self.request.user,
                summary=f"{self.request.user.username} changed their own password",
                before={"password": "(old)"},
                after={"password": "(changed)"},
            )
        return response


class PasswordChangeDoneView(auth_views.PasswordChangeDoneView):
    template_name = "registration/password_change_done.html"
