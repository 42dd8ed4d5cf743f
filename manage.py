#!/usr/bin/env python
"""Django's usual entry point; `ipsworks` (the console script) does the same."""

from ipsworks.cli import main

if __name__ == "__main__":
    main()
