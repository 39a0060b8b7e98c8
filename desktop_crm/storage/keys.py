"""The replica's key: where it comes from and how it is applied.

Normally a random 256-bit key is minted when the replica is created and kept in the OS keychain
(through ``keyring``, service :data:`SERVICE`, username = the replica's key id). It is applied as
a *raw* key, so opening needs no slow key derivation. Where there is no usable keychain the user
gives a passphrase instead, and SQLCipher's own KDF turns it into the key.

Next to the replica a small, non-secret *key record* (``<replica>.keyinfo.json``) says which of
the two it is, which keychain backend holds the key, and a key check value (an HMAC of a fixed
label under the raw key: it tells "this is the right key but page 1 is damaged" apart from "this
is the wrong key" and reveals nothing about a random 256-bit key). There is never a plaintext key
file, and ``keyrings.alt`` (which writes one) is refused along with the ``fail``/``null`` backends.
"""

from __future__ import annotations

import dataclasses
import enum
import hashlib
import hmac
import json
import os
import re
import secrets
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from desktop_crm.storage.errors import (
    KeychainChanged,
    KeychainUnavailable,
    KeyMissing,
    PassphraseRequired,
)

if TYPE_CHECKING:
    from keyring.backend import KeyringBackend

SERVICE = "desktop-crm"
KEY_BYTES = 32
KEYINFO_SUFFIX = ".keyinfo.json"
_KEYINFO_FORMAT = 1
_CHECK_LABEL = b"desktop-crm replica key check v1"
#: SQLCipher 4's key derivation, as ``PRAGMA key = 'passphrase'`` runs it: PBKDF2-HMAC-SHA512,
#: 256,000 iterations, salted with the database file's first 16 bytes.
KDF_HASH = "sha512"
KDF_ITERATIONS = 256_000
SALT_BYTES = 16
# SQLCipher reads a key string of this shape as a raw key, skipping its KDF.
_RAW_KEY_LITERAL = re.compile(r"^x'([0-9a-fA-F]{64}|[0-9a-fA-F]{96})'$")


@dataclasses.dataclass(frozen=True, repr=False)
class RawKey:
    """A 256-bit key applied without key derivation (``PRAGMA key = "x'…'"``)."""

    key: bytes

    def __post_init__(self) -> None:
        if not isinstance(self.key, bytes) or len(self.key) != KEY_BYTES:
            raise ValueError(f"a raw replica key is exactly {KEY_BYTES} bytes")

    @classmethod
    def generate(cls) -> RawKey:
        return cls(secrets.token_bytes(KEY_BYTES))

    @classmethod
    def from_hex(cls, text: str) -> RawKey:
        return cls(bytes.fromhex(text))

    def hex(self) -> str:
        return self.key.hex()

    def pragma(self) -> str:
        return f"PRAGMA key = \"x'{self.key.hex()}'\""

    def check_value(self) -> str:
        """A non-secret fingerprint that tells whether a key is the one a replica was made with."""
        return hmac.new(self.key, _CHECK_LABEL, hashlib.sha256).hexdigest()[:32]

    def __repr__(self) -> str:
        return "RawKey(<hidden>)"


@dataclasses.dataclass(frozen=True, repr=False)
class Passphrase:
    """A passphrase the user types; SQLCipher derives the key from it (PBKDF2, slow on purpose)."""

    text: str

    def __post_init__(self) -> None:
        if not self.text:
            raise ValueError("the passphrase is empty")
        if "\x00" in self.text:
            raise ValueError("the passphrase contains a NUL character")
        if _RAW_KEY_LITERAL.match(self.text):
            raise ValueError("the passphrase looks like a raw key literal; choose another")

    def pragma(self) -> str:
        return "PRAGMA key = '{}'".format(self.text.replace("'", "''"))

    def derive(self, salt: bytes) -> DerivedKey:
        """The key SQLCipher derives from this passphrase for the file with ``salt`` (its first
        16 bytes). hashlib runs the KDF without holding the GIL: the GUI thread goes on."""
        key = hashlib.pbkdf2_hmac(
            KDF_HASH, self.text.encode("utf-8"), salt, KDF_ITERATIONS, KEY_BYTES
        )
        return DerivedKey(key, salt)

    def __repr__(self) -> str:
        return "Passphrase(<hidden>)"


