"""Absolute and superlative claims a brand must not make.

The Chinese lexicon follows the terms China's Advertising Law (广告法 第九条) bans: 最 + adjective,
第一, 顶级, 国家级, 世界级, 极致, 全网最, 100%, 永不, 唯一, 首款 ...; the English one covers superlatives
and guarantees (best ever, number one, guaranteed, never fails, 100% safe ...). Not flagged: a figure
stated as a bound ("最高42分贝", "up to 85%"), ordinals ("第一天", "the first time"), a negated
superlative ("不是最便宜的", "not the best"), state of charge ("充到100%"), and personal-experience
superlatives ("the easiest cooking I've ever done", "我用过最舒服的"), which are opinions.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache


@dataclass(frozen=True)
class AbsoluteClaim:
    """An absolute term found in a text, with its offsets."""

    start: int
    end: int
    term: str
    lang: str


_ZH_TERMS = re.compile(
    r"全网最\w?|全球首[款个发创]?|全国首[款个发创]?|世界首[款个发创]?|首款|首个|首家|"
    r"(?:行业|销量|全网|全球|全国|世界|市场|市面上|国内)第一|第一(?:品牌|名|款|个|家|位|选择)|NO\.?\s?1|"
    r"顶级|国家级|世界级|宇宙级|极致|绝对|万能|百分之百|100%|百分百|永不|永远不|永久|无敌|唯一|独家|史上|"
    r"零风险|包治|根治|王牌|领袖|领导品牌|遥遥领先|最[\u4e00-\u9fff]{1,2}",
    re.IGNORECASE,
)
_EN_TERMS = re.compile(
    r"\b(?:the\s+)?best\b(?:\s+\w+){0,3}?\s+ever\b|\bbest[- ]ever\b|\bthe best\b|\bnumber one\b|\bno\.\s?1\b|#1\b|"
    r"\bworld'?s (?:first|best|only|most \w+)\b|\bguaranteed to (?:never|not) \w+|\bguarantee[sd]?\b|"
    r"\bnever (?:fails?|breaks?|wears? out|dies)\b|"
    r"\bwill never (?:fail|break|wear out|die)\b|\b100%\s+(?:safe|effective|guaranteed|natural|risk[- ]free)\b|"
    r"\bultimate\b|\bunbeatable\b|\brisk[- ]free\b|\bmiracle\b|\bcures?\b|\bperfect in every way\b|"
    r"\bunrivall?ed\b|\bunmatched\b|\bbest[- ]in[- ]class\b|\bthe only\b(?= \w+ (?:that|which|with))",
    re.IGNORECASE,
)
# 最 followed by a spec bound and a figure: "最高42分贝", "最长续航8小时", "最多连接两台".
_BOUND_AFTER_ZUI = re.compile(
    r"^最(?:高|大|长|多|低|小|少|快|远|久)[\u4e00-\u9fff]{0,4}?[\d零一二两三四五六七八九十百千万半]"
)
_ORDINAL_AFTER_DIYI = re.compile(r"^第一(?:天|次|周|个?月|年|遍|眼|口|时间|步|代|感觉|印象|批)")
_NEGATED_BEFORE = re.compile(
    r"(?:不是|并非|算不上|称不上|不算|not|isn't|is not|never the|hardly)\s*(?:the\s+)?$", re.IGNORECASE
)
_PERSONAL = re.compile(
    r"\bI(?:'ve| have)? ever\b|\bI've (?:had|used|owned|made|bought|tried|done)\b|\bI have (?:had|used|owned)\b|"
    r"\bin my (?:life|kitchen|house|experience)\b|\bmy (?:favou?rite|best)\b|\bfor me\b|"
    r"我(?:用过|买过|见过|吃过|试过|心中|心里|觉得)|对我来说|个人觉得",
    re.IGNORECASE,
)
_STATE_OF_CHARGE = re.compile(
    r"(?:充到|充满|电量|充电到|剩)\s*100%|100%\s*(?:电量|charged|battery)|(?:at|to)\s+100%", re.IGNORECASE
)


def find_absolute_claims(
    text: str, extra_terms: Sequence[str] = (), exceptions: Sequence[str] = ()
) -> list[AbsoluteClaim]:
    """Absolute claims in ``text``; ``extra_terms`` add brand-specific terms, ``exceptions`` exempt terms."""
    return list(_find_cached(text, tuple(extra_terms), tuple(exceptions)))


@lru_cache(maxsize=65536)
def _find_cached(text: str, extra_terms: tuple[str, ...], exceptions: tuple[str, ...]) -> tuple[AbsoluteClaim, ...]:
    exempt = [term.lower() for term in exceptions if term.strip()]
    found: list[AbsoluteClaim] = []
    personal = bool(_PERSONAL.search(text))
    for lang, pattern in (("zh", _ZH_TERMS), ("en", _EN_TERMS)):
        for match in pattern.finditer(text):
            if _excused(text, match.start(), match.end(), personal):
                continue
            found.append(AbsoluteClaim(match.start(), match.end(), match.group(), lang))
    lowered = text.lower()
    for term in extra_terms:
        needle = term.strip().lower()
        if not needle:
            continue
        for match in re.finditer(re.escape(needle), lowered):
            found.append(AbsoluteClaim(match.start(), match.end(), text[match.start() : match.end()], "custom"))
    kept = [claim for claim in found if not any(e in claim.term.lower() or claim.term.lower() in e for e in exempt)]
    kept.sort(key=lambda claim: (claim.start, -claim.end))
    result: list[AbsoluteClaim] = []
    for claim in kept:  # drop matches inside an earlier, longer one
        if result and claim.start < result[-1].end:
            continue
        result.append(claim)
    return tuple(result)


def _excused(text: str, start: int, end: int, personal: bool) -> bool:
    term = text[start:end]
    rest = text[start:]
    if term.startswith("最") and _BOUND_AFTER_ZUI.match(rest):
        return True
    if term.startswith("第一") and _ORDINAL_AFTER_DIYI.match(rest):
        return True
    if "100%" in term and _STATE_OF_CHARGE.search(text[max(0, start - 4) : end + 10]):
        return True
    if _NEGATED_BEFORE.search(text[max(0, start - 12) : start]):
        return True
    # A superlative about one's own experience is an opinion, not a product claim.
    return personal and (term.startswith("最") or "best" in term.lower() or "ever" in term.lower())


# Neutral wording for a corrected sentence: "全网最强" → "很强", "the best X ever" → "a great X".
_NEUTRAL_ZH: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"^(?:全网|全球|全国|世界|史上|宇宙)?最"), "很"),
    (re.compile(r"^(?:行业|销量|全网|全球|全国|世界|市场|市面上|国内)第一(?=[款个家位])?$"), "一"),
    (re.compile(r"^第一(?=[款个家位名])"), "一"),
    (re.compile(r"^(?:顶级|世界级|宇宙级|王牌)$"), "优质"),
    (re.compile(r"^(?:极致|无敌)$"), "出色"),
    (re.compile(r"^(?:永不|永远不)$"), "不易"),
    (re.compile(r"^永久$"), "长期"),
    (re.compile(r"^绝对$"), "很"),
    (re.compile(r"^零风险$"), "低风险"),
]
_NEUTRAL_EN: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"^(?:the\s+)?best\s+((?:\w+\s+){0,3}?)ever$", re.I), r"a great \1"),
    (re.compile(r"^(?:the best|best[- ]ever|best[- ]in[- ]class)$", re.I), "a great"),
    (re.compile(r"^(?:number one|no\.\s?1|#1)$", re.I), "a popular"),
    (re.compile(r"^guaranteed to (?:never|not) \w+$", re.I), "built to last"),
    (re.compile(r"^world'?s first$", re.I), "a new"),
    (
        re.compile(r"^(?:will )?never (?:fails?|breaks?|fail|break|wears? out|wear out|dies|die)$", re.I),
        "is built to last",
    ),
    (re.compile(r"^100%\s+(\w+)", re.I), r"\1"),
    (re.compile(r"^(?:ultimate|unbeatable|unrivall?ed|unmatched)$", re.I), "excellent"),
    (re.compile(r"^risk[- ]free$", re.I), "low-risk"),
]


def reword(sentence: str, claims: Sequence[AbsoluteClaim]) -> str:
    """``sentence`` with each absolute term replaced by neutral wording, tidied."""
    out = sentence
    for claim in sorted(claims, key=lambda c: -c.start):
        out = out[: claim.start] + neutral_wording(claim.term) + out[claim.end :]
    out = re.sub(r"\b(?:the|a|an) (a|an) ", r"\1 ", out, flags=re.IGNORECASE)
    out = re.sub(r"\s{2,}", " ", out)
    out = re.sub(r"\s+([,.!?;:])", r"\1", out)
    out = re.sub(r"([,;:])\s*([.!?])", r"\2", out).strip(" ,;")
    return out[:1].upper() + out[1:] if out[:1].isascii() and sentence[:1].isupper() else out


def neutral_wording(term: str) -> str:
    """A replacement for an absolute term that keeps the sentence readable (empty: drop the term)."""
    table = _NEUTRAL_EN if term.isascii() else _NEUTRAL_ZH
    for pattern, replacement in table:
        if pattern.search(term):
            return pattern.sub(replacement, term, count=1).strip()
    return ""
