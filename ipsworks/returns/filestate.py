"""What a return file has said so far, kept on disk while the file is checked or applied.

The importer reads a file in chunks of rows. Some checks need every earlier row of the file,
not only the rows of the chunk: a referral may appear once; a person may have one open
referral once the whole file is read; a Jobs row belongs to a referral on the Caseload sheet;
two jobs of one person starting on one day are matched in file order. `FileState` keeps that
in a scratch SQLite database in a temporary directory (deleted afterwards), so the memory an
import uses does not grow with the number of rows in the file. Dates are stored as ordinals.
"""

from __future__ import annotations

import shutil
import sqlite3
import tempfile
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

SCHEMA = """
CREATE TABLE person (key TEXT PRIMARY KEY, reference TEXT NOT NULL, first_row INTEGER,
    several INTEGER NOT NULL DEFAULT 0) WITHOUT ROWID;
CREATE TABLE episode (
    key TEXT NOT NULL, referral INTEGER NOT NULL, profile INTEGER, discharge INTEGER,
    row INTEGER, pk INTEGER, PRIMARY KEY (key, referral)) WITHOUT ROWID;
CREATE TABLE job_seen (key TEXT NOT NULL, start INTEGER NOT NULL, n INTEGER NOT NULL,
    PRIMARY KEY (key, start)) WITHOUT ROWID;
"""
BATCH = 500  # keys per lookup statement
PREFIX = "ipsworks-return-"
STALE_AFTER = 24 * 3600  # seconds: a scratch directory this old was left by a killed import


def remove_stale(folder: Path | None = None) -> int:
    """Delete scratch directories that a killed import left behind (a normal end deletes its
    own); returns how many. Run as each import starts."""
    folder = Path(folder or tempfile.gettempdir())
    removed = 0
    cutoff = time.time() - STALE_AFTER
    for path in folder.glob(PREFIX + "*"):
        try:
            if path.is_dir() and path.stat().st_mtime < cutoff:
                shutil.rmtree(path, ignore_errors=True)
                removed += 1
        except OSError:
            continue  # another import removed it first
    return removed


@dataclass(slots=True)
class EpisodeState:
    """A referral as the checks see it: recorded (``row`` None) or on a Caseload row."""

    id: object  # the episode's pk, a pending reference while applying, or None
    referral_date: date
    profile_started: date | None
    discharge_date: date | None
    row: int | None = None  # the file row that set it


def _ordinal(value: date | None) -> int | None:
    return None if value is None else value.toordinal()


def _date(value: int | None) -> date | None:
    return None if value is None else date.fromordinal(value)


def _batches(keys: Iterable[str]) -> Iterator[list[str]]:
    keys = list(keys)
    for start in range(0, len(keys), BATCH):
        yield keys[start : start + BATCH]


class FileState:
    """The scratch store. Use as a context manager; keys are casefolded service user IDs."""

    def __init__(self) -> None:
        remove_stale()
        self._dir = tempfile.TemporaryDirectory(prefix=PREFIX)
        self.db = sqlite3.connect(Path(self._dir.name) / "state.sqlite3")
        # Scratch data: nothing to recover after a crash, so no journal and no fsync; a small
        # page cache keeps memory flat.
        self.db.executescript(
            "PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF; PRAGMA cache_size=-4096;" + SCHEMA
        )

    def __enter__(self) -> FileState:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        self.db.close()
        self._dir.cleanup()

    # -- reading ----------------------------------------------------------------------------

    def people(self, keys: Iterable[str]) -> dict[str, list]:
        """{key: [the ID as first written, EpisodeState of each of its Caseload rows...]}."""
        out: dict[str, list] = {}
        for batch in _batches(keys):
            marks = ",".join("?" * len(batch))
            for key, reference in self.db.execute(
                f"SELECT key, reference FROM person WHERE key IN ({marks})",  # noqa: S608
                batch,
            ):
                out[key] = [reference]
            for key, referral, profile, discharge, row, pk in self.db.execute(
                "SELECT key, referral, profile, discharge, row, pk FROM episode "  # noqa: S608
                f"WHERE key IN ({marks}) ORDER BY row",
                batch,
            ):
                out[key].append(
                    EpisodeState(pk, _date(referral), _date(profile), _date(discharge), row)
                )
        return out

    def jobs_seen(self, keys: Iterable[str]) -> dict[tuple[str, date], int]:
        out: dict[tuple[str, date], int] = {}
        for batch in _batches(keys):
            marks = ",".join("?" * len(batch))
            for key, start, n in self.db.execute(
                f"SELECT key, start, n FROM job_seen WHERE key IN ({marks})",  # noqa: S608
                batch,
            ):
                out[(key, date.fromordinal(start))] = n
        return out

    def people_in_order(self, size: int) -> Iterator[list[str]]:
        """Every person with a Caseload row and more than one referral (recorded or in the
        file), in the order they first appear, `size` at a time."""
        cursor = self.db.execute("SELECT key FROM person WHERE several = 1 ORDER BY first_row")
        while batch := cursor.fetchmany(size):
            yield [key for (key,) in batch]

    # -- writing ----------------------------------------------------------------------------

    def add(
        self,
        people: dict[str, tuple[str, int]],
        episodes: list[tuple[str, EpisodeState]],
        jobs_seen: dict[tuple[str, date], int],
        several: Iterable[str] = (),
    ) -> None:
        """Store a chunk's new people ({key: (ID, first row)}), its referrals, the running
        count of Jobs rows per (person, start date), and who now has several referrals."""
        self.db.executemany(
            "INSERT OR IGNORE INTO person (key, reference, first_row) VALUES (?, ?, ?)",
            [(key, reference, row) for key, (reference, row) in people.items()],
        )
        self.db.executemany(
            "INSERT INTO episode (key, referral, profile, discharge, row, pk) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            [
                (
                    key,
                    s.referral_date.toordinal(),
                    _ordinal(s.profile_started),
                    _ordinal(s.discharge_date),
                    s.row,
                    _plain_pk(s.id),
                )
                for key, s in episodes
            ],
        )
        self.db.executemany("UPDATE person SET several = 1 WHERE key = ?", [(k,) for k in several])
        self.db.executemany(
            "INSERT OR REPLACE INTO job_seen (key, start, n) VALUES (?, ?, ?)",
            [(key, start.toordinal(), n) for (key, start), n in jobs_seen.items()],
        )


def _plain_pk(value) -> int | None:
    """An episode's pk as stored: a pending reference (see caseload.services.PendingRecord)
    has its pk once the chunk is written."""
    if value is None or isinstance(value, int):
        return value
    return getattr(value, "pk", None)
