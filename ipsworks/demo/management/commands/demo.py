"""`ipsworks demo`: (re)create the embedded SQLite database, load the demo, serve it."""

import sqlite3
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connections

from ipsworks.api.demo import DEMO_TOKEN
from ipsworks.demo.context import DEMO_PASSWORD
from ipsworks.demo.loader import DEFAULT_SEED, load_demo
from ipsworks.demo.organisation import PROGRAMME_ACCOUNTS, SITES


class Command(BaseCommand):
    help = "Create or refresh the demo database, load the demo programme, and serve it locally."

    def add_arguments(self, parser):
        parser.add_argument("--port", type=int, default=8000, help="Port on 127.0.0.1 (8000).")
        parser.add_argument("--no-serve", action="store_true", help="Load the demo and exit.")
        parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="Random seed.")

    def handle(self, *args, port, no_serve, seed, **options):
        db = settings.DATABASES["default"]
        if db["ENGINE"] != "django.db.backends.sqlite3":
            raise CommandError(
                "The demo runs on the embedded SQLite database only, so that it can never "
                "overwrite real data: unset DATABASE_URL to run it."
            )
        path = Path(db["NAME"])
        connections.close_all()
        if not _replaceable(path):
            raise CommandError(
                f"{path} holds records that the demo did not make, so the demo will not "
                "replace it. Point IPSWORKS_DATA_DIR at another folder to run the demo there."
            )
        path.parent.mkdir(parents=True, exist_ok=True)
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        self.stdout.write(f"Creating the demo database at {path}")
        call_command("migrate", interactive=False, verbosity=0)
        _marker(path).write_text("Made by `ipsworks demo`: it may replace this database.\n")
        self.stdout.write("Loading the demo programme 'Making IPS Work' (synthetic records)")
        ctx = load_demo(seed=seed, stdout=self.stdout)

        url = f"http://127.0.0.1:{port}/"
        self.stdout.write("")
        self.stdout.write(f"ipsworks demo: {url}")
        self.stdout.write(f"Every demo account's password is: {DEMO_PASSWORD}")
        self.stdout.write("Programme accounts: " + ", ".join(u for u, _ in PROGRAMME_ACCOUNTS))
        listed = {u for u, _ in PROGRAMME_ACCOUNTS}
        for slug, name, *_ in SITES:
            accounts = [f"{slug}.im", f"{slug}.tl", f"{slug}.es1", f"{slug}.es2"]
            listed.update(accounts)
            self.stdout.write(f"  {name}: {', '.join(accounts)}")
        others = sorted(set(ctx.users) - listed)
        if others:
            self.stdout.write("Other demo accounts: " + ", ".join(others))
        self.stdout.write(
            f"API token (acts as programme.manager): {DEMO_TOKEN}, for example: curl -H "
            f'"Authorization: Bearer {DEMO_TOKEN}" {url}api/v1/outcomes/'
        )
        if no_serve:
            return
        self.stdout.write("")
        call_command("runserver", f"127.0.0.1:{port}", use_reloader=False, skip_checks=True)


def _marker(path: Path) -> Path:
    return path.with_name(path.name + ".demo")


def _replaceable(path: Path) -> bool:
    """Whether the demo may delete the database at `path`: there is none (or an empty file or
    one with no tables), the demo made it (its marker file is beside it), or it holds people and
    every one is a demo's made-up one (a demo database from before the marker). Anything else,
    such as a production install on the default SQLite file, is never deleted."""
    if not path.exists() or _marker(path).exists() or path.stat().st_size == 0:
        return True
    try:
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as con:
            tables = {r[0] for r in con.execute("SELECT name FROM sqlite_master")}
            if "caseload_serviceuser" not in tables:
                return "accounts_user" not in tables  # no schema yet
            real = con.execute(
                "SELECT count(*) FROM caseload_serviceuser WHERE NOT is_synthetic"
            ).fetchone()[0]
            made_up = con.execute("SELECT count(*) FROM caseload_serviceuser").fetchone()[0]
    except sqlite3.DatabaseError:
        return False  # not a database we can read: leave it alone
    return real == 0 and made_up > 0
