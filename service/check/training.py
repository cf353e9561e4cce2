"""Fitting the decision on labelled products, and measuring it leave-one-product-out.

``collect`` runs every mechanism over each product's posts with nothing decided yet and keeps every
candidate's features; ``fit`` pools them into bags per post and key, makes one logistic model per family
and picks the thresholds that maximise F1 on the same data; ``leave_one_product_out`` fits on all products
but one and predicts that one, for each in turn: the figure a brand with a new product will see.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from knowledge_base.embedding import SentenceEmbedder
from service.check.decision import (
    DISTORTION_FAMILIES,
    FAMILIES,
    PROPOSE_ALL,
    DecisionModel,
    Features,
    bag_features,
    fit_logistic,
)
from service.check.evaluation import BATCH, product_checkers, product_folders, read_cases
from service.settings import CheckThresholds

Row = tuple[str, str, dict[str, float]]  # family, key (fact id, "kind:<kind>", message or topic id), features
_GRID = [round(0.1 + 0.02 * step, 2) for step in range(41)]  # candidate thresholds 0.10 .. 0.90
_HIGH_GRID = [0.92, 0.94, 0.96, 0.98, 1.01]  # 1.01: the kind is never reported
FOREIGN_PRODUCTS = 2
# What flagging clean posts costs, in distortion F1 per share of clean posts flagged: 0.5 gives up 0.005 of F1
# to flag 1 clean post in 100 fewer. Chosen by leave-one-product-out and the real-review count among 0.5 and
# 1.0 and a hard 5-10% cap (docs/evaluation.md).
CLEAN_COST = 0.5
# The prior variances (log-odds squared) of a knowledge base's offsets learned from its reviewers: per distortion
# kind, and per fact for the facts whose flags they reject (see ``feedback_offsets``). Small: twenty reviewed
# posts carry a few marks per kind and one or two per fact. The kind's chosen on the feedback curve among 0.01-0.5
# (docs/evaluation.md): from 0.2 up one post's flag near the threshold moves with a product's offset.
KIND_PRIOR_VARIANCE = 0.1
FACT_PRIOR_VARIANCE = 1.0


# Families a post about another product teaches: any rule, feature or prohibited claim it is matched with is a
# false alarm. Not absolute claims (a superlative is one whatever it is about), nor messages and topics
# (another product's "easy to clean" still says what a message says), nor figures: those are compared only
# with a figure of the same attribute, and another product's figures mostly taught the decision to distrust
# comparisons across languages, whose cosines are lower.
FOREIGN_FAMILIES = ("usage", "contradiction", "prohibited")


@dataclass
class LabelledPost:
    """One labelled post and the candidates the mechanisms propose for it. A foreign post is one of another
    product (``source``) checked against this product's knowledge base: none of its candidates is right."""

    product: str
    case: dict[str, Any]
    rows: list[Row]
    source: str = ""

    @property
    def foreign(self) -> bool:
        """Whether the post is about another product than the knowledge base it was checked against."""
        return bool(self.source) and self.source != self.product

    def gold(self, what: str) -> set[str]:
        """The labelled keys of ``what`` (distortion, message or topic)."""
        if what == "distortion":
            return {d["fact"] or f"kind:{d['kind']}" for d in self.case["distortions"]}
        return set(self.case["messages"] if what == "message" else self.case["avoid"])


def _what(family: str) -> str:
    return "distortion" if family in DISTORTION_FAMILIES else family


def collect(
    set_dir: Path,
    embedder: SentenceEmbedder,
    thresholds: CheckThresholds,
    progress: Callable[[int], object] | None = None,
    foreign: int = FOREIGN_PRODUCTS,
) -> list[LabelledPost]:
    """Every labelled post under ``set_dir`` with its candidates and their features; and the posts of the
    next ``foreign`` products (in folder order) checked against each product's knowledge base, as foreign
    posts (their candidates of ``FOREIGN_FAMILIES`` only): the generic, off-fact text real reviews are full of,
    which posts written about a product rarely show."""
    folders = product_folders(set_dir)
    cases_of = {folder.name: list(read_cases(folder)) for folder in folders}
    names = [folder.name for folder in folders]
    posts: list[LabelledPost] = []
    with product_checkers(set_dir, embedder, thresholds, PROPOSE_ALL) as products:
        for number, (folder, kb, checker, cases) in enumerate(products):
            sources = [folder.name, *(names[(number + k) % len(names)] for k in range(1, foreign + 1))]
            for source in dict.fromkeys(sources):
                own = source == folder.name
                batch_cases = cases if own else cases_of[source]
                for start in range(0, len(batch_cases), BATCH):
                    batch = batch_cases[start : start + BATCH]
                    found = checker.evidence(kb.id, [c["text"] for c in batch])
                    for case, rows in zip(batch, found, strict=True):
                        if own:
                            posts.append(LabelledPost(folder.name, case, rows))
                        else:
                            kept = [row for row in rows if row[0] in FOREIGN_FAMILIES]
                            unlabelled = {"id": case["id"], "distortions": [], "messages": [], "avoid": []}
                            posts.append(LabelledPost(folder.name, unlabelled, kept, source=source))
                    if progress and own:
                        progress(len(batch))
    return posts


