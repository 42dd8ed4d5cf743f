"""How far the work on an uploaded return has got, and whether that work is still alive.

Kept in a small file beside the import's stored files, not in the database: an apply runs in
one transaction, whose writes nobody else sees until it commits (and on SQLite that transaction
holds the only write lock), so progress written to the database would show nothing until the
end. While the work runs, a heartbeat thread touches the file every few seconds; when the file
has not been touched for ``STALE_AFTER`` seconds the process doing the work has died (a
restart, a crash, a kill) and the import can be recovered (see
:func:`ipsworks.returns.services.recover_if_stale`).
"""

from __future__ import annotations

import json
import os
import threading
import time
from contextlib import contextmanager, suppress
from pathlib import Path

BEAT_EVERY = 5.0  # seconds between heartbeats while work runs
STALE_AFTER = 60.0  # seconds without a heartbeat after which the work is taken to be dead
FILE_NAME = "progress.json"


def progress_file(item) -> Path | None:
    """Where an import's progress is kept (beside its first stored file)."""
    if not item.files:
        return None
    return Path(item.files[0]["path"]).parent / FILE_NAME


def write(item, done: int, total: int) -> None:
    """Record progress (atomically: a reader never sees half a file)."""
    path = progress_file(item)
    if path is None or not path.parent.exists():
        return
    partial = path.with_name(f"{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    partial.write_text(json.dumps({"done": done, "total": max(total, done)}))
    os.replace(partial, path)


def read(item) -> tuple[int, int, float | None]:
    """(rows done, rows in all, seconds since the last heartbeat or None if there is none)."""
    path = progress_file(item)
    try:
        data = json.loads(path.read_text()) if path else {}
        age = time.time() - path.stat().st_mtime if path else None
    except (OSError, ValueError):
        return 0, 0, None
    return int(data.get("done", 0)), int(data.get("total", 0)), age


def clear(item) -> None:
    path = progress_file(item)
    if path is not None:
        path.unlink(missing_ok=True)


@contextmanager
def beating(item):
    """Touch the progress file every ``BEAT_EVERY`` seconds while the block runs."""
    path = progress_file(item)
    stop = threading.Event()

    def beat():
        while not stop.wait(BEAT_EVERY):
            with suppress(OSError):
                os.utime(path)

    if path is not None and not path.exists():
        write(item, 0, 0)
    thread = threading.Thread(target=beat, name=f"return-heartbeat-{item.pk}", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()
