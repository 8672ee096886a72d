"""Encrypting one value and keying one index value.

A ciphertext is the text ``$<key id>$<base64 of nonce ‖ AES-256-GCM ciphertext ‖ tag>``:
authenticated (a changed byte, or the wrong key, fails instead of decrypting to rubbish),
with a fresh 96-bit nonce per value (two residents with one phone have two different
ciphertexts), and the key id in clear so that rotation and reading after it know which key
to use. The empty string stays empty: a blank field says no more than a NULL would.

A blind index value is ``<index key id>.<base64 of HMAC-SHA256(index key, normalised
value), first 128 bits>``: equal values give equal index values under one key, so exact
search, joins and uniqueness work in SQL without the value; without the key nothing leads
back from it to the value, not even by trying every phone number.
"""

from __future__ import annotations

import binascii
import hmac
import os

import duckdb
import pyarrow as pa
import pyarrow.compute as pc
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from outpost.core.crypto import keys

NONCE_BYTES = 12
INDEX_BYTES = 16
PREFIX = "$"


class DecryptionError(Exception):
    """A stored value that this key ring cannot decrypt (wrong key, a missing old key, a
    value that was never encrypted, or changed bytes). Never shown as it is."""


# One AESGCM per key id, for the key ring it was made from (a new ring, after a rotation
# or a settings change, makes new ones).
_ciphers: dict[str, tuple[keys.KeyRing, AESGCM]] = {}


def reset_caches() -> None:
    _ciphers.clear()


def _cipher(key_id: str) -> AESGCM:
    ring = keys.ring()
    cached = _ciphers.get(key_id)
    if cached is not None and cached[0] is ring:
        return cached[1]
    key = ring.data_key(key_id)
    if key is None and ring.path is not None:
        keys.reset()  # a rotation in another process may have added it to the file
        ring = keys.ring()
        key = ring.data_key(key_id)
    if key is None:
        raise DecryptionError(
            f"A value was encrypted with key {key_id!r}, which the key ring "
            f"({ring.source or 'settings'}) does not hold."
        )
    cipher = AESGCM(key)
    _ciphers[key_id] = (ring, cipher)
    return cipher


def is_token(value: str) -> bool:
    return value.startswith(PREFIX)


def token_key_id(token: str) -> str:
    return token[1 : token.index(PREFIX, 1)]


def encrypt(text: str, *, key_id: str | None = None) -> str:
    """The ciphertext of ``text`` under the current data key (or ``key_id``)."""
    if text == "":
        return ""
    key_id = key_id or keys.ring().current_data_id
    nonce = os.urandom(NONCE_BYTES)
    sealed = _cipher(key_id).encrypt(nonce, text.encode(), None)
    return f"{PREFIX}{key_id}{PREFIX}{binascii.b2a_base64(nonce + sealed, newline=False).decode()}"


def decrypt(token: str) -> str:
    """The text of a ciphertext; raises ``DecryptionError`` when it cannot be read."""
    if token == "":
        return ""
    if token[:1] != PREFIX:
        raise DecryptionError("A stored value is not encrypted: it is refused, not shown.")
    end = token.find(PREFIX, 1)
    if end < 0:
        raise DecryptionError("A stored value is not a well-formed ciphertext.")
    try:
        raw = binascii.a2b_base64(token[end + 1 :])
        return _cipher(token[1:end]).decrypt(raw[:NONCE_BYTES], raw[NONCE_BYTES:], None).decode()
    except InvalidTag:
        raise DecryptionError(
            f"A value encrypted with key {token[1:end]!r} does not decrypt with the key of "
            "that id in the key ring: it is not the key the database was written with."
        ) from None
    except (binascii.Error, ValueError):
        raise DecryptionError("A stored value is not a well-formed ciphertext.") from None


