from django.contrib.auth.forms import AuthenticationForm, PasswordChangeForm

from ipsworks.core.forms import NhsFormMixin


class SignInForm(NhsFormMixin, AuthenticationForm):
    pass


class NhsPasswordChangeForm(NhsFormMixin, PasswordChangeForm):
    pass
