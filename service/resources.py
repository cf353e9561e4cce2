"""The heavy resources (embedding model, vector store, repository): created once, shared, closed once.

``with open_resources(settings) as resources:`` closes them on the way out; the app's lifespan uses
``async with``, which closes them on a worker thread so that stopping the job worker does not block the
event loop."""

from __future__ import annotations

import gc
import logging
from dataclasses import dataclass
from types import TracebackType

from anyio import to_thread

from knowledge_base.embedding import SentenceEmbedder, load_embedding_model
from knowledge_base.errors import StoreUnavailableError
from knowledge_base.lexical import LexicalEncoder
from knowledge_base.repository import KnowledgeBaseRepository
from knowledge_base.samples import sample_knowledge_bases
from knowledge_base.store import EdgeStore, StoreError, VectorStore
from service.analysis.jobs import AnalysisJobs
from service.auth.keys import KeyRing, configured_keys
from service.check.checker import Checker
from service.check.decision import DecisionModel, DecisionModels
from service.check.profile import claim_texts
from service.settings import Settings

logger = logging.getLogger("brandcheck")

# Python collects its youngest generation every 700 net allocations; a checked post allocates thousands of
# short-lived objects, so the collector would run every few posts.
GC_YOUNG_THRESHOLD = 10_000


def settle_long_lived_objects() -> None:
    """Take what is loaded now (torch, transformers, the model, the app: objects that live as long as
    the process) out of the garbage collector's traversals with ``gc.freeze``, and collect the youngest
    generation every 10,000 allocations instead of 700: the collector then runs once every few posts
    instead of a few times per post, and its older passes do not traverse those objects.
    ``Resources.close`` unfreezes, so a process that opens resources again (the tests) can still collect
    what it dropped."""
    gc.freeze()
    young, middle, oldest = gc.get_threshold()
    gc.set_threshold(max(GC_YOUNG_THRESHOLD, young), middle, oldest)


def open_store(settings: Settings) -> VectorStore:
    """The configured store: a Qdrant server when a URL is set, else the embedded engine under the data dir."""
    try:
        if settings.qdrant_url:
            from knowledge_base.store.server import QdrantServerStore

            key = settings.qdrant_api_key.get_secret_value() if settings.qdrant_api_key else None
            return QdrantServerStore.from_url(settings.qdrant_url, key, settings.qdrant_timeout)
        settings.store_path.mkdir(parents=True, exist_ok=True)
        return EdgeStore(settings.store_path)
    except StoreError as exc:
        raise StoreUnavailableError(str(exc)) from exc


@dataclass
class Resources:
    """What the app and the CLI share: one model, one store, one repository. A context manager (sync or
    async) that closes them when it exits."""

    settings: Settings
    embedder: SentenceEmbedder
    lexical: LexicalEncoder
    store: VectorStore
    repository: KnowledgeBaseRepository
    checker: Checker
    jobs: AnalysisJobs
    keys: KeyRing

    def close(self) -> None:
        """Stop the job worker and release the store (and its directory lock)."""
        self.jobs.stop()
        self.store.close()
        gc.unfreeze()

    def __enter__(self) -> Resources:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self.close()

    async def __aenter__(self) -> Resources:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, traceback: TracebackType | None
    ) -> None:
        await to_thread.run_sync(self.close)


def load_embedder(settings: Settings) -> SentenceEmbedder:
    """Load the configured embedding model."""
    return SentenceEmbedder(load_embedding_model(settings.model), settings.model, settings.encode_batch_size)


def open_resources(settings: Settings, allow_model_mismatch: bool = False) -> Resources:
    """Load the model, open the store and the repository (creating the collections on first use)."""
    embedder = load_embedder(settings)
    lexical = LexicalEncoder()
    store = open_store(settings)
    try:
        repository = KnowledgeBaseRepository(store, embedder, lexical, claim_texts)
        repository.open(allow_model_mismatch=allow_model_mismatch)
        keys = KeyRing(configured_keys(settings.api_keys, settings.keys_file), repository.api_keys)
    except BaseException:
        store.close()
        raise
    shared = DecisionModel.load(settings.decision_model) if settings.decision_model else DecisionModel.load()
    decisions = DecisionModels(shared, repository)  # a knowledge base's own active model, else the shared one
    checker = Checker(repository, embedder, settings.check, decisions, settings.min_confidence)
    jobs = AnalysisJobs(settings.data_dir / "jobs", checker)
    settle_long_lived_objects()
    return Resources(settings, embedder, lexical, store, repository, checker, jobs, keys)


def seed_samples(repository: KnowledgeBaseRepository) -> list[str]:
    """Load the bundled sample knowledge bases the first time a store is seeded; returns their ids."""
    if repository.seeded:
        return []
    loaded = []
    for kb in sample_knowledge_bases():
        if not repository.exists(kb.id):
            repository.save(kb.id, kb.content)
            loaded.append(kb.id)
    repository.mark_seeded()  # after the samples: a start killed half-way seeds again next time
    logger.info("loaded sample knowledge bases: %s", ", ".join(loaded) or "none")
    return loaded
