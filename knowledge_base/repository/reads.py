"""Reading whole knowledge bases: the live generation's items in their order, cached by version."""

from __future__ import annotations

from typing import Any

from knowledge_base.models import ItemKind, KnowledgeBase
from knowledge_base.repository.context import RepositoryContext
from knowledge_base.repository.records import Header, MetaRecords
from knowledge_base.store.base import MatchFilter


class KnowledgeBaseReader:
    """Loads knowledge bases; a loaded version is kept until a newer one is asked for."""

    def __init__(self, context: RepositoryContext, records: MetaRecords) -> None:
        self.context = context
        self.records = records
        self._cache: dict[str, KnowledgeBase] = {}

    def list_all(self) -> list[KnowledgeBase]:
        """Every knowledge base, by id."""
        return [self.load(header) for header in self.records.headers()]

    def get(self, kb_id: str) -> KnowledgeBase:
        """The live version of a knowledge base."""
        return self.load(self.records.require_header(kb_id))

    def exists(self, kb_id: str) -> bool:
        """Whether a knowledge base with this id is stored."""
        return self.records.header(kb_id) is not None

    def load(self, header: Header) -> KnowledgeBase:
        """The knowledge base at ``header``'s version."""
        cached = self._cache.get(header.kb_id)
        if cached is not None and cached.version == header.version:
            return cached
        sections: dict[str, list[dict[str, Any]]] = {kind.value: [] for kind in ItemKind}
        points = self.context.store.scroll(
            self.context.items_collection, MatchFilter({"kb_id": header.kb_id, "generation": header.generation})
        )
        for point in sorted(points, key=lambda p: int(p.payload["order"])):
            sections[point.payload["kind"]].append(point.payload["item"])
        kb = KnowledgeBase.model_validate(
            {
                "id": header.kb_id,
                "version": header.version,
                "updated_at": header.updated_at,
                **header.fields,
                **sections,
            }
        )
        self._cache[header.kb_id] = kb
        return kb

    def forget(self, kb_id: str) -> None:
        """Drop a deleted knowledge base from the cache."""
        self._cache.pop(kb_id, None)

    def forget_all(self) -> None:
        """Drop every cached knowledge base (their vectors changed)."""
        self._cache.clear()
