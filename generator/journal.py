"""The journal of the output folder: what the generator knows of it between builds.

It lies beside ``next`` (``output.py``) and says, with the folders' inode numbers it was
written for (so that a switch it did not see makes it void):

- ``settled``: the saved state describes the output folder; when the generator last changed
  the output (later changes were made by hand: the journal's own change time, written after
  the switch, or the time it kept when no switch followed); and whether ``next`` mirrors the
  output (it does unless the mirror could not be made).
- ``begun``: a build began preparing the next site in ``next``, which it may have written into
  (a failed or killed build's workers may have written files they did not report): ``next``
  is no mirror, but the output folder is untouched, so the saved state still describes it,
  and the time of the last ``settled`` journal still tells changes by hand.
- ``switched``: the output folder holds a new site whose state may not be saved (a build that
  failed or was killed between the switch and the end of the save): nothing is known of it.
"""

from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass
from pathlib import Path

from .files import atomic_write, inode

JOURNAL_WAIT = 100  # at most so many milliseconds for the file-system clock to move on


@dataclass(frozen=True)
class Known:
    """What the journal tells of the output folder."""

    since: int | None  # when the generator last changed it (ns); None: the state may not
    # describe it
    mirror: bool  # ``next`` mirrors it


UNKNOWN = Known(None, False)


def read(path: Path, live: Path, following: Path) -> Known:
    """What the journal at ``path`` tells of the output folder ``live`` and its mirror
    ``following``; nothing, if it is missing, damaged or written for other folders."""
    try:
        with open(path, encoding="utf-8") as handle:
            journal = json.loads(handle.read())
            written = os.fstat(handle.fileno()).st_ctime_ns
        if journal.get("live") != inode(live):
            return UNKNOWN
        phase = journal.get("phase")
        since = journal.get("since")
        if phase == "settled":
            return Known(since if isinstance(since, int) else written,
                         journal.get("mirror") is True and journal.get("next") == inode(following))
        if phase == "begun" and isinstance(since, int):
            return Known(since, False)
    except (OSError, ValueError, AttributeError):
        pass
    return UNKNOWN


def write(path: Path, live: Path, following: Path, phase: str, since: int | None = None,
          mirror: bool = False) -> None:
    """Write the journal. A settled journal's time is what later changes are told by: it must
    come after the last change this build made to the output folder (the switch), and file
    times move in steps of a few milliseconds: wait for the next one if need be (not for a
    clock set back, though: then the next build just looks at the top folder once more)."""
    data = json.dumps({"phase": phase, "since": since, "mirror": mirror, "live": inode(live),
                       "next": inode(following)}).encode()
    atomic_write(path, data)
    for _ in range(JOURNAL_WAIT if phase == "settled" and since is None else 0):
        if os.stat(path).st_ctime_ns > os.stat(live).st_ctime_ns:
            break
        time.sleep(0.001)
        atomic_write(path, data)