def _bags(post: LabelledPost) -> dict[tuple[str, str], Features]:
    """The post's bag of evidence per (family, key)."""
    grouped: dict[tuple[str, str], list[Features]] = defaultdict(list)
    for family, key, features in post.rows:
        grouped[(family, key)].append(features)
    return {group: bag_features(rows) for group, rows in grouped.items()}


def _post_scores(model: DecisionModel, post: LabelledPost) -> dict[str, dict[str, tuple[float, str]]]:
    """Per what (distortion, message, topic): each key's confidence in the post and the family that gives it
    (for a fact, the most confident of the kinds proposed)."""
    best: dict[str, dict[str, tuple[float, str]]] = {"distortion": {}, "message": {}, "topic": {}}
    for (family, key), bag in _bags(post).items():
        confidence = model.probability(family, bag, key)
        current = best[_what(family)].get(key)
        if current is None or confidence > current[0]:
            best[_what(family)][key] = (confidence, family)
    return best


def _f1(tp: int, fp: int, fn: int) -> float:
    return 2 * tp / (2 * tp + fp + fn) if tp else 0.0


def _best_threshold(model: DecisionModel, posts: Sequence[LabelledPost], what: str) -> float:
    """The threshold maximising F1 of ``what`` (distortion, message or topic) over ``posts``, the lowest of
    equals. The distortion kinds share one: their probabilities are each calibrated, and one threshold over
    a few hundred labels is steadier than five over a few dozen each."""
    scored = [(_post_scores(model, post)[what], post.gold(what)) for post in posts if not post.foreign]
    best_t, best_f = 0.5, -1.0
    for threshold in _GRID:
        tp = fp = fn = 0
        for keys, gold in scored:
            got = {key for key, (confidence, _) in keys.items() if confidence >= threshold}
            tp, fp, fn = tp + len(got & gold), fp + len(got - gold), fn + len(gold - got)
        f = _f1(tp, fp, fn)
        if f > best_f + 1e-12:
            best_t, best_f = threshold, f
    return best_t


def _distortion_thresholds(
    model: DecisionModel, posts: Sequence[LabelledPost], start: float, clean_cost: float
) -> dict[str, float]:
    """One threshold per distortion kind: those that maximise distortion F1 on the labelled posts minus
    ``clean_cost`` times the share of clean posts flagged (the mean of two shares: the labelled posts without a
    distortion, and the foreign posts). Coordinate ascent from ``start`` for every kind, three rounds over the
    kinds in a fixed order, so the result is deterministic."""
    scored = [(_post_scores(model, post)["distortion"], post.gold("distortion"), post.foreign) for post in posts]

    def objective(thresholds: dict[str, float]) -> float:
        tp = fp = fn = clean = clean_flagged = foreign = foreign_flagged = 0
        for keys, gold, is_foreign in scored:
            got = {key for key, (confidence, family) in keys.items() if confidence >= thresholds[family]}
            if is_foreign:
                foreign, foreign_flagged = foreign + 1, foreign_flagged + bool(got)
                continue
            tp, fp, fn = tp + len(got & gold), fp + len(got - gold), fn + len(gold - got)
            if not gold:
                clean, clean_flagged = clean + 1, clean_flagged + bool(got)
        flagged = (clean_flagged / max(clean, 1) + foreign_flagged / max(foreign, 1)) / 2
        return _f1(tp, fp, fn) - clean_cost * flagged

    thresholds = dict.fromkeys(DISTORTION_FAMILIES, start)
    best = objective(thresholds)
    for _ in range(3):
        for family in DISTORTION_FAMILIES:
            for threshold in [*_GRID, *_HIGH_GRID]:
                trial = {**thresholds, family: threshold}
                value = objective(trial)
                if value > best + 1e-9:
                    thresholds, best = trial, value
    return thresholds