def decrypt_many(tokens) -> list:
    """``decrypt`` of each (None stays None): the bulk path of the screening engine, which
    reads every resident's ID and phone. The same checks, less work per value: the cipher
    is looked up once per key, not once per value."""
    out: list = []
    append = out.append
    a2b = binascii.a2b_base64
    prefix, open_ = None, None
    for token in tokens:
        if not token:
            append(token)
            continue
        if prefix is None or not token.startswith(prefix):
            end = token.find(PREFIX, 1)
            if token[:1] != PREFIX or end < 0:
                decrypt(token)  # raises the error that says what is wrong
            prefix = token[: end + 1]
            open_ = _cipher(token[1:end]).decrypt
        try:
            raw = a2b(token[len(prefix) :])
            append(open_(raw[:NONCE_BYTES], raw[NONCE_BYTES:], None).decode())
        except (InvalidTag, binascii.Error, ValueError):
            decrypt(token)  # raises the error that says what is wrong
            raise
    return out


# The parts of each ciphertext in a column, cut by DuckDB (vectorised): the key id, and the
# nonce and the sealed bytes decoded from base64 (a nonce is 12 bytes, 16 base64 characters,
# so the two decode apart). Blank values give NULLs.
_TOKEN_PARTS_SQL = """
    SELECT key_id, from_base64(substr(t, start, 16)) AS nonce,
        from_base64(substr(t, start + 16)) AS sealed
    FROM (SELECT t, split_part(t, '$', 2) AS key_id, strpos(substr(t, 2), '$') + 2 AS start
        FROM (SELECT CASE WHEN t <> '' AND starts_with(t, '$') THEN t END AS t FROM tokens))
"""


def decrypt_column(tokens: pa.Array | pa.ChunkedArray) -> pa.Array:
    """``decrypt_many`` for a column of ciphertexts held as Arrow strings, returned as one
    (blank values as nulls): the screening engine's bulk path over every resident's ID and
    phone. DuckDB takes each ciphertext apart and decodes its base64 for the whole column at
    once; Python only opens each value (AES-GCM). A value that is not a well-formed
    ciphertext of this key ring raises the error ``decrypt`` gives for it."""
    con = duckdb.connect()
    try:
        con.register("tokens", pa.table({"t": tokens}))
        parts = con.sql(_TOKEN_PARTS_SQL).to_arrow_table()
    except duckdb.Error:  # base64 that does not decode
        _raise_for_first_bad(tokens)
        raise
    finally:
        con.close()
    key_ids = parts["key_id"].to_pylist()
    nonces = parts["nonce"].to_pylist()
    opens = {key_id: _cipher(key_id).decrypt for key_id in set(key_ids) if key_id}
    try:
        clear = [
            opens[key_id](nonce, sealed, None).decode() if nonce is not None else None
            for key_id, nonce, sealed in zip(
                key_ids, nonces, parts["sealed"].to_pylist(), strict=True
            )
        ]
    except (InvalidTag, ValueError, KeyError):
        _raise_for_first_bad(tokens)
        raise
    blank = tokens.null_count + (pc.sum(pc.equal(tokens, "")).as_py() or 0)
    if nonces.count(None) != blank:
        _raise_for_first_bad(tokens)  # a value that is not a ciphertext at all
    return pa.array(clear, pa.string())


def _raise_for_first_bad(tokens) -> None:
    for token in tokens.to_pylist():
        if token:
            decrypt(token)


def index_value(normalised: str, *, key_id: str | None = None) -> str:
    """The blind index value of an already normalised value ('' for '')."""
    if normalised == "":
        return ""
    ring = keys.ring()
    key_id = key_id or ring.current_index_id
    key = ring.index_key(key_id)
    if key is None:
        raise DecryptionError(f"The key ring holds no index key {key_id!r}.")
    digest = hmac.digest(key, normalised.encode(), "sha256")[:INDEX_BYTES]
    return f"{key_id}.{binascii.b2a_base64(digest, newline=False).decode().rstrip('=')}"


def index_values(normalised: str) -> list[str]:
    """The index values of a value under every index key of the ring, current first: what
    a search compares with while a rotation is re-indexing."""
    if normalised == "":
        return [""]
    return [index_value(normalised, key_id=key_id) for key_id, _ in keys.ring().index_keys]
