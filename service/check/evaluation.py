"""``brandcheck eval``: run the checker over labelled sets in the interchange format of shared/eval.

Each product folder (kb.json + cases.jsonl) is loaded into a fresh temporary embedded store; every
case is checked and one prediction line per case is written in the shape score.py reads.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Callable, Generator, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from knowledge_base.embedding import SentenceEmbedder
from knowledge_base.lexical import LexicalEncoder
from knowledge_base.loading import load_file
from knowledge_base.models import KnowledgeBase
from knowledge_base.repository import KnowledgeBaseRepository
from knowledge_base.store import EdgeStore
from service.check.checker import Checker
from service.check.decision import DecisionModel
from service.check.profile import claim_texts
from service.check.schemas import CheckResponse, Distortion
from service.settings import CheckThresholds

BATCH = 64


def product_folders(set_dir: Path) -> list[Path]:
    """The folder itself when it holds a kb.json, else its sub-folders that do."""
    if (set_dir / "kb.json").exists():
        return [set_dir]
    return sorted(path.parent for path in set_dir.glob("*/kb.json"))


class EvalSetError(ValueError):
    """A labelled set that cannot be read: the message names the file, the line and what is wrong."""


def read_cases(folder: Path) -> Iterator[dict[str, Any]]:
    """The labelled cases of one product folder (each a JSON object with a string ``id`` and ``text``)."""
    path = folder / "cases.jsonl"
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise EvalSetError(f"{path}: cannot be read ({exc})") from exc
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            case = json.loads(line)
        except json.JSONDecodeError as exc:
            raise EvalSetError(f"{path} line {number}: not JSON ({exc.msg})") from exc
        if not isinstance(case, dict):
            raise EvalSetError(f"{path} line {number}: not a JSON object")
        for name in ("id", "text"):
            if not isinstance(case.get(name), str):
                raise EvalSetError(f"{path} line {number}: field '{name}' must be a string")
        yield case


def distinct_distortions(result: CheckResponse) -> list[Distortion]:
    """The first distortion of each fact (or, for those without a fact, of each kind): what a prediction
    counts, one flag per fact however many clauses distort it."""
    first: dict[str, Distortion] = {}
    for distortion in result.distortions:
        first.setdefault(distortion.fact_id or f"kind:{distortion.kind.value}", distortion)
    return list(first.values())


def prediction(case_id: str, result: CheckResponse) -> dict[str, Any]:
    """One line of predictions in score.py's shape."""
    return {
        "id": case_id,
        "distortions": [
            {"fact": distortion.fact_id or None, "kind": distortion.kind.value}
            for distortion in distinct_distortions(result)
        ],
        "messages": [message.id for message in result.key_messages_carried],
        "avoid": [topic.id for topic in result.avoid_topics_touched],
    }


@contextmanager
def product_checkers(
    set_dir: Path, embedder: SentenceEmbedder, thresholds: CheckThresholds, decision: DecisionModel | None = None
) -> Iterator[Iterator[tuple[Path, KnowledgeBase, Checker, list[dict[str, Any]]]]]:
    """Each product folder under ``set_dir`` loaded into its own temporary embedded store, with a checker on
    it and its labelled cases; the stores are removed on exit."""
    folders = product_folders(set_dir)
    if not folders:
        raise EvalSetError(f"no kb.json under {set_dir}")
    with tempfile.TemporaryDirectory(prefix="brandcheck-eval-") as tmp:

        def each() -> Generator[tuple[Path, KnowledgeBase, Checker, list[dict[str, Any]]], None, None]:
            for number, folder in enumerate(folders):
                kb = load_file(folder / "kb.json", default_id=f"eval-{number}")
                store = EdgeStore(Path(tmp) / f"store-{number}")
                try:
                    repository = KnowledgeBaseRepository(store, embedder, LexicalEncoder(), claim_texts)
                    repository.open()
                    repository.save(kb.id, kb.content)
                    live = repository.get(kb.id)
                    checker = Checker(repository, embedder, thresholds, decision)
                    yield folder, live, checker, list(read_cases(folder))
                finally:
                    store.close()

        products = each()
        try:
            yield products
        finally:
            products.close()  # the open store is closed before its folder is removed, whatever went wrong


def run_eval(
    set_dir: Path,
    out: Path,
    embedder: SentenceEmbedder,
    thresholds: CheckThresholds,
    progress: Callable[[str, int], object] | None = None,
    decision: DecisionModel | None = None,
) -> int:
    """Check every case under ``set_dir`` with ``decision`` (default: the shipped one) and write predictions to
    ``out``; returns the case count."""
    written = 0
    with out.open("w", encoding="utf-8") as sink, product_checkers(set_dir, embedder, thresholds, decision) as products:
        for folder, kb, checker, cases in products:
            for start in range(0, len(cases), BATCH):
                batch = cases[start : start + BATCH]
                results = checker.check_many(kb.id, [case["text"] for case in batch])
                for case, result in zip(batch, results, strict=True):
                    sink.write(json.dumps(prediction(case["id"], result), ensure_ascii=False) + "\n")
                written += len(batch)
                if progress:
                    progress(folder.name, len(batch))
    return written
