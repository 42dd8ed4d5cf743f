"""The `ipsworks` console script: Django's management commands with ipsworks' settings."""

import os
import sys


def main(argv: list[str] | None = None) -> None:
    args = list(sys.argv[1:] if argv is None else argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ipsworks.settings")
    if args[:1] == ["demo"]:
        # The demo is a local, embedded install: demo settings (no secret needed, plain HTTP).
        os.environ.setdefault("IPSWORKS_ENV", "demo")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["ipsworks", *args])


if __name__ == "__main__":
    main()
