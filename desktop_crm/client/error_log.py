"""Where an unexpected error's traceback goes: a log file in the profile folder, never stderr.

A traceback can quote customer data (a statement's parameters, a record's fields), so the
command line prints one line naming this file instead. The file is created 0600.
"""

from __future__ import annotations

import os
import sys
import traceback
from datetime import UTC, datetime
from pathlib import Path

import platformdirs

from desktop_crm.domain.erasure import Scrubber

ERROR_LOG = "desktop-crm-errors.log"


def _log_folders(folder: Path) -> list[Path]:
    return [folder, Path(platformdirs.user_log_dir("desktop-crm", appauthor=False))]


def scrub_error_logs(folder: Path, scrubber: Scrubber) -> None:
    """A person was erased: their texts go from the error logs too (a traceback may quote a
    record). Rewritten in place, so the file keeps its owner-only mode."""
    for directory in _log_folders(folder):
        path = directory / ERROR_LOG
        try:
            text = path.read_text(encoding="utf-8", errors="replace")
            scrubbed = scrubber.text(text)
            if scrubbed != text:
                with path.open("r+", encoding="utf-8") as log_file:
                    log_file.write(scrubbed)
                    log_file.truncate()
        except OSError:
            continue


def write_error_log(folder: Path, error: BaseException) -> Path | None:
    """Append ``error``'s traceback to the log in ``folder`` (or, if that cannot be written,
    in the user's log folder); the log's path, or None if no log could be written."""
    stamp = datetime.now(UTC).isoformat(timespec="seconds")
    command = " ".join(sys.argv[1:2])  # the command's name only: its arguments may be data
    text = f"{stamp} desktop-crm {command}\n" + "".join(traceback.format_exception(error))
    for directory in _log_folders(folder):
        path = directory / ERROR_LOG
        try:
            directory.mkdir(parents=True, exist_ok=True)
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
            with os.fdopen(fd, "a", encoding="utf-8") as log_file:
                log_file.write(text + "\n")
        except OSError:
            continue
        return path
    return None
