"""Demo data for outcomes: default target settings and summaries rebuilt from the caseload demo
(which may bulk-create records without sending records_changed)."""

from ipsworks.demo.context import DemoContext

from .models import TargetSettings
from .summaries import rebuild_all


def load(ctx: DemoContext) -> None:
    TargetSettings.objects.get_or_create(programme=ctx.programme)
    rows = rebuild_all()
    ctx.say(f"    outcomes: {rows} monthly summary rows")