@dataclasses.dataclass(frozen=True, repr=False)
class DerivedKey:
    """A passphrase's key for one file, applied raw with that file's salt
    (``PRAGMA key = "x'<key><salt>'"``): the connection skips the KDF. A wrong passphrase gives
    a wrong key, found by the first read as with the passphrase itself."""

    key: bytes
    salt: bytes

    def __post_init__(self) -> None:
        if len(self.key) != KEY_BYTES or len(self.salt) != SALT_BYTES:
            raise ValueError(f"a derived key is {KEY_BYTES} bytes with a {SALT_BYTES}-byte salt")

    def pragma(self) -> str:
        return f"PRAGMA key = \"x'{self.key.hex()}{self.salt.hex()}'\""

    def __repr__(self) -> str:
        return "DerivedKey(<hidden>)"


KeySource = RawKey | Passphrase | DerivedKey


class KeyMode(enum.StrEnum):
    KEYCHAIN = "keychain"  # raw key in the OS keychain
    PASSPHRASE = "passphrase"  # the user types a passphrase on every open
    EXTERNAL = "external"  # raw key supplied by the caller (tests, benchmarks, tooling)


@dataclasses.dataclass(frozen=True)
class KeyInfo:
    """The non-secret key record stored next to the replica."""

    mode: KeyMode
    key_id: str
    created_at: str
    backend: str | None = None  # fully qualified keyring backend class (keychain mode)
    key_check: str | None = None  # RawKey.check_value() (raw-key modes only)

    def to_json(self) -> str:
        data: dict[str, Any] = {"format": _KEYINFO_FORMAT, **dataclasses.asdict(self)}
        data["mode"] = str(self.mode)
        return json.dumps(data, indent=2, sort_keys=True) + "\n"

    @classmethod
    def from_json(cls, text: str) -> KeyInfo:
        data = json.loads(text)
        if not isinstance(data, dict) or data.get("format") != _KEYINFO_FORMAT:
            raise ValueError("unknown key record format")
        backend = data.get("backend")
        key_check = data.get("key_check")
        return cls(
            mode=KeyMode(data["mode"]),
            key_id=str(data["key_id"]),
            created_at=str(data["created_at"]),
            backend=str(backend) if backend is not None else None,
            key_check=str(key_check) if key_check is not None else None,
        )

    @classmethod
    def new(
        cls, mode: KeyMode, *, backend: str | None = None, key: KeySource | None = None
    ) -> KeyInfo:
        return cls(
            mode=mode,
            key_id=uuid.uuid4().hex,
            created_at=datetime.now(UTC).isoformat(timespec="seconds"),
            backend=backend,
            key_check=key.check_value() if isinstance(key, RawKey) else None,
        )


def keyinfo_path(replica_path: Path) -> Path:
    return replica_path.with_name(replica_path.name + KEYINFO_SUFFIX)


