"""API keys and roles. Keys are random tokens; only their SHA-256 is ever stored or configured.

Keys come from three places, looked up in this order:

- ``BRANDCHECK_API_KEYS`` (settings): a JSON list of ``{"name", "role", "sha256"}``;
- ``BRANDCHECK_KEYS_FILE``: a YAML or JSON file ``{"keys": [{"name", "role", "sha256"}, ...]}``
  (``brandcheck keys create --file F`` appends to it);
- keys an admin created through the API, kept by the repository in the store's meta collection
  (:class:`ApiKeyRecords`: every worker of a deployment on a Qdrant cluster sees them, and a deleted key
  stops working everywhere at once).

A SHA-256 (not a slow password hash) is right for keys: they carry 256 random bits, so there is
nothing to brute-force, and every request has to look its key up.
"""

from __future__ import annotations

import datetime as dt
import enum
import hashlib
import json
import secrets
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import yaml
from pydantic import BaseModel, Field, ValidationError

from knowledge_base.errors import ConflictError, InvalidInputError, NotFoundError
from knowledge_base.loading import field_errors
from knowledge_base.repository import ApiKeyRecord, ApiKeyRecords

KEY_PREFIX = "bck_"
_CACHE_SECONDS = 5.0


class Role(enum.IntEnum):
    """What a key may do; each role includes the ones below it."""

    REVIEWER = 1  # check, analyse, read knowledge bases
    EDITOR = 2  # + edit existing knowledge bases, read the audit log
    ADMIN = 3  # + create and delete knowledge bases, manage keys

    @property
    def label(self) -> str:
        """The role's name as configured and shown: reviewer, editor or admin."""
        return self.name.lower()

    @classmethod
    def parse(cls, value: str) -> Role:
        """A role from its name."""
        try:
            return cls[value.upper()]
        except KeyError:
            raise ValueError(f"unknown role '{value}' (reviewer, editor or admin)") from None


class KeyConfig(BaseModel):
    """One configured key: its name (shown in the audit log), its role and the SHA-256 of the key."""

    model_config = {"extra": "forbid"}

    name: str = Field(min_length=1, max_length=100)
    role: str = Field(pattern="^(reviewer|editor|admin)$")
    sha256: str = Field(pattern="^[0-9a-f]{64}$", description="hex SHA-256 of the key (`brandcheck keys hash`)")
    rate_per_minute: int | None = Field(None, ge=1, description="Overrides the default rate limit.")


class KeysFile(BaseModel):
    """The keys file."""

    model_config = {"extra": "forbid"}

    keys: list[KeyConfig] = Field(default_factory=list)


@dataclass(frozen=True)
class Principal:
    """Who is calling: a key's name and role (``local`` admin when no keys are configured)."""

    name: str
    role: Role
    key_id: str | None  # first 12 hex digits of the key's SHA-256; None without auth
    rate_per_minute: int | None = None


LOCAL_PRINCIPAL = Principal("local", Role.ADMIN, None)


def hash_key(key: str) -> str:
    """The hex SHA-256 of a key, as configured and stored."""
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def generate_key() -> str:
    """A new random key (256 bits)."""
    return KEY_PREFIX + secrets.token_urlsafe(32)


def load_keys_file(path: Path) -> list[KeyConfig]:
    """The keys of a keys file; a missing file has none. Errors name the file and the field."""
    if not path.exists():
        return []
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        return KeysFile.model_validate(raw).keys
    except yaml.YAMLError as exc:
        raise ValueError(f"{path}: not valid YAML/JSON: {exc}") from exc
    except ValidationError as exc:
        problems = "; ".join(str(error) for error in field_errors(exc, raw))
        raise ValueError(f"{path}: {problems}") from exc


def append_to_keys_file(path: Path, entry: KeyConfig) -> None:
    """Add a key to a keys file (created if missing); a name already in it is refused."""
    existing = load_keys_file(path)
    if any(key.name == entry.name for key in existing):
        raise ValueError(f"{path}: a key named '{entry.name}' already exists")
    document = {"keys": [key.model_dump(exclude_none=True) for key in [*existing, entry]]}
    temporary = path.with_suffix(path.suffix + ".tmp")
    temporary.write_text(yaml.safe_dump(document, sort_keys=False, allow_unicode=True), encoding="utf-8")
    temporary.replace(path)


class StoredKey(BaseModel):
    """A key as listed by the API (never the key itself)."""

    name: str
    role: str
    key_id: str = Field(description="The first 12 hex digits of the key's SHA-256: identifies it in logs.")
    source: str = Field(description="settings, file or api (only api keys can be deleted through the API).")
    created_at: str | None = None
    created_by: str | None = None
    rate_per_minute: int | None = None


