"""Look for text in a profile folder the hard way: every raw byte of every file, and every page
of the encrypted replica (and its ``-wal``) decrypted, free pages and unused cell space
included. Reading rows through SQL would miss exactly what an erasure must not leave behind.

The pages are decrypted with SQLCipher 4's defaults, as the replica uses them: a 4096-byte
page whose last 80 bytes are reserved (a 16-byte IV, then the HMAC), AES-256-CBC, the key
derived from the passphrase with PBKDF2-HMAC-SHA512 (256,000 rounds) and the file's salt (the
first 16 bytes of page 1, which stay in the clear).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

PAGE = 4096
RESERVE = 80
SALT = 16
KDF_ROUNDS = 256_000
WAL_HEADER = 32
FRAME_HEADER = 24


def _decrypt(key: bytes, page: bytes, first: bool) -> bytes:
    start = SALT if first else 0
    iv = page[PAGE - RESERVE : PAGE - RESERVE + 16]
    decryptor = Cipher(algorithms.AES(key), modes.CBC(iv)).decryptor()
    return decryptor.update(page[start : PAGE - RESERVE]) + decryptor.finalize()


def _pages(path: Path) -> Iterator[tuple[int, bytes]]:
    data = path.read_bytes()
    for n in range(len(data) // PAGE):
        yield n + 1, data[n * PAGE : (n + 1) * PAGE]


def _wal_frames(path: Path) -> Iterator[tuple[int, bytes]]:
    if not path.exists():
        return
    data = path.read_bytes()
    at = WAL_HEADER
    while at + FRAME_HEADER + PAGE <= len(data):
        page_number = int.from_bytes(data[at : at + 4], "big")
        yield page_number, data[at + FRAME_HEADER : at + FRAME_HEADER + PAGE]
        at += FRAME_HEADER + PAGE


def decrypted_pages(database: Path, passphrase: str) -> list[bytes]:
    """Every page of the database file and of its write-ahead log, decrypted."""
    salt = database.read_bytes()[:SALT]
    key = hashlib.pbkdf2_hmac("sha512", passphrase.encode(), salt, KDF_ROUNDS, 32)
    pages = [_decrypt(key, page, n == 1) for n, page in _pages(database)]
    wal = database.with_name(database.name + "-wal")
    pages += [_decrypt(key, page, n == 1) for n, page in _wal_frames(wal)]
    return pages


def _forms(text: str) -> list[bytes]:
    return [text.encode("utf-8"), text.encode("utf-16-le"), text.encode("utf-16-be")]


def files_containing(folder: Path, text: str) -> list[Path]:
    """Files under ``folder`` whose raw bytes hold ``text`` (UTF-8 or UTF-16)."""
    return [
        path
        for path in sorted(folder.rglob("*"))
        if path.is_file() and any(form in path.read_bytes() for form in _forms(text))
    ]


def pages_containing(database: Path, passphrase: str, text: str) -> int:
    """How many decrypted pages (database and ``-wal``) hold ``text``."""
    forms = _forms(text)
    return sum(1 for page in decrypted_pages(database, passphrase) if any(f in page for f in forms))
