"""Knowledge-base use cases: validation, import/export and item edits on top of the repository."""

from __future__ import annotations

import json
from typing import Any, Literal

from knowledge_base.errors import ForbiddenError, InvalidInputError, NotFoundError, utf8_text
from knowledge_base.loading import KnowledgeBaseFormatError, dump_yaml, parse_document
from knowledge_base.models import AnyItem, KnowledgeBase, KnowledgeBaseContent, derive_kb_id
from knowledge_base.repository import KnowledgeBaseRepository, validate_item
from service.auth.keys import LOCAL_PRINCIPAL, Principal, Role
from service.kb_admin.schemas import (
    AuditRecord,
    ItemChange,
    KnowledgeBaseCreate,
    KnowledgeBaseSummary,
    SearchRequest,
    SearchResponse,
    SearchResult,
    Section,
)

ImportMode = Literal["create", "replace", "upsert"]


def _format_error(exc: KnowledgeBaseFormatError) -> InvalidInputError:
    return InvalidInputError(
        "invalid knowledge base: " + "; ".join(str(error) for error in exc.errors[:5]),
        extra=[error.as_dict() for error in exc.errors],
    )


class KnowledgeBaseService:
    """What the API and the CLI do with knowledge bases; raises domain errors, never HTTP ones."""

    def __init__(self, repository: KnowledgeBaseRepository, principal: Principal = LOCAL_PRINCIPAL) -> None:
        self.repository = repository
        self.principal = principal

    def _require(self, role: Role, what: str) -> None:
        if self.principal.role < role:
            raise ForbiddenError(
                f"key '{self.principal.name}' has the {self.principal.role.label} role; {what} needs {role.label}",
                extra={"role": self.principal.role.label, "required": role.label},
            )

    def _save(self, kb_id: str, content: KnowledgeBaseContent, **options: Any) -> KnowledgeBase:
        """Save, after checking that the caller may: creating a knowledge base needs admin, changing one editor."""
        if not self.repository.exists(kb_id):
            self._require(Role.ADMIN, "creating a knowledge base")
        return self.repository.save(kb_id, content, actor=self.principal.name, **options)

    def list_summaries(self) -> list[KnowledgeBaseSummary]:
        """Summaries of every knowledge base."""
        return [self.summary(kb) for kb in self.repository.list_all()]

    @staticmethod
    def summary(kb: KnowledgeBase) -> KnowledgeBaseSummary:
        """A knowledge base's header and item counts."""
        return KnowledgeBaseSummary(
            id=kb.id,
            brand=kb.brand,
            product=kb.product,
            lang=kb.lang,
            version=kb.version,
            updated_at=kb.updated_at.isoformat() if kb.updated_at else None,
            counts={section.value: len(kb.items(section.kind)) for section in Section},
        )

    def get(self, kb_id: str) -> KnowledgeBase:
        """The live version of a knowledge base."""
        return self.repository.get(kb_id)

    def create(self, data: KnowledgeBaseCreate) -> KnowledgeBase:
        """Create a knowledge base; 409 if its id is taken."""
        kb_id = data.id or derive_kb_id(data.product, data.brand)
        content = KnowledgeBaseContent.model_validate(data.model_dump(exclude={"id"}))
        return self._save(kb_id, content, create_only=True)

    def replace(self, kb_id: str, content: KnowledgeBaseContent, expected_version: int | None = None) -> KnowledgeBase:
        """Create or atomically replace a knowledge base."""
        return self._save(kb_id, content, expected_version=expected_version)

    def delete(self, kb_id: str, expected_version: int | None = None) -> None:
        """Delete a knowledge base and its items."""
        self._require(Role.ADMIN, "deleting a knowledge base")
        self.repository.delete(kb_id, expected_version, actor=self.principal.name)

    def import_document(
        self, body: bytes, fmt: Literal["yaml", "json"], kb_id: str | None = None, mode: ImportMode = "upsert"
    ) -> KnowledgeBase:
        """Import a whole knowledge base (YAML or kb.json) atomically: all of it or nothing. It is stored under
        ``kb_id`` if given, else the document's id, else one derived from its product or brand."""
        text = utf8_text(body, "the body")
        try:
            kb = parse_document(text, fmt, default_id=kb_id)
        except KnowledgeBaseFormatError as exc:
            raise _format_error(exc) from exc
        if kb_id is not None:  # the request's id wins over the document's: importing a copy under another id
            kb = kb.model_copy(update={"id": kb_id})
        return self._save(kb.id, kb.content, create_only=mode == "create", must_exist=mode == "replace")

    def export(self, kb_id: str, fmt: Literal["yaml", "json"]) -> str:
        """The knowledge base as kb.json (interchange) or as authoring YAML."""
        kb = self.repository.get(kb_id)
        if fmt == "yaml":
            return dump_yaml(kb)
        return json.dumps(kb.content.to_interchange(), ensure_ascii=False, indent=2)

    def list_items(self, kb_id: str, section: Section) -> list[dict[str, Any]]:
        """Every item of one section."""
        return [
            item.model_dump(mode="json", exclude_none=True) for item in self.repository.get(kb_id).items(section.kind)
        ]

    def get_item(self, kb_id: str, section: Section, item_id: str) -> dict[str, Any]:
        """One item."""
        for item in self.repository.get(kb_id).items(section.kind):
            if item.id == item_id:
                return item.model_dump(mode="json", exclude_none=True)
        raise NotFoundError(
            f"{section.kind.value.rstrip('s').replace('_', ' ')} '{item_id}' not found in knowledge base '{kb_id}'",
            extra={"kb_id": kb_id, "item_id": item_id},
        )

    def add_item(self, kb_id: str, section: Section, data: Any) -> ItemChange:
        """Add one item; 409 if its id is already used in the knowledge base."""
        item = validate_item(section.kind, data)
        kb = self.repository.put_item(kb_id, section.kind, item, create=True, actor=self.principal.name)
        return self._change(kb, section, item)

    def update_item(self, kb_id: str, section: Section, item_id: str, data: Any) -> ItemChange:
        """Replace one item (its id comes from the URL)."""
        if isinstance(data, dict) and data.setdefault("id", item_id) != item_id:
            raise InvalidInputError(
                f"the body's id '{data['id']}' differs from the URL's '{item_id}'",
                extra=[{"field": "id", "message": "must match the URL"}],
            )
        item = validate_item(section.kind, data)
        kb = self.repository.put_item(kb_id, section.kind, item, create=False, actor=self.principal.name)
        return self._change(kb, section, item)

    def delete_item(self, kb_id: str, section: Section, item_id: str) -> KnowledgeBase:
        """Delete one item."""
        return self.repository.delete_item(kb_id, section.kind, item_id, actor=self.principal.name)

    def audit_log(self, kb_id: str | None, limit: int) -> list[AuditRecord]:
        """Changes to one knowledge base (or all), newest first."""
        if kb_id is not None and not self.repository.exists(kb_id) and not self.repository.audit_log(kb_id, 1):
            raise NotFoundError(f"knowledge base '{kb_id}' not found", extra={"kb_id": kb_id})
        return [AuditRecord.model_validate(entry) for entry in self.repository.audit_log(kb_id, limit)]

    @staticmethod
    def _change(kb: KnowledgeBase, section: Section, item: AnyItem) -> ItemChange:
        return ItemChange(
            kb_id=kb.id, version=kb.version, section=section, item=item.model_dump(mode="json", exclude_none=True)
        )

    def search(self, kb_id: str, request: SearchRequest) -> SearchResponse:
        """The items nearest a text with their scores."""
        kinds = [section.kind for section in request.sections] if request.sections else None
        kb = self.repository.get(kb_id)
        hits = self.repository.search(kb_id, [request.text], kinds=kinds, limit=request.limit)[0]
        return SearchResponse(
            kb_id=kb_id,
            version=kb.version,
            model=self.repository.embedder.model_id,
            results=[
                SearchResult(
                    section=Section(hit.kind.url_segment),
                    id=hit.item_id,
                    text=hit.text,
                    score=hit.score,
                    lexical_score=hit.lexical_score,
                    rank=hit.rank,
                )
                for hit in hits
            ],
        )


def detect_format(content_type: str | None, body: bytes) -> Literal["yaml", "json"]:
    """JSON when the content type says so or the body starts with '{', else YAML."""
    if content_type and "json" in content_type:
        return "json"
    if content_type and "yaml" in content_type:
        return "yaml"
    return "json" if body.lstrip()[:1] == b"{" else "yaml"
