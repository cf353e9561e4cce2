"""Domain errors: what a user can cause, said in the domain's terms. They carry no HTTP status: the API maps
each to one (``service/errors.py``), and the CLI prints its ``detail``."""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """Base of every error a user can cause; ``extra`` holds the context (field errors, ids, versions)."""

    def __init__(self, detail: str, extra: dict[str, Any] | list[Any] | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.extra = extra


class InvalidInputError(DomainError):
    """Input that does not validate; ``extra`` lists the field errors."""


def utf8_text(body: bytes, what: str, encoding: str = "utf-8") -> str:
    """``body`` decoded (``encoding`` is ``utf-8`` or ``utf-8-sig``); if it is not UTF-8, an
    :class:`InvalidInputError` that names the body and the offset of the first invalid byte."""
    try:
        return body.decode(encoding)
    except UnicodeDecodeError as exc:
        raise InvalidInputError(
            f"{what} is not valid UTF-8", extra=[{"field": "body", "message": f"invalid byte at offset {exc.start}"}]
        ) from exc


class ForbiddenError(DomainError):
    """The caller's role does not allow this change."""


class NotFoundError(DomainError):
    """A knowledge base or item that does not exist."""


class ConflictError(DomainError):
    """A change that clashes with what is stored (an existing id, a stale version)."""


class NoFeedbackError(ConflictError):
    """A knowledge base has no reviewers' feedback to fit a decision model of its own on."""


class ModelMismatchError(DomainError):
    """The store was embedded with another model than the one configured."""


class StoreUnavailableError(DomainError):
    """The vector store cannot be opened or reached."""
