"""benchmarks/returns_import.py runs end to end at a small size and prints a line per step.

The figures themselves are not judged (speed targets belong in the benchmark's output, not in
timed tests); this keeps the script from rotting as the importer changes."""

import os
import re
import subprocess
import sys
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[2] / "benchmarks" / "returns_import.py"
LINE = re.compile(
    r"^csv\s+(?P<rows>\d+) (?P<step>raw read|check|apply|re-import|db floor)\s+"
    r"(?P<seconds>\d+\.\d\d)\s+(?P<per_second>\d+)\s+(?P<mb>-?\d+\.\d|-)\s+(?P<x>\d+\.\d\d)$"
)


def test_benchmark_prints_every_step_with_its_figures(tmp_path):
    env = {
        key: value
        for key, value in os.environ.items()
        if key
        not in {"DATABASE_URL", "DJANGO_SETTINGS_MODULE", "IPSWORKS_DATA_DIR", "IPSWORKS_BENCH_DIR"}
    }
    env["TMPDIR"] = str(tmp_path)  # where it makes its scratch folder (database and files)
    out = subprocess.run(  # noqa: S603 - the project's own script
        [sys.executable, str(SCRIPT), "--rows", "120", "--formats", "csv"],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert out.returncode == 0, out.stderr[-2000:]
    lines = out.stdout.strip().splitlines()
    assert lines[0].split()[:3] == ["format", "rows", "step"]
    steps = {}
    for line in lines[1:]:
        match = LINE.match(line)
        assert match, f"unexpected line: {line!r}"
        steps[match["step"]] = match
    assert list(steps) == ["raw read", "check", "apply", "re-import", "db floor"]
    assert all(m["rows"] == "120" for m in steps.values())
    assert steps["raw read"]["x"] == "1.00"
    assert steps["db floor"]["mb"] == "-"
    assert float(steps["apply"]["seconds"]) > 0
    assert list(tmp_path.iterdir()) == []  # its scratch folder (one, not one per step) is gone
