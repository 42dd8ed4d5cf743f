"""Pages for managing one's own API tokens. The API itself is in :mod:`.endpoints`."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from . import services
from .forms import NewTokenForm
from .selectors import tokens_of


def _list(request, form, status=200):
    now = timezone.now()
    tokens = [(token, token.status(now)) for token in tokens_of(request.user)]
    return render(request, "api/tokens.html", {"form": form, "tokens": tokens}, status=status)


@never_cache
def tokens(request):
    form = NewTokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            token, secret = services.create_api_token(
                actor=request.user,
                user=request.user,
                name=form.cleaned_data["name"],
                days=form.cleaned_data["days"],
            )
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                for message in errors:
                    form.add_error(field if field in form.fields else None, message)
        else:
            # Shown once, on this response only (never in a URL or a message that is stored).
            return render(request, "api/token_created.html", {"token": token, "secret": secret})
    return _list(request, form, status=400 if form.errors else 200)


@require_POST
def revoke(request, pk: int):
    token = tokens_of(request.user).filter(pk=pk).first()
    if token is None:
        raise Http404("Not found")
    services.revoke_api_token(actor=request.user, token=token)
    messages.success(request, f"Token “{token.name}” revoked: it no longer works.")
    return redirect("api_tokens")
