"""The keys of encryption at rest: where they come from, what a key file holds, and the
one key ring every encrypted field and blind index reads.

A key file is JSON::

    {"data_keys":  [{"id": "k2", "key": "<32 bytes, base64>"}, {"id": "k1", "key": "…"}],
     "index_keys": [{"id": "i2", "key": "…"}, {"id": "i1", "key": "…"}],
     "rotating": false}

The first key of each list is the current one: new values are encrypted (and indexed)
with it; the others only read what was written before a rotation. Every ciphertext and
every index value carries the id of its key, so a rotation knows which rows are left.

Where the keys come from (settings read the environment): ``OUTPOST_DATA_KEYS`` (the same
JSON, e.g. from a secret manager), else the file ``OUTPOST_KEY_FILE``, else, outside
production only, ``var/keys.json``, made on first use. Production refuses a key file
inside the var directory: the key must not sit beside the database it protects, nor go
into its backups.
"""

from __future__ import annotations

import base64
import json
import os
import secrets
import threading
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.core.signals import setting_changed

KEY_BYTES = 32
DEV_KEY_FILE_NAME = "keys.json"


class KeyConfigurationError(Exception):
    """The keys are missing, malformed, misplaced or not the ones the database was
    written with. The message says which and what to do."""


@dataclass(frozen=True)
class KeyRing:
    """The data keys and index keys, current first, and where they were read from."""

    data_keys: tuple[tuple[str, bytes], ...]
    index_keys: tuple[tuple[str, bytes], ...]
    rotating: bool = False
    source: str = ""
    path: Path | None = None
    _data: dict = field(default_factory=dict, compare=False, repr=False)
    _index: dict = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self):
        self._data.update(self.data_keys)
        self._index.update(self.index_keys)

    @property
    def current_data_id(self) -> str:
        return self.data_keys[0][0]

    @property
    def current_index_id(self) -> str:
        return self.index_keys[0][0]

    def data_key(self, key_id: str) -> bytes | None:
        return self._data.get(key_id)

    def index_key(self, key_id: str) -> bytes | None:
        return self._index.get(key_id)

    def to_json(self) -> dict:
        def encode(keys):
            return [{"id": i, "key": base64.b64encode(k).decode()} for i, k in keys]

        return {
            "data_keys": encode(self.data_keys),
            "index_keys": encode(self.index_keys),
            "rotating": self.rotating,
        }


def new_key() -> bytes:
    return secrets.token_bytes(KEY_BYTES)


def generate_ring_json() -> dict:
    """A fresh key file's content: one data key, one index key."""
    return KeyRing(data_keys=(("k1", new_key()),), index_keys=(("i1", new_key()),)).to_json()


def _parse_keys(entries, what: str, source: str) -> tuple[tuple[str, bytes], ...]:
    if not isinstance(entries, list) or not entries:
        raise KeyConfigurationError(f"{source}: '{what}' must be a non-empty list of keys.")
    keys = []
    for n, entry in enumerate(entries, start=1):
        if not isinstance(entry, dict) or not entry.get("id") or not entry.get("key"):
            raise KeyConfigurationError(f"{source}: key {n} of '{what}' needs an 'id' and a 'key'.")
        key_id = str(entry["id"])
        if not key_id.isalnum() or len(key_id) > 8:
            raise KeyConfigurationError(
                f"{source}: key id {key_id!r} of '{what}' must be 1-8 letters or digits."
            )
        try:
            key = base64.b64decode(str(entry["key"]), validate=True)
        except ValueError:
            raise KeyConfigurationError(
                f"{source}: key {key_id!r} of '{what}' is not base64."
            ) from None
        if len(key) != KEY_BYTES:
            raise KeyConfigurationError(
                f"{source}: key {key_id!r} of '{what}' has {len(key)} bytes, not {KEY_BYTES}."
            )
        keys.append((key_id, key))
    if len({i for i, _ in keys}) != len(keys):
        raise KeyConfigurationError(f"{source}: two keys of '{what}' have the same id.")
    return tuple(keys)


