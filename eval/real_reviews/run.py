"""False alarms on real reviews: check sampled reviews against our knowledge bases and count the judged flags.

Each sub-folder here holds a kb.json written for one category of ../shared/data/reviews; 300 reviews of
that category are sampled with a fixed seed and checked with the shipped decision, the way
`brandcheck eval` checks a set. Every flag goes to an output JSONL outside git (it holds review text);
the verdicts read by hand are kept in judged.json by key only, so no review text enters the project.

    .venv/bin/python eval/real_reviews/run.py                     # check, write flags, print the table
    .venv/bin/python eval/real_reviews/run.py --unjudged          # ... and print every flag not yet judged
    .venv/bin/python eval/real_reviews/run.py --judge KEY=false   # record verdicts (no check is run)
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import re
import sys
import tempfile
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(ROOT))

SAMPLE = 300
SEED = 7
VERDICTS = ("right", "borderline", "false")
JUDGED = HERE / "judged.json"

# Which reviews each knowledge base is checked on: (file, field, test of the field's value).
Selector = tuple[str, str, Callable[[str], bool]]
KNOWLEDGE_BASES: dict[str, Selector] = {
    "phone-zh": ("reviews-zh.jsonl", "category", lambda value: value == "手机"),
    "tablet-zh": ("reviews-zh.jsonl", "category", lambda value: value == "平板"),
    "computer-zh": ("reviews-zh.jsonl", "category", lambda value: value == "计算机"),
    # The 7-inch Fire tablets and Kids Editions (not the Fire HD 8 / 10, the charger or the Fire TV).
    "fire-en": ("reviews-en.jsonl", "product", lambda value: re.search(r"\bFire\b.*\b7\b", value) is not None),
    "cellphone-en": ("reviews-en.jsonl", "product", lambda value: value.startswith("cell phone (UCI")),
}


def flag_key(kb: str, text: str, kind: str, fact_id: str | None) -> str:
    """The stable key of a flag: sha256 of knowledge base, review text, kind and fact id, first 16 hex."""
    return hashlib.sha256("\n".join((kb, text, kind, fact_id or "")).encode("utf-8")).hexdigest()[:16]


def sample_reviews(data: Path, kb: str) -> list[tuple[int, str]]:
    """The (line index, text) of the reviews ``kb`` is checked on: up to SAMPLE of its category, drawn with
    random.Random(SEED) from the file's order, in the order drawn."""
    file, field, wanted = KNOWLEDGE_BASES[kb]
    with (data / file).open(encoding="utf-8") as lines:
        rows = [json.loads(line) for line in lines if line.strip()]
    pool = [(index, row["text"]) for index, row in enumerate(rows) if wanted(row[field])]
    return random.Random(SEED).sample(pool, min(SAMPLE, len(pool)))


def check_all(data: Path, kbs: Sequence[str]) -> tuple[dict[str, int], list[dict[str, Any]]]:
    """Check each knowledge base's sample with the shipped decision; the review count per knowledge base and
    one record per flag (per review and fact, or kind for absolute claims, as `brandcheck eval` predicts)."""
    from service.check.evaluation import BATCH, distinct_distortions, product_checkers
    from service.resources import load_embedder
    from service.settings import Settings

    settings = Settings()
    counts: dict[str, int] = {}
    flags: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="brandcheck-reviews-") as tmp:
        for kb in kbs:
            folder = Path(tmp) / kb
            folder.mkdir()
            (folder / "kb.json").write_bytes((HERE / kb / "kb.json").read_bytes())
            with (folder / "cases.jsonl").open("w", encoding="utf-8") as sink:
                for index, text in sample_reviews(data, kb):
                    sink.write(json.dumps({"id": str(index), "text": text}, ensure_ascii=False) + "\n")
        with product_checkers(Path(tmp), load_embedder(settings), settings.check) as products:
            for folder, live, checker, cases in products:
                kb = folder.name
                counts[kb] = len(cases)
                for start in range(0, len(cases), BATCH):
                    batch = cases[start : start + BATCH]
                    results = checker.check_many(live.id, [case["text"] for case in batch])
                    for case, result in zip(batch, results, strict=True):
                        for distortion in distinct_distortions(result):
                            kind = distortion.kind.value
                            text = case["text"]
                            flags.append(
                                {
                                    "key": flag_key(kb, text, kind, distortion.fact_id),
                                    "kb": kb,
                                    "index": int(case["id"]),
                                    "review": hashlib.sha256(text.encode("utf-8")).hexdigest()[:12],
                                    "kind": kind,
                                    "fact": distortion.fact_id,
                                    "span": text[distortion.start : distortion.end],
                                    "fact_text": distortion.fact_text,
                                    "confidence": round(distortion.confidence, 3),
                                    "text": text,
                                }
                            )
    order = {kb: number for number, kb in enumerate(kbs)}
    return {kb: counts[kb] for kb in kbs}, sorted(flags, key=lambda flag: order[flag["kb"]])


