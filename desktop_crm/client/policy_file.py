"""Write the machine-wide policy file from an installer's settings (``desktop-crm write-policy``).

The Windows MSI runs this with its public properties (``SERVER_URL``, ``LOCK_SERVER``,
``SYNC_INTERVAL``; unset ones arrive as empty text), so a silent install is the whole rollout.
The file is checked exactly as the program will read it (:func:`load_policy`) before it
replaces an existing one: bad values are refused with a message and the old file stays.
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import replace
from pathlib import Path

from desktop_crm.client.policy import Policy, PolicyError, default_policy_path, load_policy

_TRUE = {"1", "true", "yes"}
_FALSE = {"", "0", "false", "no"}


def policy_text(server_url: str = "", lock: str = "", sync_interval: str = "") -> str:
    """The TOML for these installer settings; PolicyError for a value that is not one."""
    locked = lock.strip().lower()
    if locked not in _TRUE | _FALSE:
        raise PolicyError(f"LOCK_SERVER must be 1 or 0, not {lock!r}.")
    lines = ["# Written by the Desktop CRM installer (desktop-crm write-policy)."]
    if server_url.strip() or locked in _TRUE:
        lines += ["", "[server]"]
        if server_url.strip():
            lines.append(f"url = {json.dumps(server_url.strip())}")
        lines.append(f"locked = {'true' if locked in _TRUE else 'false'}")
    if sync_interval.strip():
        if not sync_interval.strip().isdigit():
            raise PolicyError(f"SYNC_INTERVAL must be a number of seconds, not {sync_interval!r}.")
        lines += ["", "[sync]", f"interval_seconds = {int(sync_interval)}"]
    return "\n".join(lines) + "\n"


def write_policy(
    path: Path | None = None, server_url: str = "", lock: str = "", sync_interval: str = ""
) -> Policy:
    """Check, then write, the policy file at ``path`` (default: the machine-wide place)."""
    target = path or default_policy_path()
    text = policy_text(server_url, lock, sync_interval)
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=".policy-", suffix=".toml", dir=target.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text)
        checked = load_policy(Path(temporary))  # PolicyError names the problem
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return replace(checked, source=target)
