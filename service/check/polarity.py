"""Negation, prohibition and restriction cues, and whether a clause asserts what it says, in Chinese and English.

``negated``: the clause denies something (不支持, 没有, cannot, never, no X at all).
``prohibitive``: it forbids or warns against something (请勿, 不可, 别, do not, must not, never + verb).
``restrictive``: it limits to a condition (只能, 仅限, only with, must use).
Idioms that look negative but are not denials ("没问题", "不错", "not bad", "no problem") are masked first.

Assertion scope: a claim that is asked about, or reported only to be denied, is not asserted.
``questioned``: the clause asks whether it holds ("能除螨吗", "is it true that…", "有人问能不能…").
``debunked``: the clause presents it as false or empty ("别信…", "myth: …", "号称…"), defers it to a
professional ("问问医生", "ask your vet"), or reports it (有人说, they say) in a sentence that then
denies it ("有人说能X，其实不能").
``hedged``: the writer is unsure (可能, 不一定, maybe, might); still asserted, but weakly.
The cue words are in ``lexicons/polarity.txt``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from service.check.lexicons import alternation, pattern

_LEXICON = "polarity.txt"


@dataclass(frozen=True)
class Polarity:
    """The polarity of a clause, whether it asserts what it says, and where its cues are (start, end, cue)."""

    negated: bool
    prohibitive: bool
    restrictive: bool
    cues: tuple[tuple[int, int, str], ...]
    questioned: bool = False
    debunked: bool = False
    hedged: bool = False
    reported: bool = False  # someone else says it (据说, they say); asserted unless debunked
    listing: bool = False  # it goes on with the things a previous clause denies having ("free of A, | B and C")

    @property
    def asserted(self) -> bool:
        """Whether the writer states the clause's claim (not asking about it, not debunking it)."""
        return not (self.questioned or self.debunked)


_IDIOMS = re.compile(alternation(_LEXICON, "idioms", "bounds"), re.IGNORECASE)
_LOOKALIKES = pattern(_LEXICON, "cue_lookalikes")
_PROHIBITIVE = pattern(_LEXICON, "prohibitive")
_NEGATION = pattern(_LEXICON, "negation")
# "costs an extra $40", "要另外掏钱买": a price on its own denies that the product comes with it.
_NOT_INCLUDED = re.compile(
    alternation(_LEXICON, "not_included") + r"|\bextra\s*[$£€¥]\s*\d|另外[^，,。！!？?]{0,4}?(?:买|買|购|購)",
    re.IGNORECASE,
)
_RESTRICTIVE = re.compile(
    alternation(_LEXICON, "restrictive") + r"|\bonly\b(?= [a-z]+ (?:the )?(?:included|supplied|original))",
    re.IGNORECASE,
)
# An imperative that starts the clause ("Never put...", "Don't use...", "别戴着...") forbids.
_CLAUSE_START_PROHIBITION = re.compile(
    r"^\s*(?:(?:please|but|and|so|also)\s+)?(?:never|do not|don't|dont|avoid|do n't)\b"
    r"|^\s*(?:但|但是|而且|也)?(?:别|不要|千万别|千万不要|唔好|千祈)",
    re.IGNORECASE,
)
_TRAILING = r"[\s\"'”’」』)）~～…。.!！?？,，;；:：\U0001F000-\U0001FAFF\u2600-\u27BF]*$"
_QUESTION_END = re.compile(r"[?？]" + _TRAILING.replace("?？", ""))
_QUESTION_PARTICLE = re.compile(r"(?:" + alternation(_LEXICON, "question_particles") + r")(?:\s|" + _TRAILING + ")")
_QUESTION_CUE = pattern(_LEXICON, "question_cues")
_QUESTION_REPORTING = pattern(_LEXICON, "question_reporting")
# What the product tells or finds out (看得出电量够不够, "tells you whether"): the whether-clause after it is indirect.
_EMBEDDING = re.compile(r"(?<![想不没沒])(?:" + alternation(_LEXICON, "embedding_verbs") + ")", re.IGNORECASE)
# An English question starts with an auxiliary and a subject ("Does it…", "Can you…", "Is the…").
_EN_QUESTION_START = re.compile(
    r"^\W*(?:do|does|did|is|are|was|can|could|will|would|should|has|have)\s+"
    r"(?:it|this|that|they|you|i|we|the|these|those|anyone|anybody)\b",
    re.IGNORECASE,
)
_CJK_CHAR = r"[\u4e00-\u9fff]"
# Wh-questions that ask for information; "Who needs X?" and "Why would you…?" are rhetorical.
_EN_WH_START = re.compile(r"^\W*(?:how|what|which|when|where|is there|are there|any ?one|anybody)\b", re.IGNORECASE)
_REPORTING = re.compile(
    alternation(_LEXICON, "reporting")
    # someone, somewhere, says: 有人在群里说, 網友說, 博主称
    + rf"|(?:{alternation(_LEXICON, 'reporters')})[^,，。!！?？]{{0,8}}?(?:说|說|讲|講|称|稱|吹|推荐说)",
    re.IGNORECASE,
)
# Deferring to a professional (去医院, 问问医生, ask your vet) disowns a health effect rather than claiming it.
_REFERRAL = re.compile(
    rf"(?:(?:{alternation(_LEXICON, 'advisory_zh')})[^,，。]{{0,3}}?(?:{alternation(_LEXICON, 'referral_verbs_zh')})"
    rf"|{alternation(_LEXICON, 'asking_verbs_zh')})[一下先问問]{{0,2}}(?:{alternation(_LEXICON, 'professionals_zh')})"
    rf"|\b(?:{alternation(_LEXICON, 'referral_verbs_en')})\s+(?:a|an|your|the|their)\s+"
    rf"(?:{alternation(_LEXICON, 'professionals_en')})",
    re.IGNORECASE,
)
_DISTANCING = pattern(_LEXICON, "distancing")
_DEBUNKING = pattern(_LEXICON, "debunking")
_DENIALS = pattern(_LEXICON, "denials")
_HEDGES = pattern(_LEXICON, "hedges")
# An answer that starts by saying no: "No.", "No,", "Nope", "不是的", "不能".
_ANSWER_NO = re.compile(
    r"^\W*(?:no|nope|nah)\b(?!\s+\w+\s+(?:is|are|can|will)\b)|^\W*(?:不是的|不是|不能|不行|没有|不会)[,，。!！]",
    re.IGNORECASE,
)


