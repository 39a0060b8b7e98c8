"""The replica on disk is encrypted; the key lives only in the keychain."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import keyring
import pytest
from keyring.backends import fail
from sqlalchemy import text

from desktop_crm.storage.engine import EngineSettings
from desktop_crm.storage.errors import PassphraseRequired, WrongKey
from desktop_crm.storage.keys import (
    KDF_ITERATIONS,
    SERVICE,
    Keychain,
    KeyInfo,
    KeyMode,
    Passphrase,
    RawKey,
    backend_name,
    keyinfo_path,
    read_keyinfo,
    refusal_reason,
)
from desktop_crm.storage.replica import create_replica, open_replica
from tests.storage.conftest import MemoryKeyring, dir_snapshot

SECRETS = [
    "Zyxwvut Handelsgesellschaft",
    "北京远望星辰科技有限公司",
    "王小明",
    "13800138000",
    "138-0013-8000",
    "+8613800138000",
    "00083100831",  # digits reversed
    "confidential-note-Q7XK",
    "跟进报价单",
]


def _fill(engine) -> None:
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO accounts(id, name, notes, address, updated_at) "
                "VALUES ('a1', :name, :notes, '上海市 跟进报价单', '2026-01-01T00:00:00Z')"
            ),
            {"name": SECRETS[0], "notes": SECRETS[7]},
        )
        conn.execute(
            text(
                "INSERT INTO accounts(id, name, updated_at) "
                "VALUES ('a2', :name, '2026-01-01T00:00:00Z')"
            ),
            {"name": SECRETS[1]},
        )
        conn.execute(
            text(
                "INSERT INTO contacts(id, account_id, name, updated_at) "
                "VALUES ('c1', 'a2', :name, '2026-01-01T00:00:00Z')"
            ),
            {"name": SECRETS[2]},
        )
        conn.execute(
            text(
                "INSERT INTO contact_phones(contact_id, account_id, raw, e164, digits_reversed) "
                "VALUES ('c1', 'a2', :raw, :e164, :rev)"
            ),
            {"raw": f"{SECRETS[4]} / {SECRETS[3]}", "e164": SECRETS[5], "rev": SECRETS[6]},
        )


def _leaks(directory: Path) -> list[tuple[str, str]]:
    found = []
    for path in directory.iterdir():
        if not path.is_file():
            continue
        data = path.read_bytes()
        for secret in SECRETS:
            for encoded in (secret.encode("utf-8"), secret.encode("utf-16-le")):
                if encoded in data:
                    found.append((path.name, secret))
    return found


def test_nothing_in_plaintext_on_disk(replica, tmp_path, keyring_backend):
    _fill(replica.engine)
    # Still open: the rows are in the -wal, not yet checkpointed.
    with replica.engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM accounts")).scalar() == 2
    files = {p.name for p in tmp_path.iterdir()}
    assert "replica.db-wal" in files
    assert (tmp_path / "replica.db-wal").stat().st_size > 0
    assert _leaks(tmp_path) == []

    replica.close()
    assert _leaks(tmp_path) == []
    assert {p.name for p in tmp_path.iterdir()} == {"replica.db", "replica.db.keyinfo.json"}

    # An ordinary SQLite cannot read it.
    with pytest.raises(sqlite3.DatabaseError):
        plain = sqlite3.connect(f"{(tmp_path / 'replica.db').as_uri()}?mode=ro", uri=True)
        try:
            plain.execute("SELECT count(*) FROM sqlite_master").fetchall()
        finally:
            plain.close()

    # It reopens with the key from the keychain, data intact.
    reopened = open_replica(tmp_path / "replica.db")
    try:
        with reopened.engine.connect() as conn:
            names = conn.execute(text("SELECT name FROM accounts ORDER BY id")).scalars().all()
            phone = conn.execute(text("SELECT e164 FROM contact_phones")).scalar()
        assert names == [SECRETS[0], SECRETS[1]]
        assert phone == SECRETS[5]
    finally:
        reopened.close()


def test_key_lives_only_in_keychain(tmp_path, keyring_backend):
    path = tmp_path / "r.db"
    create_replica(path).close()
    info = read_keyinfo(path)
    assert info is not None and info.mode is KeyMode.KEYCHAIN
    assert info.backend == backend_name(keyring_backend)
    stored = keyring_backend.entries[(SERVICE, info.key_id)]
    key = RawKey.from_hex(stored)
    assert info.key_check == key.check_value()
    for p in tmp_path.iterdir():
        data = p.read_bytes()
        assert stored.encode() not in data and key.key not in data
        assert stored.upper().encode() not in data
    record = json.loads(keyinfo_path(path).read_text())
    assert set(record) == {"format", "mode", "key_id", "created_at", "backend", "key_check"}
    assert {p.name for p in tmp_path.iterdir()} == {"r.db", "r.db.keyinfo.json"}


def test_connection_settings(replica):
    with replica.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA temp_store").scalar() == 2  # MEMORY
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA cache_size").scalar() == -65536
        assert conn.exec_driver_sql("PRAGMA cipher_version").scalar().startswith("4.")


def test_cache_size_configurable(replica_template, tmp_path):
    path = tmp_path / "r.db"
    path.write_bytes(replica_template.read_bytes())
    from tests.storage.conftest import TEMPLATE_KEY

    with open_replica(path, TEMPLATE_KEY, settings=EngineSettings(cache_size=-2048)) as rep:
        with rep.engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA cache_size").scalar() == -2048


def test_transactions_roll_back_and_savepoints_work(replica):
    with pytest.raises(RuntimeError), replica.engine.begin() as conn:
        conn.execute(text("INSERT INTO tags(name) VALUES ('vip')"))
        raise RuntimeError
    with replica.engine.begin() as conn:
        assert conn.execute(text("SELECT count(*) FROM tags")).scalar() == 0
        conn.execute(text("INSERT INTO tags(name) VALUES ('kept')"))
        nested = conn.begin_nested()
        conn.execute(text("INSERT INTO tags(name) VALUES ('dropped')"))
        nested.rollback()
    with replica.engine.connect() as conn:
        assert conn.execute(text("SELECT name FROM tags")).scalars().all() == ["kept"]


def test_passphrase_mode_when_no_keychain(tmp_path):
    previous = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    try:
        path = tmp_path / "r.db"
        with pytest.raises(PassphraseRequired) as err:
            create_replica(path)
        assert "passphrase" in str(err.value)
        assert list(tmp_path.iterdir()) == []

        create_replica(path, Passphrase("correct horse 'battery' 电池")).close()
        info = read_keyinfo(path)
        assert info is not None and info.mode is KeyMode.PASSPHRASE and info.key_check is None
        before = dir_snapshot(tmp_path)

        with pytest.raises(PassphraseRequired):
            open_replica(path)
        with pytest.raises(WrongKey) as wrong:
            open_replica(path, Passphrase("wrong horse"))
        assert "passphrase" in str(wrong.value)
        assert dir_snapshot(tmp_path) == before

        with open_replica(path, Passphrase("correct horse 'battery' 电池")) as rep:
            assert rep.schema_revision is not None
    finally:
        keyring.set_keyring(previous)


def test_sqlcipher_derives_a_passphrase_key_as_passphrase_derive_does(tmp_path):
    """The open derives a passphrase's key once and hands every connection the result: it must
    be the key SQLCipher itself derives (its defaults, the file's salt)."""
    import sqlcipher3.dbapi2 as dbapi2

    probe = dbapi2.connect(":memory:")
    settings = [
        probe.execute(f"PRAGMA {name}").fetchone()[0]
        for name in ("cipher_default_kdf_iter", "cipher_default_kdf_algorithm")
    ]
    probe.close()
    assert settings == [str(KDF_ITERATIONS), "PBKDF2_HMAC_SHA512"]
    path = tmp_path / "r.db"
    passphrase = Passphrase("correct horse 'battery' 电池")
    create_replica(path, passphrase).close()
    derived = passphrase.derive(path.read_bytes()[:16])
    for key, opens in ((derived, True), (Passphrase("wrong").derive(derived.salt), False)):
        conn = dbapi2.connect(str(path))
        try:
            conn.execute(key.pragma())
            if opens:
                assert conn.execute("SELECT count(*) FROM alembic_version").fetchone() == (1,)
            else:
                with pytest.raises(dbapi2.DatabaseError, match="not a database"):
                    conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        finally:
            conn.close()
    assert "电池" not in repr(derived) and derived.key.hex() not in repr(derived)


def test_opening_with_a_passphrase_derives_its_key_once(tmp_path, monkeypatch):
    path = tmp_path / "r.db"
    create_replica(path, Passphrase("pass phrase")).close()
    derivations: list[bytes] = []
    derive = Passphrase.derive

    def counted(self: Passphrase, salt: bytes):
        derivations.append(salt)
        return derive(self, salt)

    monkeypatch.setattr(Passphrase, "derive", counted)
    with open_replica(path, Passphrase("pass phrase"), verify_pages=True) as rep:
        first, second = rep.engine.connect(), rep.engine.connect()  # two pooled connections
        with first, second:
            assert second.execute(text("SELECT count(*) FROM accounts")).scalar() == 0
    assert derivations == [path.read_bytes()[:16]]


class _AltFileKeyring(MemoryKeyring):
    pass


_AltFileKeyring.__module__ = "keyrings.alt.file"


def test_refused_backends(tmp_path):
    assert refusal_reason(_AltFileKeyring()) is not None
    assert refusal_reason(fail.Keyring()) is not None
    assert refusal_reason(MemoryKeyring()) is None
    with pytest.raises(PassphraseRequired):
        create_replica(tmp_path / "r.db", Keychain(backend=_AltFileKeyring()))
    assert list(tmp_path.iterdir()) == []


def test_key_reprs_hide_secrets():
    key = RawKey.generate()
    assert key.hex() not in repr(key)
    assert "s3cret" not in repr(Passphrase("s3cret"))
    with pytest.raises(ValueError):
        RawKey(b"short")
    with pytest.raises(ValueError):
        Passphrase("")
    with pytest.raises(ValueError):
        Passphrase("x'" + "ab" * 32 + "'")


def test_keyinfo_roundtrip():
    info = KeyInfo.new(KeyMode.KEYCHAIN, backend="x.Y", key=RawKey.generate())
    assert KeyInfo.from_json(info.to_json()) == info
