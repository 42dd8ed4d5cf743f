"""The importer's scratch store cleans up after itself, and after imports that were killed."""

import os
import time
from datetime import date

from ipsworks.returns import filestate
from ipsworks.returns.filestate import EpisodeState, FileState


def test_the_scratch_directory_is_gone_after_use_and_holds_what_was_added():
    with FileState() as state:
        folder = state._dir.name
        state.add({"a1": ("A1", 2)}, [("a1", EpisodeState(7, date(2016, 3, 1), None, None, 2))], {})
        people = state.people({"a1", "b2"})
        assert list(people) == ["a1"]
        assert people["a1"][0] == "A1" and people["a1"][1].id == 7
        assert people["a1"][1].referral_date == date(2016, 3, 1)
    assert not os.path.exists(folder)


def test_stale_scratch_directories_left_by_killed_imports_are_removed(tmp_path):
    old = tmp_path / (filestate.PREFIX + "old")
    new = tmp_path / (filestate.PREFIX + "new")
    other = tmp_path / "someone-elses"
    for path in (old, new, other):
        path.mkdir()
        (path / "state.sqlite3").write_bytes(b"x")
    long_ago = time.time() - filestate.STALE_AFTER - 60
    os.utime(old, (long_ago, long_ago))
    os.utime(other, (long_ago, long_ago))
    assert filestate.remove_stale(tmp_path) == 1
    assert not old.exists() and new.exists() and other.exists()