class KeyRing:
    """Resolves a presented key to a :class:`Principal`; creates and deletes API-managed keys."""

    def __init__(self, configured: list[tuple[KeyConfig, str]], stored: ApiKeyRecords) -> None:
        self._configured = {entry.sha256: (entry, source) for entry, source in configured}
        self._stored = stored
        self._cache: dict[str, tuple[float, Principal | None]] = {}
        self._lock = threading.Lock()
        # Decided once at start: a worker must never drop to open mode because another changed keys.
        self.enabled = bool(self._configured) or self._stored.count() > 0

    def authenticate(self, key: str) -> Principal | None:
        """The principal of a key, or None for an unknown one."""
        return self.authenticate_digest(hash_key(key))

    def authenticate_digest(self, digest: str) -> Principal | None:
        """The principal of a key given its SHA-256 (what a login session carries), or None."""
        configured = self._configured.get(digest)
        if configured is not None:
            entry = configured[0]
            return Principal(entry.name, Role.parse(entry.role), digest[:12], entry.rate_per_minute)
        now = time.monotonic()
        cached = self._cache.get(digest)
        if cached is not None and now - cached[0] < _CACHE_SECONDS:
            return cached[1]
        found = self._stored.find(digest)
        principal = None
        if found is not None:
            principal = Principal(found.name, Role.parse(found.role), digest[:12], found.rate_per_minute)
        with self._lock:
            if len(self._cache) > 10_000:
                self._cache.clear()
            self._cache[digest] = (now, principal)
        return principal

    def list_keys(self) -> list[StoredKey]:
        """Every key, configured ones first."""
        keys = [
            StoredKey(name=e.name, role=e.role, key_id=e.sha256[:12], source=source, rate_per_minute=e.rate_per_minute)
            for e, source in self._configured.values()
        ]
        keys.extend(_listing(record) for record in self._stored.list_all())
        return keys

    def create(
        self, name: str, role: str, created_by: str, rate_per_minute: int | None = None
    ) -> tuple[str, StoredKey]:
        """Create a key; returns the key (shown once, never stored) and its listing."""
        if not self.enabled:
            raise ConflictError(
                "keys are off on this server (none configured), so a key made here would not be asked for; "
                "create the first admin key with `brandcheck keys create --file keys.yaml --name NAME --role admin`, "
                "set BRANDCHECK_KEYS_FILE=keys.yaml and restart",
                extra={"field": "role"},
            )
        try:
            Role.parse(role)
        except ValueError as exc:
            raise InvalidInputError(str(exc), extra=[{"field": "role", "message": str(exc)}]) from None
        if any(existing.name == name for existing in self.list_keys()):
            raise ConflictError(f"a key named '{name}' already exists", extra={"name": name})
        key = generate_key()
        record = ApiKeyRecord(
            name=name,
            role=role,
            sha256=hash_key(key),
            created_at=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            created_by=created_by,
            rate_per_minute=rate_per_minute,
        )
        self._stored.add(record)
        return key, _listing(record)

    def delete(self, key_id: str) -> StoredKey:
        """Delete an API-managed key by its key id; it stops working at once on this worker, within
        seconds on the others."""
        for existing in self.list_keys():
            if existing.key_id == key_id:
                if existing.source != "api":
                    raise ConflictError(
                        f"key '{existing.name}' comes from the {existing.source}; remove it there",
                        extra={"key_id": key_id},
                    )
                self._stored.delete(key_id)
                with self._lock:
                    self._cache.clear()
                return existing
        raise NotFoundError(f"key '{key_id}' not found", extra={"key_id": key_id})


def _listing(record: ApiKeyRecord) -> StoredKey:
    return StoredKey(
        name=record.name,
        role=record.role,
        key_id=record.key_id,
        source="api",
        created_at=record.created_at,
        created_by=record.created_by,
        rate_per_minute=record.rate_per_minute,
    )


def configured_keys(api_keys_json: str | None, keys_file: Path | None) -> list[tuple[KeyConfig, str]]:
    """The keys from settings and from the keys file, with where each came from."""
    keys: list[tuple[KeyConfig, str]] = []
    if api_keys_json:
        try:
            raw = json.loads(api_keys_json)
            keys += [(KeyConfig.model_validate(entry), "settings") for entry in raw]
        except (json.JSONDecodeError, ValidationError, TypeError) as exc:
            raise ValueError(f"BRANDCHECK_API_KEYS: expected a JSON list of {{name, role, sha256}}: {exc}") from exc
    if keys_file is not None:
        keys += [(entry, "file") for entry in load_keys_file(keys_file)]
    names = [entry.name for entry, _ in keys]
    duplicated = sorted({name for name in names if names.count(name) > 1})
    if duplicated:
        raise ValueError(f"key names must be unique; repeated: {', '.join(duplicated)}")
    return keys
