"""The `ipsworks` console script: Django's management commands with ipsworks' settings."""

import os
import sys


def main(argv: list[str] | None = None) -> None:
    args = list(sys.argv[1:] if argv is None else argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ipsworks.settings")
    if args[:1] == ["demo"]:
        # The demo is a local, embedded install: demo settings (no secret needed, plain HTTP).
        os.environ.setdefault("IPSWORKS_ENV", "demo")
    from django.core.exceptions import ImproperlyConfigured
    from django.core.management import execute_from_command_line

    try:
        execute_from_command_line(["ipsworks", *args])
    except ImproperlyConfigured as exc:
        # A settings problem (no secret key in production, say) is a message, not a traceback.
        sys.stderr.write(f"ipsworks: {exc}\n")
        raise SystemExit(1) from None


if __name__ == "__main__":
    main()
