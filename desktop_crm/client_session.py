"""Opening a profile's replica and signing in to its server: shared by the CLI and the GUI.

No Qt here: the GUI runs these functions on its worker thread.
"""

from __future__ import annotations

import os
import platform
from dataclasses import dataclass
from pathlib import Path

from desktop_crm.profile import Profile, ProfileSettings
from desktop_crm.protocol.messages import LoginRequest
from desktop_crm.storage.keys import Passphrase
from desktop_crm.storage.replica import Replica, create_replica, open_replica
from desktop_crm.storage.sync_bookkeeping import save_user_names
from desktop_crm.sync.engine import ReplicaMismatch, SyncEngine, SyncSummary
from desktop_crm.sync.http_client import SyncClient
from desktop_crm.sync.progress import Phase, SyncProgress

PASSWORD_ENV = "DESKTOP_CRM_PASSWORD"
PASSPHRASE_ENV = "DESKTOP_CRM_PASSPHRASE"


def read_secret(file: Path | None, env_name: str) -> str | None:
    """A secret for scripts: from a file (first line) or an environment variable."""
    if file is not None:
        return file.read_text(encoding="utf-8").splitlines()[0] if file.exists() else None
    value = os.environ.get(env_name)
    return value or None


def open_profile_replica(profile: Profile, passphrase: str | None = None) -> Replica:
    """Open the profile's replica, creating it on first use.

    The key goes to the OS keychain; where there is none, ``passphrase`` is required
    (:class:`PassphraseRequired` tells the caller to ask for one).
    """
    key = Passphrase(passphrase) if passphrase else None
    if profile.exists():
        return open_replica(profile.replica_path, key)
    profile.folder.mkdir(parents=True, exist_ok=True)
    return create_replica(profile.replica_path, key)


@dataclass(frozen=True, slots=True)
class SignedIn:
    client: SyncClient
    settings: ProfileSettings


def sign_in(profile: Profile, settings: ProfileSettings, password: str) -> SignedIn:
    """Sign in (registering this installation as a device on first use) and remember who and
    which device we are in the profile's settings.

    The installation id is minted and saved *before* the first sign-in: if its answer is lost
    (and with it the device id), the next attempt sends the same installation id and the
    server hands back the device it registered, instead of registering a second one."""
    if settings.ensure_installation_id():
        profile.save_settings(settings)
    client = SyncClient(settings.server_url)
    try:
        login = client.login(
            LoginRequest(
                username=settings.username,
                password=password,
                device_id=settings.device_id or None,
                device_name=f"{platform.node() or 'desktop'} ({platform.system()})",
                installation_id=settings.installation_id,
            )
        )
    except Exception:
        client.close()
        raise
    if settings.replica_id and settings.replica_id != login.replica_id:
        client.close()
        raise ReplicaMismatch(
            "The server gave this installation a different replica id than before; "
            "refusing to mix two replicas' histories."
        )
    settings.user_id = login.user_id
    settings.role = login.role.value
    settings.device_id = login.device_id
    settings.replica_id = login.replica_id
    profile.save_settings(settings)
    return SignedIn(client, settings)


def make_engine(
    replica: Replica, signed_in: SignedIn, progress: SyncProgress | None = None
) -> SyncEngine:
    return SyncEngine(
        replica.engine,
        signed_in.client,
        signed_in.settings.replica_id,
        user_id=signed_in.settings.user_id,
        progress=progress or SyncProgress(),
    )


def run_sync(
    replica: Replica, signed_in: SignedIn, progress: SyncProgress | None = None
) -> SyncSummary:
    progress = progress or SyncProgress()
    progress.report(Phase.PULLING)
    try:
        return make_engine(replica, signed_in, progress).sync_once()
    except BaseException:
        progress.report(Phase.FAILED, message="sync stopped; it resumes next time")
        raise


def refresh_user_names(replica: Replica, client: SyncClient) -> int:
    """Fetch the server's directory (who is who) into the replica; the number of users.
    Names only label things (owners, authors): callers may ignore a failure."""
    answer = client.directory()
    with replica.engine.begin() as conn:
        save_user_names(conn, {user.id: user.username for user in answer.users})
    return len(answer.users)