# An answer particle opening a clause ("No, the pump…", "Nope,", "不是的，") answers a question before it;
# it does not negate the clause.
_ANSWER_PARTICLE = re.compile(
    r"^\W*(?:@\S+\s+)?(?:no|nope|nah)\b\s*[,.!:;，。！—-]+|^\W*(?:不是的|不会的|不會的)[,，。!！]", re.IGNORECASE
)
# A-not-A asks (在不在乎, 能不能, 有没有); its 不/没 is no negation.
_A_NOT_A = re.compile(r"([\u4e00-\u9fff])[不没沒]\1")
# ...unless 都/也 follows it: "洗不洗都行" is "whether or not", a concession, not a question.
_CONCESSIVE = re.compile(r"[^，,。！!？?]{0,8}?[都也]")


def _mask(text: str) -> str:
    blank = lambda m: " " * len(m.group())  # noqa: E731
    return _A_NOT_A.sub(blank, _ANSWER_PARTICLE.sub(blank, _IDIOMS.sub(blank, text)))


def analyse_polarity(text: str, context: str | None = None) -> Polarity:
    """Negation, prohibition and restriction in one clause (double negation cancels out), and whether it
    asserts its claim; ``context`` is the sentence the clause belongs to (reporting and debunking cues
    in its other clauses widen or close the clause's scope)."""
    masked = _LOOKALIKES.sub(lambda m: " " * len(m.group()), _mask(text))
    cues: list[tuple[int, int, str]] = []
    prohibitive = False
    for match in _PROHIBITIVE.finditer(masked):
        cue = match.group().lower()
        # "never" and "cannot be" only forbid as a modal on a use ("must never be immersed", "never put");
        # "It never turns itself off" states a behaviour.
        if cue in ("never", "cannot be", "can't be") and not re.search(
            r"\b(?:must|should|please)\s+$|^\s*$", masked[: match.start()][-12:]
        ):
            continue
        if cue == "不能" and not _looks_like_rule(masked, match.start()):
            continue
        prohibitive = True
        cues.append((match.start(), match.end(), match.group()))
    if _CLAUSE_START_PROHIBITION.search(masked):
        prohibitive = True
    negations = [
        (m.start(), m.end(), m.group())
        for m in _NEGATION.finditer(masked)
        if not any(s <= m.start() < e for s, e, _ in cues)
    ]
    negations.extend(
        (m.start(), m.end(), m.group())
        for m in _NOT_INCLUDED.finditer(masked)
        if not any(s <= m.start() < e or m.start() <= s < m.end() for s, e, _ in (*cues, *negations))
    )
    cues.extend(negations)
    negated = _denies(masked, negations) or (prohibitive and not negations)
    restrictive = bool(_RESTRICTIVE.search(masked))
    scope = assertion_scope(text, context)
    return Polarity(
        negated=negated,
        prohibitive=prohibitive,
        restrictive=restrictive,
        cues=tuple(sorted(cues)),
        questioned=scope.questioned,
        debunked=scope.debunked,
        hedged=scope.hedged,
        reported=scope.reported,
    )


