"""`api_view`: the wrapper every API endpoint goes through.

It reads the bearer token, acts as the token's account for this request, allows GET (and HEAD)
only, and answers every refusal in JSON: 401 without a usable token, 404 for anything outside
the account's scope (exactly as the pages do), 405 for other methods.
"""

from __future__ import annotations

from functools import wraps

from django.contrib.auth.decorators import login_not_required
from django.http import Http404, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.vary import vary_on_headers

from .selectors import token_for
from .services import note_use


class BadRequest(Exception):
    """A query parameter the endpoint cannot use; the message says which and why."""


def error(status: int, message: str) -> JsonResponse:
    response = JsonResponse({"error": message}, status=status)
    response["Cache-Control"] = "no-store"
    return response


def _bearer(request) -> str:
    scheme, _, credentials = request.headers.get("Authorization", "").partition(" ")
    return credentials.strip() if scheme.lower() == "bearer" else ""


def api_view(view):
    @login_not_required
    @csrf_exempt  # no cookies are read: the token comes in a header a page cannot forge
    @vary_on_headers("Authorization")
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.method not in ("GET", "HEAD"):
            response = error(405, "The API is read-only: use GET.")
            response["Allow"] = "GET, HEAD"
            return response
        token = token_for(_bearer(request))
        if token is None:
            response = error(
                401,
                "Send a personal access token: 'Authorization: Bearer <token>'. "
                "Make one on your account's API tokens page.",
            )
            response["WWW-Authenticate"] = 'Bearer realm="ipsworks"'
            return response
        note_use(token=token)
        request.user = token.user
        try:
            payload = view(request, *args, **kwargs)
        except Http404:
            return error(404, "Not found.")
        except BadRequest as exc:
            return error(400, str(exc))
        response = JsonResponse(payload, json_dumps_params={"indent": 2})
        response["Cache-Control"] = "private, no-store"
        return response

    return wrapper
