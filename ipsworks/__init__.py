"""ipsworks: running Individual Placement and Support (IPS) services across many sites."""

__version__ = "0.1.0"