def load_judged() -> dict[str, str]:
    """The verdicts recorded so far, by flag key."""
    return json.loads(JUDGED.read_text(encoding="utf-8")) if JUDGED.exists() else {}


def record_verdicts(assignments: Sequence[str]) -> int:
    """Record ``KEY=verdict`` assignments in judged.json; returns an exit code."""
    judged = load_judged()
    for assignment in assignments:
        key, _, verdict = assignment.partition("=")
        if not re.fullmatch(r"[0-9a-f]{16}", key) or verdict not in VERDICTS:
            print(f"not KEY=right|borderline|false: {assignment}", file=sys.stderr)
            return 2
        judged[key] = verdict
    JUDGED.write_text(json.dumps(dict(sorted(judged.items())), indent=1) + "\n", encoding="utf-8")
    print(f"recorded {len(assignments)} verdicts; {len(judged)} in {JUDGED.name}")
    return 0


def table(counts: dict[str, int], flags: list[dict[str, Any]], judged: dict[str, str]) -> str:
    """Per knowledge base and overall: reviews, share flagged, flags and their verdicts."""
    rows = [f"{'kb':<14}{'reviews':>8}{'flagged':>9}{'flags':>7}{'right':>7}{'border':>8}{'false':>7}{'unjudged':>10}"]
    for kb in [*counts, "all"]:
        mine = [flag for flag in flags if kb in ("all", flag["kb"])]
        reviews = sum(counts.values()) if kb == "all" else counts[kb]
        flagged = len({(flag["kb"], flag["index"]) for flag in mine})
        verdicts = Counter(judged.get(flag["key"], "unjudged") for flag in mine)
        rows.append(
            f"{kb:<14}{reviews:>8}{flagged / max(reviews, 1):>9.1%}{len(mine):>7}{verdicts['right']:>7}"
            f"{verdicts['borderline']:>8}{verdicts['false']:>7}{verdicts['unjudged']:>10}"
        )
    return "\n".join(rows)


def main(argv: Sequence[str] | None = None) -> int:
    """Check, write the flags and print the table (or, with --judge, only record verdicts)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data" / "reviews")
    parser.add_argument("--out", type=Path, default=ROOT / "eval-reviews.jsonl", help="every flag (JSONL)")
    parser.add_argument("--kb", nargs="+", choices=list(KNOWLEDGE_BASES), default=list(KNOWLEDGE_BASES))
    parser.add_argument("--unjudged", action="store_true", help="print every flag not yet in judged.json")
    parser.add_argument("--reuse", action="store_true", help="read the flags of the last run from --out")
    parser.add_argument("--judge", nargs="+", metavar="KEY=VERDICT", help="record verdicts and exit")
    args = parser.parse_args(argv)
    if args.judge:
        return record_verdicts(args.judge)
    if args.reuse:
        counts = {kb: len(sample_reviews(args.data, kb)) for kb in args.kb}
        with args.out.open(encoding="utf-8") as lines:
            flags = [flag for line in lines if line.strip() and (flag := json.loads(line))["kb"] in counts]
    else:
        counts, flags = check_all(args.data, args.kb)
        with args.out.open("w", encoding="utf-8") as sink:
            for flag in flags:
                sink.write(json.dumps(flag, ensure_ascii=False) + "\n")
    judged = load_judged()
    if args.unjudged:
        for flag in flags:
            if flag["key"] not in judged:
                where = f"{flag['kb']} #{flag['index']}  {flag['kind']} {flag['fact']}  {flag['confidence']}"
                print(f"\n{flag['key']}  {where}")
                print(f"  review: {flag['text']}")
                print(f"  span:   {flag['span']}")
                print(f"  fact:   {flag['fact_text']}")
        print()
    print(table(counts, flags, judged))
    print(f"flags written to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