@dataclass(frozen=True)
class Scope:
    """Whether a clause is asked about, debunked, hedged or reported (see the module docstring)."""

    questioned: bool
    debunked: bool
    hedged: bool
    reported: bool


def assertion_scope(clause: str, sentence: str | None = None) -> Scope:
    """The assertion scope of ``clause`` within ``sentence`` (the clause alone when ``sentence`` is None)."""
    masked = _mask(clause)
    sentence = sentence if sentence is not None and clause in sentence else clause
    at = sentence.find(clause)
    before, after = sentence[:at], sentence[at + len(clause) :]
    reported = bool(_REPORTING.search(masked))
    # "有人问能不能X，…" / "asked if it X, …": the asking reaches the later clauses of its sentence.
    questioned = (
        is_question(clause)
        or bool(_QUESTION_REPORTING.search(clause))
        or bool(_QUESTION_REPORTING.search(before) and not re.search(r"[?？]", before))
    )
    referral = _REFERRAL.search(clause)
    # "no need to see a dentist" claims the product replaces one: only an undenied referral disowns.
    referral_denied = referral is not None and bool(_NEGATION.search(_mask(clause[: referral.start()])))
    debunked = bool(_DEBUNKING.search(masked) or _DISTANCING.search(masked) or (referral and not referral_denied))
    if not debunked and (reported or _REPORTING.search(before) or _DISTANCING.search(before)):
        # "有人说能X，其实不能" / "they say it X, but it doesn't": a later denial debunks the report.
        later = _mask(after)
        debunked = bool(
            _DEBUNKING.search(later)
            or _DENIALS.search(later)
            or _NEGATION.search(later)
            or _ANSWER_NO.search(later.lstrip(" ,，"))
        )
    hedged = bool(_HEDGES.search(masked))
    return Scope(questioned=questioned, debunked=debunked, hedged=hedged, reported=reported)


def is_question(text: str) -> bool:
    """Whether a clause asks: a question mark, a final question particle (吗), an A-not-A form (能不能, 是不是),
    a whether-question ("is it true that", "whether") that no verb of telling or finding out governs, or an
    English auxiliary-first question."""
    masked = _IDIOMS.sub(lambda m: " " * len(m.group()), text)
    # A question mark after an English statement is surprise, not a question ("The retail price is $149??").
    asks = _QUESTION_END.search(text) and (re.search(_CJK_CHAR, text) or _EN_WH_START.search(text))
    a_not_a = next((m for m in _A_NOT_A.finditer(masked) if not _CONCESSIVE.match(masked, m.end())), None)
    whether = [m.start() for m in (_QUESTION_CUE.search(masked), a_not_a) if m]
    embedded = bool(whether) and bool(_EMBEDDING.search(masked[: min(whether)]))
    return bool(
        asks
        or _QUESTION_PARTICLE.search(text)
        or (whether and not embedded)
        or (_EN_QUESTION_START.search(text) and not re.search(r"[.!。！]\s*$", text))
    )


_DENIAL_OF_HAVING = pattern(_LEXICON, "denials_of_having")
_CLAUSE_VERBS = pattern(_LEXICON, "clause_verbs")
_LIST_WORDS = 6


def listed_denied(text: str, polarity: Polarity) -> str | None:
    """What a clause denies having, when its first negation denies having things ("free of A and B", "不含A、B"):
    the text after that denial (the whole clause when it goes on with such a list, ``Polarity.listing``); None
    when it denies nothing of the kind ("neither the case nor the strap is waterproof" denies being waterproof)."""
    if polarity.listing:
        return text
    if not polarity.cues:
        return None
    start, end, _ = polarity.cues[0]
    denial = next((m for m in _DENIAL_OF_HAVING.finditer(text) if m.start() < end and m.end() > start), None)
    return text[denial.end() :] if denial else None


