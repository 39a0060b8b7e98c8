"""Opening a profile's replica, signing in to its server and syncing: shared by the command
line and the window (which runs these on its worker and sync threads).
"""

from __future__ import annotations

import logging
import os
import platform
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from desktop_crm import __version__
from desktop_crm.client.changes import NOTHING, Changes
from desktop_crm.client.error_log import scrub_error_logs
from desktop_crm.client.identity import Identity
from desktop_crm.client.policy import NO_POLICY, Policy
from desktop_crm.client.profile import Profile, ProfileSettings, check_server_url
from desktop_crm.client.system_tags import keep_system_tags
from desktop_crm.domain.records import AccountStatus, pipeline_stage_from_row
from desktop_crm.domain.status_rules import StatusRule
from desktop_crm.storage import configuration
from desktop_crm.storage.keys import Passphrase
from desktop_crm.storage.replica import Replica, create_replica, open_replica
from desktop_crm.storage.sync_bookkeeping import save_user_names
from desktop_crm.sync.deleted_customers import open_notices
from desktop_crm.sync.errors import ReplicaMismatch, SignInRequired, SyncError
from desktop_crm.sync.progress import Phase, SyncProgress

if TYPE_CHECKING:
    # The sync engine, the HTTP client and the wire models are imported by the first sign-in
    # or sync, not by the window's start.
    from desktop_crm.sync.engine import SyncEngine, SyncSummary
    from desktop_crm.sync.http_client import SyncClient

T = TypeVar("T")

log = logging.getLogger(__name__)

PASSWORD_ENV = "DESKTOP_CRM_PASSWORD"
PASSPHRASE_ENV = "DESKTOP_CRM_PASSPHRASE"


def read_secret(file: Path | None, env_name: str) -> str | None:
    """A secret for scripts: from a file (first line) or an environment variable."""
    if file is not None:
        return file.read_text(encoding="utf-8").splitlines()[0] if file.exists() else None
    value = os.environ.get(env_name)
    return value or None


class OpenAhead:
    """The replica's open (a passphrase's key derivation, the checks), started at once on a
    thread of its own, so it runs while the window's modules load; :meth:`take` hands the open
    replica to its owner (the window's replica worker), waiting for the open if need be.
    Whoever starts one calls :meth:`close_unless_taken` when done: a replica nobody took is
    closed (its open marker would make the next start check every page)."""

    def __init__(self, open_replica: Callable[[], Replica]) -> None:
        self._replica: Replica | None = None
        self._error: BaseException | None = None
        self._taken = False
        self._thread = threading.Thread(
            target=self._open, args=(open_replica,), name="replica-open-ahead", daemon=True
        )
        self._thread.start()

    def _open(self, open_replica: Callable[[], Replica]) -> None:
        try:
            self._replica = open_replica()
        except BaseException as exc:  # handed to the taker, raised there
            self._error = exc

    def take(self) -> Replica:
        """The open replica (once); raises what the open raised."""
        self._thread.join()
        if self._error is not None:
            raise self._error
        if self._taken or self._replica is None:
            raise RuntimeError("the replica opened ahead was already taken")
        self._taken = True
        return self._replica

    def close_unless_taken(self) -> None:
        self._thread.join()
        if not self._taken and self._replica is not None:
            self._taken = True
            self._replica.close()


def open_profile_replica(
    profile: Profile, passphrase: str | None = None, *, verify_pages: bool | None = None
) -> Replica:
    """Open the profile's replica, creating it on first use.

    The key goes to the OS keychain; where there is none, ``passphrase`` is required
    (:class:`PassphraseRequired` tells the caller to ask for one). ``verify_pages``: as
    :func:`open_replica` (True checks every page before anything is written).
    """
    key = Passphrase(passphrase) if passphrase else None
    profile.ensure_folder()  # owner-only, before anything is written into it
    if profile.exists():
        return open_replica(profile.replica_path, key, verify_pages=verify_pages)
    return create_replica(profile.replica_path, key)


