"""`ipsworks api_token create|list|revoke`: personal access tokens for the read-only API.

``create USERNAME --name TEXT [--days 30|90|365]`` prints the new token alone on standard
output (so a script can capture it) and nothing else; it cannot be shown again.
``list USERNAME`` prints the account's tokens (never the tokens themselves).
``revoke ID`` stops a token working. Each change is audited (with no account: a command).
"""

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from ipsworks.api.models import ApiToken
from ipsworks.api.selectors import tokens_of
from ipsworks.api.services import LIFETIMES_DAYS, create_api_token, revoke_api_token


def _user(username: str):
    try:
        return get_user_model().objects.get(username=username)
    except get_user_model().DoesNotExist:
        raise CommandError(f"No account {username!r}.") from None


class Command(BaseCommand):
    help = "Make, list or revoke personal access tokens for the read-only API."

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        create = actions.add_parser("create", help="make a token and print it (once)")
        create.add_argument("username")
        create.add_argument("--name", required=True, help="what the token is for")
        create.add_argument("--days", type=int, choices=LIFETIMES_DAYS, default=90)
        listing = actions.add_parser("list", help="an account's tokens")
        listing.add_argument("username")
        revoke = actions.add_parser("revoke", help="stop a token working")
        revoke.add_argument("id", type=int, help="the token's id (from 'list')")

    def handle(self, *args, action, **options):
        if action == "create":
            user = _user(options["username"])
            try:
                _, secret = create_api_token(
                    actor=None, user=user, name=options["name"], days=options["days"]
                )
            except ValidationError as exc:
                raise CommandError(" ".join(exc.messages)) from None
            self.stdout.write(secret)
        elif action == "list":
            now = timezone.now()
            self.stdout.write("id\tname\tstarts with\tstatus\tstops working\tlast used")
            for token in tokens_of(_user(options["username"])):
                used = f"{token.last_used_at:%Y-%m-%d %H:%M}" if token.last_used_at else "never"
                self.stdout.write(
                    f"{token.pk}\t{token.name}\t{token.hint}\t{token.status(now)}\t"
                    f"{token.expires_at:%Y-%m-%d}\t{used}"
                )
        else:
            token = ApiToken.objects.filter(pk=options["id"]).first()
            if token is None:
                raise CommandError(f"No token with id {options['id']}.")
            if token.revoked_at is not None:
                self.stderr.write(f"Token {token.pk} ({token}) was already revoked.")
                return
            revoke_api_token(actor=None, token=token)
            self.stderr.write(f"Revoked token {token.pk} ({token}) of {token.user.username}.")