def continues_list(text: str) -> bool:
    """Whether a clause with no cue of its own can only go on with a list before it: a few words, no verb of
    a clause ("lanolin and mineral oil", not "the fly is green")."""
    words = re.findall(r"[A-Za-z]+|[\u4e00-\u9fff]{1,2}", text)
    return 0 < len(words) <= _LIST_WORDS and not _CLAUSE_VERBS.search(text)


def not_included(cue: str) -> bool:
    """Whether a negation cue says that something must be bought on its own ("sold separately", 另购)."""
    return bool(_NOT_INCLUDED.fullmatch(cue))


def denies_previous(text: str) -> bool:
    """Whether a sentence opens by answering no or by debunking ("No, it doesn't", "不是的", "Myth."), so that
    the question or report before it is denied."""
    opening = _mask(text)[:24]
    return bool(_ANSWER_NO.search(text) or _DEBUNKING.search(opening) or _DENIALS.search(opening))


def _denies(text: str, negations: list[tuple[int, int, str]]) -> bool:
    """Whether the negation cues deny something: a cue right after another negates it ("不是不能", "not without")
    and the two cancel out; cues apart each deny their own thing ("no lid and no strap", "不防水不防尘")."""
    chain = 0
    previous_end: int | None = None
    for start, end, _ in sorted(negations):
        # Only a cue right after another negates it: with any word between they are coordinated ("不吃不喝").
        if previous_end is not None and text[previous_end:start].strip():
            if chain % 2 == 1:
                return True
            chain = 0
        chain += 1
        previous_end = end
    return chain % 2 == 1


def _looks_like_rule(text: str, position: int) -> bool:
    """不能 forbids in a rule ("不能浸水", "，但不能..."), but denies ability elsewhere ("不能连三台设备").
    不可 always forbids."""
    before = text[:position]
    return position == 0 or bool(re.search(r"[,，;；:：]\s*(?:但|但是)?\s*$|但$|但是$|^\s*$|请$", before))


_OBLIGATION = pattern(_LEXICON, "obligation")
# Words built on an obligation character that oblige nothing (对应, 应用, 需求, 申请).
_OBLIGATION_LOOKALIKES = re.compile(r"[对對适適响響供反相回答呼][应應]|[应應]用|需求|所需|[请請]求|[邀申][请請]")
_IMPERATIVE_EN = re.compile(
    r"^\W*(?:(?:and|then|so|please|also|always)\s+)*(?:" + alternation(_LEXICON, "imperatives_en") + r")\b",
    re.IGNORECASE,
)
# An English instruction of another verb: a bare verb first, then its object ("Descale the kettle", "Tighten it").
# Not a determiner or pronoun first ("The kettle holds"), nor a verb in -s, -ed or -ing ("Charges the phone").
_INSTRUCTION_SHAPE = re.compile(
    r"^\W*(?:(?:and|then|so|please|also)\s+)*"
    r"(?!(?:the|a|an|it|this|that|these|those|its|their|our|your|my|each|every|all|any|some|no|only|not|both)\b)"
    r"[a-z]+(?<![^s]s)(?<!ed)(?<!ing)\s+(?:the|it|your|them|this|these|a|an|all|its|any|each)\b",
    re.IGNORECASE,
)
_OMISSION = pattern(_LEXICON, "omission")


def requires(text: str, instructions: bool = True) -> bool:
    """Whether a rule requires an action (须晾干, 请拧紧, "must be dried", "always lock"), or, with
    ``instructions``, whether it is an English instruction that starts with its verb ("Refill it weekly",
    "Descale the kettle"); whether it is negated is the caller's to check."""
    masked = _OBLIGATION_LOOKALIKES.sub(lambda m: " " * len(m.group()), text)
    if _OBLIGATION.search(masked):
        return True
    return instructions and bool(_IMPERATIVE_EN.search(text) or _INSTRUCTION_SHAPE.search(text))


def omits(text: str) -> bool:
    """Whether a clause reports or advises leaving an action out ("skip the rinse", "didn't bother to", 懒得晾)."""
    return bool(_OMISSION.search(_mask(text)))