@dataclass(frozen=True, slots=True)
class SignedIn:
    client: SyncClient
    settings: ProfileSettings


def sign_in(
    profile: Profile, settings: ProfileSettings, password: str, policy: Policy = NO_POLICY
) -> SignedIn:
    """Sign in (registering this installation as a device on first use) and remember who and
    which device we are in the profile's settings.

    The installation id is minted and saved *before* the first sign-in: if its answer is lost
    (and with it the device id), the next attempt sends the same installation id and the
    server hands back the device it registered, instead of registering a second one.

    Raises :class:`InsecureServerUrl` before sending the password over plain ``http://`` to
    another machine, unless ``policy`` allows it."""
    check_server_url(settings.server_url)  # SettingsError: not an http(s) URL
    policy.check_transport(settings.server_url)
    if settings.ensure_installation_id():
        profile.save_settings(settings)
    from desktop_crm.protocol.messages import LoginRequest
    from desktop_crm.sync.http_client import SyncClient

    client = SyncClient(settings.server_url)
    try:
        login = client.login(
            LoginRequest(
                username=settings.username,
                password=password,
                device_id=settings.device_id or None,
                device_name=f"{platform.node() or 'desktop'} ({platform.system()})",
                installation_id=settings.installation_id,
                client_version=__version__,
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
    from desktop_crm.sync.engine import SyncEngine

    folder = replica.path.parent  # the profile folder
    return SyncEngine(
        replica.engine,
        signed_in.client,
        signed_in.settings.replica_id,
        user_id=signed_in.settings.user_id,
        progress=progress or SyncProgress(),
        on_erasure=lambda scrubber: scrub_error_logs(folder, scrubber),
    )


def run_sync(
    replica: Replica, signed_in: SignedIn, progress: SyncProgress | None = None
) -> SyncSummary:
    progress = progress or SyncProgress()
    progress.report(Phase.PULLING)
    try:
        summary = make_engine(replica, signed_in, progress).sync_once()
    except BaseException:
        progress.report(Phase.FAILED, message="sync stopped; it resumes next time")
        raise
    name_deleters(replica, signed_in.client, summary)
    keep_configuration(replica, signed_in.client)
    keep_system_tags(replica, signed_in.client, summary)
    return summary


def refresh_configuration(replica: Replica, client: SyncClient) -> bool:
    """Fetch the server's configuration into the replica: the pipeline stages and account
    statuses (so stage moves and the status lists offline follow the server's), and the
    status rules. False when the server sends no status rules (an older server: the replica
    keeps the default rules)."""
    answer = client.config()
    stages = [pipeline_stage_from_row(s.model_dump()) for s in answer.pipeline_stages]
    statuses = [AccountStatus(s.key, s.name, s.position) for s in answer.account_statuses]
    with replica.writing() as conn:
        configuration.save_pipeline(conn, stages)
        configuration.save_account_statuses(conn, statuses)
        if answer.status_rules is not None:
            configuration.save_status_rules(
                conn,
                [StatusRule(r.when, r.to_status, tuple(r.only_from)) for r in answer.status_rules],
            )
    return answer.status_rules is not None


def keep_configuration(replica: Replica, client: SyncClient) -> None:
    """:func:`refresh_configuration` after a sync; a failure keeps the rules the replica has
    (the server applies its own rules on push either way)."""
    try:
        refresh_configuration(replica, client)
    except SyncError as exc:
        log.warning("could not fetch the server's configuration: %s", exc)


def refresh_user_names(replica: Replica, client: SyncClient) -> int:
    """Fetch the server's directory (who is who) into the replica; the number of users.
    Names only label things (owners, authors): callers may ignore a failure."""
    answer = client.directory()
    with replica.writing() as conn:
        save_user_names(conn, {user.id: user.username for user in answer.users})
    return len(answer.users)


def name_deleters(replica: Replica, client: SyncClient, summary: SyncSummary) -> None:
    """A customer deleted under our unsynced work is shown with the deleting user's name: fetch
    the server's directory if it does not know that user yet (a failure leaves the ids)."""
    if all(n.deleted_by_name or not n.deleted_by for n in summary.deleted_customers):
        return
    try:
        refresh_user_names(replica, client)
    except SyncError as exc:
        log.warning("could not fetch user names: %s", exc)
        return
    with replica.engine.connect() as conn:
        summary.deleted_customers = open_notices(conn)


def sync_changes(summary: SyncSummary) -> Changes:
    """What a sync changed in the replica, as far as the screens care."""
    if (
        summary.removed
        or summary.resynced
        or summary.new_conflicts
        or summary.new_issues
        or summary.erased
    ):
        # Records left or were restored, or a person was erased (texts anywhere may have
        # quoted them): anything may show it.
        return Changes.everything()
    if summary.received:
        return Changes.of_entities(summary.received)
    return NOTHING


#: The server's directory (user names) is fetched after a sync at most this often.
USER_NAMES_MAX_AGE_S = 3600.0


class ProfileSync:
    """Sign in (once, or again when the token expired) and sync a profile's replica. The
    window calls it on its sync thread, never on the GUI thread."""

    def __init__(
        self,
        profile: Profile,
        settings: ProfileSettings,
        password: str | None,
        policy: Policy = NO_POLICY,
    ) -> None:
        self.profile = profile
        self.settings = settings
        self.policy = policy
        self._password = password
        self._signed_in: SignedIn | None = None
        self._names_at: float | None = None  # when the directory was last fetched

    @property
    def identity(self) -> Identity:
        s = self.settings
        return Identity(s.replica_id, s.user_id, s.username, s.role)

    def set_password(self, password: str) -> None:
        self._password = password
        self._signed_in = None

    def sign_in(self, progress: SyncProgress | None = None) -> SignedIn:
        if self._password is None:
            raise SignInRequired("Sign in to sync with the server.")
        if progress is not None:
            progress.report(Phase.SIGNING_IN)
        if self._signed_in is not None:
            self._signed_in.client.close()
        self._signed_in = sign_in(self.profile, self.settings, self._password, self.policy)
        return self._signed_in

    def online(self, request: Callable[[SyncClient], T]) -> T:
        """Run ``request`` against the server (signing in first, or again once when the token
        expired). For what only the server can answer (the audit trail, the archive); call it off
        the GUI thread."""
        signed_in = self._signed_in or self.sign_in()
        try:
            return request(signed_in.client)
        except SignInRequired:
            if self._password is None:
                raise
            return request(self.sign_in().client)

    def __call__(self, replica: Replica, progress: SyncProgress) -> SyncSummary:
        signed_in = self._signed_in or self.sign_in(progress)
        try:
            summary = make_engine(replica, signed_in, progress).sync_once()
        except SignInRequired:
            if self._password is None:
                raise
            # The token expired: sign in again once, then carry on where the sync stopped.
            signed_in = self.sign_in(progress)
            summary = make_engine(replica, signed_in, progress).sync_once()
        self._refresh_user_names(replica, signed_in)
        name_deleters(replica, signed_in.client, summary)
        keep_configuration(replica, signed_in.client)
        keep_system_tags(replica, signed_in.client, summary)
        return summary

    def _refresh_user_names(self, replica: Replica, signed_in: SignedIn) -> None:
        now = time.monotonic()
        if self._names_at is not None and now - self._names_at < USER_NAMES_MAX_AGE_S:
            return
        try:
            refresh_user_names(replica, signed_in.client)
        except SyncError as exc:  # names only label things: the sync itself succeeded
            log.warning("could not refresh user names: %s", exc)
            return
        self._names_at = now

    def close(self) -> None:
        if self._signed_in is not None:
            self._signed_in.client.close()
            self._signed_in = None
