"""Domain errors. The API maps each to one HTTP status with ``{status_code, detail, extra}``."""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """Base of every error a user can cause; ``status_code`` is the HTTP status it maps to."""

    status_code = 400

    def __init__(self, detail: str, extra: dict[str, Any] | list[Any] | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.extra = extra


class InvalidInputError(DomainError):
    """Input that does not validate; ``extra`` lists the field errors."""

    status_code = 422


class ForbiddenError(DomainError):
    """The caller's role does not allow this change."""

    status_code = 403


class NotFoundError(DomainError):
    """A knowledge base or item that does not exist."""

    status_code = 404


class ConflictError(DomainError):
    """A change that clashes with what is stored (an existing id, a stale version)."""

    status_code = 409


class ModelMismatchError(DomainError):
    """The store was embedded with another model than the one configured."""

    status_code = 503


class StoreUnavailableError(DomainError):
    """The vector store cannot be opened or reached."""

    status_code = 503