def parse_ring(text: str, *, source: str, path: Path | None = None) -> KeyRing:
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise KeyConfigurationError(f"{source} is not valid JSON ({exc}).") from None
    if not isinstance(data, dict):
        raise KeyConfigurationError(f"{source} must hold a JSON object.")
    data_keys = _parse_keys(data.get("data_keys"), "data_keys", source)
    index_keys = _parse_keys(data.get("index_keys"), "index_keys", source)
    if {i for i, _ in data_keys} & {i for i, _ in index_keys}:
        raise KeyConfigurationError(f"{source}: a data key and an index key share an id.")
    return KeyRing(
        data_keys=data_keys,
        index_keys=index_keys,
        rotating=bool(data.get("rotating")),
        source=source,
        path=path,
    )


def write_key_file(path: Path, content: dict) -> None:
    """Write a key file atomically (readable only by its owner): a crash leaves the old
    file or the new one, never half of one."""
    path = Path(path)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        json.dump(content, handle, indent=1)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, path)
    dir_fd = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)


def key_file_path() -> Path | None:
    """The key file in use (None when the keys come inline from OUTPOST_DATA_KEYS)."""
    if settings.OUTPOST_DATA_KEYS:
        return None
    if settings.OUTPOST_KEY_FILE:
        return Path(settings.OUTPOST_KEY_FILE).expanduser().resolve()
    return Path(settings.VAR_DIR) / DEV_KEY_FILE_NAME


def _inside(path: Path, directory: Path) -> bool:
    try:
        path.resolve().relative_to(Path(directory).resolve())
    except ValueError:
        return False
    return True


def load_ring() -> KeyRing:
    """Read the keys as the settings say; raise ``KeyConfigurationError`` with a message
    for the operator when they are missing, malformed or misplaced."""
    production = getattr(settings, "PRODUCTION", False)
    if settings.OUTPOST_DATA_KEYS:
        return parse_ring(settings.OUTPOST_DATA_KEYS, source="OUTPOST_DATA_KEYS")
    path = key_file_path()
    if not settings.OUTPOST_KEY_FILE:
        if production:
            raise KeyConfigurationError(
                "No encryption key: production needs OUTPOST_KEY_FILE (the path of a key "
                "file outside the var directory) or OUTPOST_DATA_KEYS. Make one with "
                "`outpost keys generate FILE` and keep a copy apart from the backups."
            )
        if not path.exists():
            try:
                fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            except FileExistsError:
                pass
            else:
                with os.fdopen(fd, "w") as handle:
                    json.dump(generate_ring_json(), handle, indent=1)
    if production and _inside(path, settings.VAR_DIR):
        raise KeyConfigurationError(
            f"The key file {path} is inside the var directory {settings.VAR_DIR}: the key "
            "would sit beside the database it protects and go into its backups. Move it "
            "elsewhere (e.g. /etc/outpost/keys.json, readable only by Outpost) and set "
            "OUTPOST_KEY_FILE."
        )
    try:
        text = path.read_text()
    except FileNotFoundError:
        raise KeyConfigurationError(
            f"The key file {path} (OUTPOST_KEY_FILE) does not exist. Restore it from where "
            "you keep it, or make a new one with `outpost keys generate FILE` for a new, "
            "empty database."
        ) from None
    except OSError as exc:
        raise KeyConfigurationError(f"The key file {path} cannot be read: {exc}.") from None
    return parse_ring(text, source=f"The key file {path}", path=path)


_lock = threading.Lock()
_ring: KeyRing | None = None


def ring() -> KeyRing:
    """The key ring of this process, read once."""
    global _ring
    if _ring is None:
        with _lock:
            if _ring is None:
                _ring = load_ring()
    return _ring


def reset() -> None:
    """Forget the key ring (after a rotation wrote the key file, or a settings change)."""
    global _ring
    with _lock:
        _ring = None


def _on_setting_changed(*, setting, **kwargs):
    if setting in ("OUTPOST_DATA_KEYS", "OUTPOST_KEY_FILE", "VAR_DIR", "PRODUCTION"):
        reset()


setting_changed.connect(_on_setting_changed)
