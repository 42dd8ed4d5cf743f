"""What each app's demo loader receives."""

import random
from dataclasses import dataclass, field
from typing import TextIO

DEMO_PASSWORD = "ipsworks-demo"


@dataclass
class DemoContext:
    seed: int
    programme: object = None
    sites: dict = field(default_factory=dict)  # slug -> Site
    users: dict = field(default_factory=dict)  # username -> User
    stdout: TextIO | None = None

    def rng(self, name: str) -> random.Random:
        """A random generator of its own for each part of the demo, so parts don't disturb
        each other and a given seed always gives the same data."""
        return random.Random(f"{self.seed}:{name}")

    def say(self, text: str) -> None:
        if self.stdout is not None:
            self.stdout.write(text + "\n")
