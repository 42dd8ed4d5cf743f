"""`ipsworks demo`: (re)create the embedded SQLite database, load the demo, serve it."""

from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connections

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
        path.parent.mkdir(parents=True, exist_ok=True)
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        self.stdout.write(f"Creating the demo database at {path}")
        call_command("migrate", interactive=False, verbosity=0)
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
        if no_serve:
            return
        self.stdout.write("")
        call_command("runserver", f"127.0.0.1:{port}", use_reloader=False, skip_checks=True)