def fit(
    posts: Sequence[LabelledPost],
    version: str,
    trained_on: str = "",
    l2: float = 1.0,
    clean_cost: float = CLEAN_COST,
) -> DecisionModel:
    """One logistic model per family over the posts' bags of evidence (a bag is right when its key is among
    the post's labels), then the thresholds: for messages and topics those that maximise F1 on the same
    posts; for the distortion kinds those that maximise F1 less ``clean_cost`` times the share of clean posts
    flagged (see ``_distortion_thresholds``)."""
    rows: dict[str, list[Features]] = defaultdict(list)
    labels: dict[str, list[int]] = defaultdict(list)
    for post in posts:
        gold = {what: post.gold(what) for what in ("distortion", "message", "topic")}
        for (family, key), bag in sorted(_bags(post).items()):
            rows[family].append(bag)
            labels[family].append(int(key in gold[_what(family)]))
    models = {family: fit_logistic(rows[family], labels[family], l2) for family in FAMILIES if rows[family]}
    model = DecisionModel(models=models, thresholds={}, version=version, trained_on=trained_on)
    shared = {what: _best_threshold(model, posts, what) for what in ("distortion", "message", "topic")}
    per_kind = _distortion_thresholds(model, posts, shared["distortion"], clean_cost)
    thresholds = {family: per_kind.get(family, shared[_what(family)]) for family in models}
    return DecisionModel(models=models, thresholds=thresholds, version=version, trained_on=trained_on)


def fit_with_feedback(
    dev: Sequence[LabelledPost], feedback: Sequence[LabelledPost], version: str, trained_on: str = ""
) -> DecisionModel:
    """The decision of one knowledge base: the decision fitted on the dev products' posts, with the log-odds
    offsets its reviewed posts (the feedback export, collected against its own knowledge base) teach it
    (``with_feedback``), as ``feedback_curve`` measures it."""
    return with_feedback(fit(dev, version=version, trained_on=trained_on), feedback)


def feedback_offsets(
    shared: DecisionModel,
    feedback: Sequence[LabelledPost],
    kind_variance: float = KIND_PRIOR_VARIANCE,
    fact_variance: float = FACT_PRIOR_VARIANCE,
) -> tuple[dict[str, float], dict[str, float]]:
    """The log-odds offsets per distortion kind and per fact that reviewed posts teach ``shared``: for each, one
    Newton step from 0 on the reviewed bags of that kind (or fact) under a normal prior of that variance, that
    is sum(label - p) / (sum p(1 - p) + 1 / variance), so a handful of marks moves it a little and a kind the
    checker already gets right not at all. A fact's offset is kept only when it lowers the fact's confidence:
    a fact whose flags reviewers reject tends to draw the same wrong flags again, while a distortion they add
    or confirm is rarely worded alike in the next post about that fact (raising those cost F1 on the curve)."""
    kinds: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0])
    facts: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0])
    for post in feedback:
        gold = post.gold("distortion")
        for (family, key), bag in sorted(_bags(post).items()):
            if family not in DISTORTION_FAMILIES or family not in shared.models:
                continue
            p = shared.probability(family, bag)
            for sums in [kinds[family], *([] if key.startswith("kind:") else [facts[key]])]:
                sums[0] += (key in gold) - p
                sums[1] += p * (1 - p)
    kind_offsets = {kind: total / (spread + 1 / kind_variance) for kind, (total, spread) in sorted(kinds.items())}
    fact_offsets = {fact: total / (spread + 1 / fact_variance) for fact, (total, spread) in sorted(facts.items())}
    return (
        {kind: value for kind, value in kind_offsets.items() if value},
        {fact: value for fact, value in fact_offsets.items() if value < 0},
    )


def with_feedback(shared: DecisionModel, feedback: Sequence[LabelledPost]) -> DecisionModel:
    """``shared`` with the offsets ``feedback`` teaches it (``feedback_offsets``); its weights and thresholds
    are kept. Refitting the thresholds on the feedback instead moved a kind's cut on a few marks and lost up to
    0.10 of F1 on a product; refitting the weights lost up to 0.06 (docs/evaluation.md)."""
    if not feedback:
        return shared
    kinds, facts = feedback_offsets(shared, feedback)
    return DecisionModel(
        shared.models,
        shared.thresholds,
        version=shared.version,
        trained_on=shared.trained_on,
        kind_offsets=kinds,
        fact_offsets=facts,
    )


def predict(model: DecisionModel, post: LabelledPost) -> dict[str, Any]:
    """The post's prediction line in score.py's shape, as the checker with ``model`` reports it."""
    scores = _post_scores(model, post)
    distortions = [
        {"fact": None if key.startswith("kind:") else key, "kind": family}
        for key, (confidence, family) in sorted(scores["distortion"].items())
        if confidence >= model.threshold(family)
    ]
    return {
        "id": post.case["id"],
        "distortions": distortions,
        "messages": sorted(k for k, (c, _) in scores["message"].items() if c >= model.threshold("message")),
        "avoid": sorted(k for k, (c, _) in scores["topic"].items() if c >= model.threshold("topic")),
    }


