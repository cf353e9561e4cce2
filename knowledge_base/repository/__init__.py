"""Knowledge bases held in the vector store: versioned, atomically replaced, searchable.

Layout in the store:

- a meta collection with one record for the store (model id, dimension, which items collection is live)
  and one record per knowledge base (its header, ``version`` and live ``generation``), beside the audit
  log and the API keys made through the API (:mod:`.records`), reviewers' feedback (:mod:`.feedback`), each knowledge
  base's own decision models (:mod:`.decision_models`) and the edit journal (:mod:`.writes`);
- an items collection with one point per item, carrying ``kb_id``, ``generation``, ``kind`` and the item;
- beside it, a claims collection (no search index) with the vectors of the claims each fact makes, as the
  checker splits and embeds them (``claim_texts``), made once at import instead of at check time
  (:mod:`.claims`).

A bulk replace writes the new generation's points first and then flips the knowledge base's record,
so readers (who filter on the live generation) see the old or the new version, never a mix (:mod:`.writes`).
Points of a generation that never went live, or that is two generations old, are removed on open
(:mod:`.migrations`). :class:`KnowledgeBaseRepository` puts the parts together.
"""

from __future__ import annotations

from knowledge_base.repository.context import ClaimTexts, Embedder, LexicalEncoderLike
from knowledge_base.repository.decision_models import DecisionModelRecords
from knowledge_base.repository.facade import KnowledgeBaseRepository
from knowledge_base.repository.feedback import FeedbackRecords
from knowledge_base.repository.layout import stable_id
from knowledge_base.repository.records import ApiKeyRecord, ApiKeyRecords, AuditEntry
from knowledge_base.repository.search import SearchHit
from knowledge_base.repository.writes import validate_item
from knowledge_base.store.base import Vector

__all__ = [
    "ApiKeyRecord",
    "ApiKeyRecords",
    "AuditEntry",
    "ClaimTexts",
    "DecisionModelRecords",
    "Embedder",
    "FeedbackRecords",
    "KnowledgeBaseRepository",
    "LexicalEncoderLike",
    "SearchHit",
    "Vector",
    "stable_id",
    "validate_item",
]
