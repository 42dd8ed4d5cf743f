"""pytest plugin (loaded with `-p ipsworks.testing` from pyproject.toml): puts ipsworks in its
test environment before Django's settings are read."""

import os

os.environ.setdefault("IPSWORKS_ENV", "test")
os.environ.setdefault("IPSWORKS_DATA_DIR", os.path.join(os.getcwd(), "data", "test"))
