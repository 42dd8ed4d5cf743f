"""Demo data for the API: one published token, so the API can be tried straight away."""

from ipsworks.demo.context import DemoContext

from .services import create_api_token

# Published in the README, like the demo's password: never use the demo for real data.
DEMO_TOKEN = "ipw_demo-programme-manager"


def load(ctx: DemoContext) -> None:
    create_api_token(
        actor=None,
        user=ctx.users["programme.manager"],
        name="Demo: monthly report script",
        days=365,
        raw=DEMO_TOKEN,
    )
    ctx.say(f"  API token for programme.manager: {DEMO_TOKEN}")
