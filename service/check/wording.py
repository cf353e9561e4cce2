"""The text readings the check repeats, memoised for one checker, and the wording comparisons built on them.

Posts repeat sentences and clauses, and every clause is compared with many claims, so the same texts are
split into clauses and read for figures, polarity, content terms and absolute terms again and again. The
functions stay plain in their modules (``segmentation``, ``quantities``, ``polarity``, ``terms``,
``absolute``); a :class:`Wording` belongs to one checker and keeps their results for it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from functools import lru_cache

from service.check.absolute import AbsoluteClaim, absolute_claims
from service.check.lexicons import entries
from service.check.polarity import Polarity, analyse_polarity, listed_denied, not_included
from service.check.profile import KnowledgeBaseProfile, blank_names, strip_names
from service.check.quantities import Quantity, extract_quantities
from service.check.segmentation import Span, split_clauses
from service.check.terms import content_terms, terms_overlap, weighted_overlap

Names = re.Pattern[str] | None

MEMO_SIZE = 65536
_SINGLE_CJK = re.compile(r"[\u4e00-\u9fff]")
# What separates the things a negation lists ("no A, B or C", "不含A、B和C"): each is denied on its own.
_LIST_SEPARATOR = re.compile(r"[、,，/]|\b(?:and|or|nor)\b|以及|或者|和|与|與|及|或", re.IGNORECASE)
# A token with a digit names one thing ("3G", "5GHz", "M.2"): a listed "3G网络" is not "网络".
_NAME_TOKEN = re.compile(r"[a-z]*\d[a-z\d.]*")


def sentence_clauses(sentence: str) -> tuple[Span, ...]:
    """The clauses of a sentence, with offsets from its start (the whole sentence when it splits into none)."""
    return tuple(split_clauses(Span(0, len(sentence), sentence)) or [Span(0, len(sentence), sentence)])


def _quantities(text: str) -> tuple[Quantity, ...]:
    return tuple(extract_quantities(text))


def _absolute_claims(text: str, extra_terms: tuple[str, ...], exceptions: tuple[str, ...]) -> tuple[AbsoluteClaim, ...]:
    return tuple(absolute_claims(text, extra_terms, exceptions))


class Wording:
    """One checker's memos of the text functions its pipeline calls, and the comparisons built on them.

    Each memo keeps the ``size`` most recently used results; every function memoised is pure, so a memo
    changes how often a text is read, never what is read from it."""

    def __init__(self, size: int = MEMO_SIZE) -> None:
        self.clauses: Callable[[str], tuple[Span, ...]] = lru_cache(maxsize=size)(sentence_clauses)
        self.blank_names: Callable[[Names, str], str] = lru_cache(maxsize=size)(blank_names)
        self.quantities: Callable[[str], tuple[Quantity, ...]] = lru_cache(maxsize=size)(_quantities)
        self.polarity: Callable[[str, str | None], Polarity] = lru_cache(maxsize=size)(analyse_polarity)
        self.terms: Callable[[str], frozenset[str]] = lru_cache(maxsize=size)(content_terms)
        self._absolute_claims: Callable[[str, tuple[str, ...], tuple[str, ...]], tuple[AbsoluteClaim, ...]] = lru_cache(
            maxsize=size
        )(_absolute_claims)
        blank, quantities = self.blank_names, self.quantities

        def plain_text(names: Names, text: str) -> str:
            chars = list(blank(names, text))
            for quantity in quantities("".join(chars)):
                end = quantity.end
                if quantity.kind == "count" and quantity.counted and quantity.counted in quantity.text.lower():
                    end = quantity.start + quantity.text.lower().rfind(quantity.counted)
                chars[quantity.start : end] = [" "] * (end - quantity.start)
            return "".join(chars)

        self._plain: Callable[[Names, str], str] = lru_cache(maxsize=size)(plain_text)
        self._having = frozenset().union(
            *(content_terms(word) for word in entries("polarity.txt", "predicates_of_having"))
        )
        self._generic = frozenset().union(*(content_terms(word) for word in entries("polarity.txt", "generic_words")))

    def plain(self, profile: KnowledgeBaseProfile, text: str) -> str:
        """``text`` without brand/model names and figures (a count keeps its noun): what remains says what is
        being talked about."""
        return self._plain(profile.names, text)

    def figures(self, profile: KnowledgeBaseProfile, text: str) -> tuple[Quantity, ...]:
        """The figures of ``text`` with brand and model names blanked ("AirFry 5" is no count), offsets kept."""
        return self.quantities(self.blank_names(profile.names, text))

    def absolute_claims(
        self, text: str, extra_terms: Sequence[str], exceptions: Sequence[str]
    ) -> tuple[AbsoluteClaim, ...]:
        """The absolute claims ``text`` makes (see :func:`service.check.absolute.absolute_claims`)."""
        return self._absolute_claims(text, tuple(extra_terms), tuple(exceptions))

    def shares_term(self, a: str, b: str) -> bool:
        """Whether two texts share a content term."""
        return bool(self.terms(a) & self.terms(b))

    def overlap(self, a: str, b: str) -> float:
        """Share of ``a``'s content terms that also occur in ``b`` (0 when ``a`` has none)."""
        return terms_overlap(self.terms(a), self.terms(b))

    def terms_without_cues(self, profile: KnowledgeBaseProfile, text: str, polarity: Polarity) -> frozenset[str]:
        """The content terms of ``text`` without its negation cues and names."""
        return self.terms(strip_names(profile.names, _without_cues(text, polarity)))

    def scope_terms(self, profile: KnowledgeBaseProfile, text: str, polarity: Polarity) -> frozenset[str]:
        """The content terms after the first negation cue of ``text`` (all of them when it has none)."""
        start = polarity.cues[0][1] if polarity.cues else 0
        return self.terms(strip_names(profile.names, " " * start + text[start:]))

    def listed_denials(
        self, profile: KnowledgeBaseProfile, text: str, polarity: Polarity
    ) -> tuple[tuple[frozenset[str], frozenset[str]], ...]:
        """Each thing ``text`` denies having, where it lists several ("free of A and B", "不含A、B、C"), as its
        content terms and its tokens with a digit ("3G" of "3G网络"): each is denied on its own
        (``polarity.listed_denied``). The product's own words are no thing listed."""
        denied = listed_denied(text, polarity)
        if denied is None:
            return ()
        pieces = _LIST_SEPARATOR.split(strip_names(profile.names, denied))
        if len(pieces) < 2 and not polarity.listing:
            return ()
        items = ((self.terms(piece) - profile.product_terms, piece) for piece in pieces)
        return tuple((terms, frozenset(_NAME_TOKEN.findall(piece.lower()))) for terms, piece in items if terms)

    def scope_covered(
        self,
        profile: KnowledgeBaseProfile,
        clause: str,
        clause_polarity: Polarity,
        claim: str,
        of_claim: Polarity,
        subject: str = "",
    ) -> float:
        """How much of what the denying side's negation governs the other side speaks of ("has no built-in hub":
        the hub), words weighed by how distinctive they are in the knowledge base (0 when neither side denies).
        Where the claim denies having a list of things ("free of A and B"), all of any one of them (A, or B) is as
        good: each is denied; a thing named with a digit ("3G网络") only with that token. Not a post's list: one
        runs on past what its denial denies ("无坏点、接口丰富"). ``subject``: what the claim's leading pronoun
        stands for ("the travel case" of "…; it does not charge the brush"), part of what it denies."""
        if of_claim.negated:
            other = self.terms_without_cues(profile, clause, clause_polarity)
            scope = self.scope_terms(profile, claim, of_claim) | (self.terms(subject) - profile.product_terms)
            covered = weighted_overlap(scope, other, profile.term_weight)
            listed = self.listed_denials(profile, claim, of_claim)
            if not listed:
                return covered
            tokens = frozenset(_NAME_TOKEN.findall(clause.lower()))
            return max(
                [
                    covered,
                    *(
                        weighted_overlap(terms, other, profile.term_weight)
                        for terms, named in listed
                        if named <= tokens
                    ),
                ]
            )
        if clause_polarity.negated:
            denied = self.scope_terms(profile, clause, clause_polarity)
            other = self.terms_without_cues(profile, claim, of_claim)
            return weighted_overlap(denied, other, profile.term_weight)
        return 0.0

    def speaks_of_denied(
        self, profile: KnowledgeBaseProfile, clause: str, clause_polarity: Polarity, claim: str, of_claim: Polarity
    ) -> bool:
        """Whether the other side names something of what the denying side's negation governs ("has no built-in
        hub" and "the hub pairs fast" do; "the strap is soft" and "the strap is not waterproof" do not: sharing
        the subject alone is no contradiction). What must be bought on its own is named before its cue ("the
        cover costs extra"), and so is what a negated predicate of having denies ("X is not supported"). Units
        are no shared subject (没到12小时 against 约8小时), nor are words any clause uses ("works", "fast"), and a
        single Chinese character is too loose a match (卡 is a card and a lag)."""
        if of_claim.negated:
            denying, denied_polarity, other, other_polarity = claim, of_claim, clause, clause_polarity
        elif clause_polarity.negated:
            denying, denied_polarity, other, other_polarity = clause, clause_polarity, claim, of_claim
        else:
            return False
        denied = self.scope_terms(profile, denying, denied_polarity)
        if denied <= self._having or any(not_included(cue) for _, _, cue in denied_polarity.cues):
            denied = self.terms_without_cues(profile, denying, denied_polarity)
        shared = (denied & self.terms_without_cues(profile, other, other_polarity)) - self._unit_terms(profile, denying)
        shared -= self._generic
        return any(not _SINGLE_CJK.fullmatch(term) for term in shared - self._unit_terms(profile, other))

    def _unit_terms(self, profile: KnowledgeBaseProfile, text: str) -> frozenset[str]:
        """The terms of the figures' units in ``text`` ("12小时": 小时), not of a "no X at all" nor of the thing a
        count counts ("一把清洁刷": the brush is what the text speaks of, not a unit)."""
        return frozenset().union(
            *(
                self.terms(figure.text) - self.terms(figure.counted or "")
                for figure in self.figures(profile, text)
                if figure.kind != "zero"
            )
        )

    def coverage(self, profile: KnowledgeBaseProfile, text: str, polarity: Polarity, other: str) -> float:
        """Share of ``text``'s content terms, without its negation cues and names, that occur in ``other``."""
        return self.overlap(
            strip_names(profile.names, _without_cues(text, polarity)), strip_names(profile.names, other)
        )

    def weighted_coverage(self, profile: KnowledgeBaseProfile, text: str, polarity: Polarity, other: str) -> float:
        """:meth:`coverage` with each term weighed by how distinctive it is in the knowledge base: sharing only
        the product's own noun ("the stroller", "床垫") covers little, a word of the product's name nothing."""
        terms = self.terms_without_cues(profile, text, polarity) - profile.product_terms
        return weighted_overlap(terms, self.terms(strip_names(profile.names, other)), profile.term_weight)


def _without_cues(text: str, polarity: Polarity) -> str:
    """``text`` with its negation cues blanked (offsets kept)."""
    chars = list(text)
    for start, end, _ in polarity.cues:
        chars[start:end] = [" "] * (end - start)
    return "".join(chars)
