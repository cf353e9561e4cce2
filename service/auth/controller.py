"""Who am I, API keys (admin), and the audit log of every knowledge base (editor)."""

from __future__ import annotations

import logging
from typing import Annotated, Any, Literal

from litestar import Controller, Request, delete, get, post
from litestar.params import Parameter, QueryParameter
from litestar.status_codes import HTTP_201_CREATED, HTTP_204_NO_CONTENT
from pydantic import BaseModel, Field, field_validator

from knowledge_base.models import json_number
from service.auth.keys import KeyRing, Role, StoredKey
from service.auth.middleware import principal_of, requires
from service.kb_admin.schemas import AuditRecord
from service.kb_admin.service import KnowledgeBaseService
from service.openapi import errors

logger = logging.getLogger("brandcheck.auth")


class Me(BaseModel):
    """The caller."""

    name: str = Field(description="The key's name ('local' when the server runs without keys).")
    role: str = Field(description="reviewer, editor or admin.")
    auth_enabled: bool = Field(description="False when no keys are configured (loopback-only, everyone admin).")


class KeyCreate(BaseModel):
    """A key to create."""

    model_config = {"extra": "forbid"}

    name: str = Field(min_length=1, max_length=100, pattern=r"^[\w.@-]+$", description="Shown in the audit log.")
    role: Literal["reviewer", "editor", "admin"] = Field(description="reviewer, editor or admin.")
    rate_per_minute: int | None = Field(None, ge=1, le=1_000_000, description="Overrides the default rate limit.")

    _rate_is_a_number = field_validator("rate_per_minute", mode="before")(json_number)


class CreatedKey(StoredKey):
    """A new key: ``key`` is shown this once and never stored (only its SHA-256 is)."""

    key: str


class AuthController(Controller):
    """API keys and the audit log."""

    path = "/api/v1"
    tags = ["access"]  # noqa: RUF012 - Litestar declares it as an instance attribute

    @get("/me", summary="Who am I", guards=[requires(Role.REVIEWER)], sync_to_thread=False, responses=errors())
    def me(self, request: Request[Any, Any, Any], keys: KeyRing) -> Me:
        """The name and role of the key the request was made with."""
        principal = principal_of(request)
        return Me(name=principal.name, role=principal.role.label, auth_enabled=keys.enabled)

    @get("/keys", summary="List API keys", guards=[requires(Role.ADMIN)], sync_to_thread=True, responses=errors(403))
    def list_keys(self, keys: KeyRing) -> list[StoredKey]:
        """Every key by name, role and key id (the first 12 hex digits of its SHA-256), never the key."""
        return keys.list_keys()

    @post(
        "/keys",
        summary="Create an API key",
        status_code=HTTP_201_CREATED,
        guards=[requires(Role.ADMIN)],
        sync_to_thread=True,
        responses=errors(400, 403, 409, 413, 422),
    )
    def create_key(self, request: Request[Any, Any, Any], keys: KeyRing, data: KeyCreate) -> CreatedKey:
        """Create a key; the response carries the key itself, once. 409 if the name is taken."""
        creator = principal_of(request).name
        key, listing = keys.create(data.name, data.role, creator, data.rate_per_minute)
        logger.info("key created", extra={"key_name": data.name, "role": data.role, "by": creator})
        return CreatedKey(key=key, **listing.model_dump())

    @delete(
        "/keys/{key_id:str}",
        summary="Delete an API key",
        status_code=HTTP_204_NO_CONTENT,
        guards=[requires(Role.ADMIN)],
        sync_to_thread=True,
        responses=errors(400, 403, 404, 409),
    )
    def delete_key(self, request: Request[Any, Any, Any], keys: KeyRing, key_id: str) -> None:
        """Delete a key made through the API (keys from settings or the keys file are removed there)."""
        deleted = keys.delete(key_id)
        logger.info("key deleted", extra={"key_name": deleted.name, "by": principal_of(request).name})

    @get(
        "/audit",
        summary="Audit log of every knowledge base",
        guards=[requires(Role.EDITOR)],
        sync_to_thread=True,
        responses=errors(400, 403, 404),
    )
    def audit_log(
        self,
        kb_service: KnowledgeBaseService,
        kb_id: Annotated[str | None, QueryParameter(description="Only this knowledge base.")] = None,
        limit: Annotated[int, Parameter(ge=1, le=10_000, description="At most this many entries.")] = 100,
    ) -> list[AuditRecord]:
        """Every change to knowledge bases (deleted ones included), newest first."""
        return kb_service.audit_log(kb_id, limit)