def read_keyinfo(replica_path: Path) -> KeyInfo | None:
    """The key record next to ``replica_path``, or None if there is none."""
    path = keyinfo_path(replica_path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise KeyMissing(
            f"The key record {path} of the local data file cannot be read ({exc.strerror}).",
            replica_path,
        ) from exc
    try:
        return KeyInfo.from_json(text)
    except (ValueError, KeyError, TypeError) as exc:
        raise KeyMissing(
            f"The key record {path} of the local data file is unreadable or damaged, so the "
            "key that opens it cannot be found.",
            replica_path,
        ) from exc


def write_keyinfo(replica_path: Path, info: KeyInfo) -> Path:
    """Write the key record; never overwrites one (raises FileExistsError)."""
    path = keyinfo_path(replica_path)
    # Owner-only (0600 on POSIX), like the data file: it names where the key is kept.
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with open(descriptor, "w", encoding="utf-8") as fh:
        fh.write(info.to_json())
        fh.flush()
        os.fsync(fh.fileno())
    return path


def backend_name(backend: KeyringBackend) -> str:
    """Fully qualified class name; a chainer also names the backends it chains."""
    cls = type(backend)
    name = f"{cls.__module__}.{cls.__qualname__}"
    inner = getattr(backend, "backends", None)
    if isinstance(inner, list | tuple):
        name += "[" + ",".join(backend_name(b) for b in inner) + "]"
    return name


def refusal_reason(backend: KeyringBackend) -> str | None:
    """Why this keyring backend must not hold a replica key, or None if it may."""
    cls = type(backend)
    module = cls.__module__
    if module.startswith("keyrings.alt") or module.startswith("keyrings_alt"):
        return "keyrings.alt backends keep keys in files, which defeats the encryption"
    if module in ("keyring.backends.fail", "keyring.backends.null"):
        return "no OS keychain is available"
    inner = getattr(backend, "backends", None)
    if isinstance(inner, list | tuple):
        if not inner:
            return "no OS keychain is available"
        for sub in inner:
            reason = refusal_reason(sub)
            if reason is not None:
                return reason
    return None


def _keyring_error() -> type[Exception]:
    import keyring.errors

    return keyring.errors.KeyringError


class Keychain:
    """The OS keychain as seen through ``keyring`` (the active backend unless one is given)."""

    def __init__(self, service: str = SERVICE, backend: KeyringBackend | None = None) -> None:
        self.service = service
        self._backend = backend

    @property
    def backend(self) -> KeyringBackend:
        # keyring (and the OS backends it probes) loads when a keychain is first used: a
        # passphrase-protected replica never needs it.
        import keyring

        return self._backend if self._backend is not None else keyring.get_keyring()

    @property
    def backend_name(self) -> str:
        return backend_name(self.backend)

    def usable(self) -> bool:
        return refusal_reason(self.backend) is None

    def store_new_key(self, key_id: str, replica_path: Path) -> RawKey:
        """Mint a random key, store it under ``key_id`` and read it back."""
        backend = self.backend
        reason = refusal_reason(backend)
        if reason is not None:
            raise PassphraseRequired(
                f"The key of the local data file cannot be kept in a keychain ({reason}); "
                "a passphrase is needed instead.",
                replica_path,
            )
        if self._get(backend, key_id, replica_path) is not None:
            raise KeychainUnavailable(
                f"The keychain already holds an entry '{key_id}' for {self.service}; "
                "it was not overwritten.",
                replica_path,
            )
        key = RawKey.generate()
        try:
            backend.set_password(self.service, key_id, key.hex())
        except _keyring_error() as exc:
            raise KeychainUnavailable(
                f"The key of the local data file could not be saved in the keychain ({exc}).",
                replica_path,
            ) from exc
        if self._get(backend, key_id, replica_path) != key.hex():
            raise KeychainUnavailable(
                "The keychain did not keep the key of the local data file.", replica_path
            )
        return key

    def load_key(self, info: KeyInfo, replica_path: Path) -> RawKey:
        """The raw key of a keychain-mode replica, checking it is the keychain that holds it."""
        backend = self.backend
        current = backend_name(backend)
        if info.backend is not None and current != info.backend:
            reason = refusal_reason(backend)
            if reason is not None:
                raise KeychainChanged(
                    f"The key of the local data file {replica_path} is kept in the keychain "
                    f"'{info.backend}', which is not available now ({reason}). Sign in to a "
                    "session where that keychain works; a new key is not created over existing "
                    "data.",
                    replica_path,
                )
            raise KeychainChanged(
                f"The key of the local data file {replica_path} was stored in the keychain "
                f"'{info.backend}', but the keychain in use now is '{current}'. Switch back to "
                "that keychain; a new key is not created over existing data.",
                replica_path,
            )
        text = self._get(backend, info.key_id, replica_path)
        if text is None:
            raise KeyMissing(
                f"The keychain has no key for the local data file {replica_path} (entry "
                f"'{info.key_id}' of '{self.service}' is missing). The file cannot be opened "
                "without it; it has been left untouched.",
                replica_path,
            )
        try:
            return RawKey.from_hex(text)
        except ValueError as exc:
            raise KeyMissing(
                f"The keychain entry '{info.key_id}' for {replica_path} does not hold a valid key.",
                replica_path,
            ) from exc

    def delete_key(self, key_id: str) -> None:
        """Remove an entry this program just created (used to undo a failed creation)."""
        try:
            self.backend.delete_password(self.service, key_id)
        except _keyring_error():
            pass

    def _get(self, backend: KeyringBackend, key_id: str, replica_path: Path) -> str | None:
        try:
            return backend.get_password(self.service, key_id)
        except _keyring_error() as exc:
            raise KeychainUnavailable(
                f"The keychain could not be read ({exc}); unlock it and try again.",
                replica_path,
            ) from exc
