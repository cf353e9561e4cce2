"""A knowledge base's own decision models: fitted on the dev data plus its reviewers' feedback, kept as
numbered versions in the repository, listed, activated and rolled back. Raises domain errors, never HTTP ones."""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from knowledge_base.errors import ConflictError, NoFeedbackError, NotFoundError
from knowledge_base.repository import AuditEntry, KnowledgeBaseRepository
from service.auth.keys import LOCAL_PRINCIPAL, Principal
from service.check.decision import DecisionModels, kb_model_version
from service.decision_models.schemas import DecisionModelInfo
from service.feedback.service import FeedbackService
from service.settings import CheckThresholds

if TYPE_CHECKING:
    from knowledge_base.embedding import SentenceEmbedder


class DecisionModelService:
    """What the API and the CLI do with a knowledge base's decision models."""

    def __init__(
        self, repository: KnowledgeBaseRepository, decisions: DecisionModels, principal: Principal = LOCAL_PRINCIPAL
    ) -> None:
        self.repository = repository
        self.decisions = decisions
        self.principal = principal

    def list(self, kb_id: str) -> list[DecisionModelInfo]:
        """Every version of the knowledge base's model, oldest first (empty: it uses the shared model)."""
        self.repository.get(kb_id)  # NotFoundError for an unknown knowledge base
        active = self.repository.decision_models.active(kb_id)
        return [_info(stored, active) for stored in self.repository.decision_models.versions(kb_id)]

    def activate(self, kb_id: str, version: int) -> DecisionModelInfo:
        """Make ``version`` the one checks use; NotFoundError if it is not stored."""
        kb = self.repository.get(kb_id)
        stored = self.repository.decision_models.get(kb_id, version)
        if stored is None:
            versions = [int(p["version"]) for p in self.repository.decision_models.versions(kb_id)]
            raise NotFoundError(
                f"knowledge base '{kb_id}' has no decision model version {version}"
                + (f" (it has {', '.join(map(str, versions))})" if versions else " (it has none: see train --kb)"),
                extra={"kb_id": kb_id, "version": version, "versions": versions},
            )
        audit = AuditEntry(self.principal.name, "activate decision model", changed=(f"decision-model/{version}",))
        self.repository.decision_models.activate(kb_id, kb.version, version, audit)
        self.decisions.invalidate(kb_id)
        return _info(stored, version)

    def rollback(self, kb_id: str) -> DecisionModelInfo | None:
        """Activate the version before the active one; from version 1, the shared model (returns None).
        ConflictError when the knowledge base uses the shared model already."""
        kb = self.repository.get(kb_id)
        active = self.repository.decision_models.active(kb_id)
        if active is None:
            raise ConflictError(
                f"knowledge base '{kb_id}' uses the shared decision model: there is nothing to roll back",
                extra={"kb_id": kb_id},
            )
        earlier = [int(p["version"]) for p in self.repository.decision_models.versions(kb_id) if p["version"] < active]
        if earlier:
            return self.activate(kb_id, max(earlier))
        audit = AuditEntry(self.principal.name, "activate decision model", changed=("decision-model/shared",))
        self.repository.decision_models.activate(kb_id, kb.version, None, audit)
        self.decisions.invalidate(kb_id)
        return None

    def train(
        self,
        kb_id: str,
        set_dir: Path,
        embedder: SentenceEmbedder,
        thresholds: CheckThresholds,
        progress: Callable[[int], object] | None = None,
    ) -> DecisionModelInfo:
        """Fit the knowledge base's next version on the labelled products under ``set_dir`` plus its reviewed
        posts (exported as a product folder and checked against it; they teach it log-odds offsets per kind
        and per fact, ``training.with_feedback``), store it and make it active. NoFeedbackError when the
        knowledge base has no feedback."""
        from service.check.training import collect, fit_with_feedback

        kb = self.repository.get(kb_id)
        entries = self.repository.feedback.count(kb_id)
        if not entries:
            raise NoFeedbackError(
                f"knowledge base '{kb_id}' has no feedback to learn from: it keeps the shared decision model "
                "(reviewers give feedback on verdicts first)",
                extra={"kb_id": kb_id, "feedback_entries": 0},
            )
        with tempfile.TemporaryDirectory(prefix="brandcheck-feedback-") as temporary:
            folder = Path(temporary) / kb_id
            reviewed = FeedbackService(self.repository, self.principal).export(kb_id, folder)
            own = collect(folder, embedder, thresholds, progress)
        dev = collect(set_dir, embedder, thresholds, progress)
        products = len({post.product for post in dev})
        labelled = sum(not post.foreign for post in dev)
        trained_on = (
            f"{products} products, {labelled} posts and {len(dev) - labelled} foreign ({set_dir.name}) + "
            f"{reviewed} reviewed posts of {kb_id}"
        )
        model = fit_with_feedback(dev, own, version=f"{kb_id}/next", trained_on=trained_on)
        info = {"created_by": self.principal.name, "trained_on": trained_on, "feedback_entries": entries}
        audit = AuditEntry(self.principal.name, "train decision model")
        version = self.repository.decision_models.add(kb_id, kb.version, model.to_json(), info, audit)
        self.decisions.invalidate(kb_id)
        stored = self.repository.decision_models.get(kb_id, version)
        if stored is None:  # pragma: no cover - just written
            raise NotFoundError(f"decision model {version} of '{kb_id}' was not stored")
        return _info(stored, version)


def _info(stored: dict[str, Any], active: int | None) -> DecisionModelInfo:
    version = int(stored["version"])
    return DecisionModelInfo(
        kb_id=stored["kb_id"],
        version=version,
        decision_version=kb_model_version(stored["kb_id"], version),
        created=stored["created_at"],
        created_by=stored.get("created_by", ""),
        trained_on=stored.get("trained_on", ""),
        feedback_entries=int(stored.get("feedback_entries", 0)),
        active=version == active,
    )