def leave_one_product_out(posts: Sequence[LabelledPost], l2: float = 1.0) -> list[dict[str, Any]]:
    """Each product's predictions from a decision fitted on the other products only."""
    predictions: list[dict[str, Any]] = []
    for product in sorted({post.product for post in posts}):
        others = [post for post in posts if product not in (post.product, post.source)]
        model = fit(others, version=f"lopo-{product}", l2=l2)
        predictions.extend(predict(model, post) for post in posts if post.product == product and not post.foreign)
    return predictions


def write_jsonl(path: Path, lines: Iterable[dict[str, Any]]) -> None:
    """One JSON object a line."""
    with path.open("w", encoding="utf-8") as sink:
        for line in lines:
            sink.write(json.dumps(line, ensure_ascii=False) + "\n")


def coverage_report(set_dir: Path, predictions: Sequence[dict[str, Any]]) -> str:
    """Per product, the labelled and the predicted pull-through of each key message and the share of posts
    distorting each fact: the figures an analysis reports."""
    by_id = {line["id"]: line for line in predictions}
    lines = []
    for folder in product_folders(set_dir):
        cases = [json.loads(x) for x in (folder / "cases.jsonl").read_text(encoding="utf-8").splitlines() if x.strip()]
        kb = json.loads((folder / "kb.json").read_text(encoding="utf-8"))
        n = len(cases)
        parts = []
        worst = 0.0
        for message in kb.get("key_messages", []):
            gold = sum(message["id"] in case["messages"] for case in cases) / n
            got = sum(message["id"] in by_id.get(case["id"], {}).get("messages", []) for case in cases) / n
            worst = max(worst, abs(gold - got))
            parts.append(f"{message['id']} {100 * gold:.0f}/{100 * got:.0f}")
        facts = [item["id"] for item in [*kb.get("facts", []), *kb.get("prohibited_claims", [])]]
        distorted = []
        for fact in facts:
            gold = sum(any(d["fact"] == fact for d in case["distortions"]) for case in cases) / n
            got = sum(any(d["fact"] == fact for d in by_id.get(c["id"], {}).get("distortions", [])) for c in cases) / n
            if gold or got:
                distorted.append(f"{fact} {100 * gold:.0f}/{100 * got:.0f}")
        gap = f"worst gap {100 * worst:.0f} pts"
        lines.append(f"{folder.name:<16} pull-through % labelled/predicted ({gap}): {', '.join(parts)}")
        lines.append(f"{'':<16} posts distorting % labelled/predicted: {', '.join(distorted) or '-'}")
    return "\n".join(lines)


@dataclass(frozen=True)
class CurvePoint:
    """A product's distortion F1 on the posts a simulated reviewer has not reviewed, after ``reviewed``."""

    product: str
    reviewed: int
    scored_from: int  # the index of the first post scored
    tp: int
    fp: int
    fn: int

    @property
    def f1(self) -> float:
        """Distortion F1 of the scored posts."""
        return _f1(self.tp, self.fp, self.fn)


def _distortion_counts(model: DecisionModel, posts: Sequence[LabelledPost]) -> tuple[int, int, int]:
    tp = fp = fn = 0
    for post in posts:
        got = {d["fact"] or f"kind:{d['kind']}" for d in predict(model, post)["distortions"]}
        gold = post.gold("distortion")
        tp, fp, fn = tp + len(got & gold), fp + len(got - gold), fn + len(gold - got)
    return tp, fp, fn


def feedback_curve(
    posts: Sequence[LabelledPost], reviewed: Sequence[int] = (0, 10, 20, 40), scored_from: int = 20
) -> list[CurvePoint]:
    """Reviewers simulated with labelled products: for each product, the labels of its first ``n`` posts are
    its feedback, the decision is fitted on the other products and given the offsets that feedback teaches
    (``with_feedback``, what ``train --kb`` stores), and the product's posts
    from ``max(n, scored_from)`` on are scored; a product with no more posts than ``n`` has no point for it.
    Scoring the same posts (from ``scored_from``) for every ``n`` up to it shows what the feedback alone
    changed."""
    points: list[CurvePoint] = []
    for product in sorted({post.product for post in posts}):
        own = [post for post in posts if post.product == product and not post.foreign]
        others = [post for post in posts if product not in (post.product, post.source)]
        shared = fit(others, version=f"feedback-{product}")
        for n in reviewed:
            start = max(n, scored_from)
            if start >= len(own):
                continue
            model = with_feedback(shared, own[:n])
            points.append(CurvePoint(product, n, start, *_distortion_counts(model, own[start:])))
    return points
