"""The API token pages, under the account's pages (``/account/api-tokens/``)."""

from django.urls import path

from . import views

urlpatterns = [
    path("", views.tokens, name="api_tokens"),
    path("<int:pk>/revoke/", views.revoke, name="api_token_revoke"),
]
