"""Fixtures for API tests: a token per role, and a client that sends it."""

import pytest


@pytest.fixture
def token_for(db):
    """token_for(user, **kwargs) -> the secret of a new token for `user`."""
    from ipsworks.api.services import create_api_token

    def make(user, name="test script", days=90):
        return create_api_token(actor=user, user=user, name=name, days=days)[1]

    return make


@pytest.fixture
def api(client, token_for):
    """api(user_or_secret, path, **params) -> response, sending the user's (new) token."""

    def get(who, path, **params):
        secret = who if isinstance(who, str) else token_for(who)
        return client.get(path, params, HTTP_AUTHORIZATION=f"Bearer {secret}")

    return get
