"""Absolute and superlative claims a brand must not make.

An absolute claim is one asserted about the product or brand: a term China's Advertising Law
(广告法 第九条) bans (最 + adjective, 第一, 顶级, 国家级, 100%, 永不, 唯一, 首款 ...) or its English
counterpart (the best X ever, number one, guaranteed, never fails, the lightest X in the world ...).
The terms are in ``lexicons/absolute.txt``; the grammar here decides what a candidate is about:

- a spec bound is not a claim: 最高42分贝, 最多连接两台 (and "up to", "at most", which are not
  superlatives at all);
- the writer's firsts, feelings and rankings are not: 第一次, 我最喜欢, 最大的感受是, 最贵的部分,
  "my best purchase", "the best part is", "the easiest thing I've ever done", 唯一的缺点, "the only downside";
- a negated or hedged superlative is not: 不是最便宜的, 谈不上最好, "not the best", "one of the best";
- a superlative about a seller, a delivery, a service or another product is not: 快递最慢, 客服最差,
  "the worst seller", 以前那台是最吵的;
- nor is a superlative the clause asks about or debunks (see ``polarity.assertion_scope``), a state of
  charge (充到100%), a policy ("money-back guarantee") or advice ("for best results").

:func:`analyse_superlatives` returns every candidate with the reason it is or is not a claim, for the
checker to use as features; :func:`absolute_claims` returns the claims.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from service.check.lexicons import alternation, pattern
from service.check.polarity import analyse_polarity
from service.check.segmentation import Span, split_clauses

_LEXICON = "absolute.txt"


@dataclass(frozen=True)
class AbsoluteClaim:
    """An absolute term found in a text, with its offsets and the words that make it a claim."""

    start: int
    end: int
    term: str
    lang: str
    evidence: str = ""


@dataclass(frozen=True)
class Superlative:
    """A candidate absolute term and whether it is claimed about the product.

    ``reason`` is ``"absolute"`` for a claim, else why not: ``bound``, ``ordinal``, ``feeling``,
    ``aspect``, ``personal``, ``downside``, ``setting``, ``position``, ``version``, ``negated``, ``hedged``,
    ``intensifier``,
    ``other_target``, ``other_product``, ``questioned``, ``debunked``, ``state_of_charge``, ``policy``, ``advice``,
    ``rule``, ``exempt``.
    ``evidence`` is the text that decided it."""

    start: int
    end: int
    term: str
    lang: str
    reason: str
    evidence: str

    @property
    def claimed(self) -> bool:
        """Whether the term makes an absolute claim about the product or brand."""
        return self.reason == "absolute"


def _alt(*sections: str) -> str:
    return alternation(_LEXICON, *sections)


_CJK = r"[\u4e00-\u9fff]"
_ZH_SCOPES = _alt("zh_scopes")
_ZH_CANDIDATES = re.compile(
    rf"(?:{_ZH_SCOPES})最{_CJK}{{1,2}}|最{_CJK}{{1,2}}"
    rf"|(?:{_ZH_SCOPES})第一|排名?第一|第一(?:个|位)?(?:{_alt('zh_first_heads')})"
    rf"|{_alt('zh_terms')}"
    r"|没有(?:比|哪个|哪款|哪一款|任何)[^,，。!！?？]{0,8}?(?:更|比得上|比得过)",
    re.IGNORECASE,
)
_ZH_NOT_SUPERLATIVE = re.compile(rf"^(?:{_alt('zh_not_superlative')})")
# (no 的 between: 最高的一款 ranks products, 最高可达2000瓦 bounds a figure)
_ZH_BOUND = re.compile(rf"^最(?:{_alt('zh_bound_adjectives')})[^\W\d的]{{0,6}}?[\d零一二两三四五六七八九十百千万半]")
_ZH_ORDINAL = re.compile(rf"^第一个?(?:{_alt('zh_ordinal_heads')})|^第一\s*[,，、:：.]")
# 最 + a feeling, also through a modal or a causative: 最喜欢, 最能打动, 最让人放心.
_ZH_FEELING = re.compile(rf"^最(?:能|会|會|值得)?(?:让人|讓人|让我|讓我|令人|叫人)?(?:{_alt('zh_feelings')})")
# 最 + a drawback, or an extreme of a setting, or the latest software release: no claim about the product.
_ZH_DOWNSIDE_SUPERLATIVE = re.compile(rf"^最(?:{_alt('zh_downside_adjectives')})")
_ZH_SETTING_LEVEL = re.compile(
    rf"^最(?:高|低|大|小|亮|暗|强|強|弱)的?(?:{_alt('zh_setting_nouns')})"
    r"|^最[\u4e00-\u9fff]{1,2}?的?(?:情况下|情況下|时候|時候|时|時)"
)
_ZH_LATEST_VERSION = re.compile(rf"^最新的?(?:{_alt('zh_version_heads')})")
# 唯一 + a negative ("唯一一点不喜欢", "唯一有个小问题是不够亮") is the writer's only complaint.
_ZH_ONLY_NEGATIVE = re.compile(r"^唯一(?:的|一个|一個|一点|一點|有)?[^，。,.!！]{0,6}?(?:不|没|沒)")
# 最 + a position: the top shelf, the bottom row (最上层, 最底部, 最右边) is where, not how good.
_ZH_POSITION = re.compile(r"^最[上下左右前后後里裡外底顶頂][面边邊层層端侧側部头頭排格下]")
# 第一 counted against a 第二 later in the text is an enumeration (the first one sent, the second one).
_ZH_LATER_ORDINAL = re.compile(r"第[二三四五2-5]")
_ZH_DISCOURSE = re.compile(rf"^最能?(?:{_alt('zh_discourse')})")
_ZH_ASPECT = re.compile(rf"^最{_CJK}{{1,3}}?的(?:{_alt('zh_aspect_heads')})|^最{_CJK}{{1,3}}?的?(?:是|：|:)")
# The same without 的 (最大亮点), tried after the downsides (最大败笔 is one).
_ZH_BARE_ASPECT = re.compile(rf"^最{_CJK}{{1,2}}?(?:{_alt('zh_aspect_heads')})")
_ZH_DOWNSIDE = re.compile(
    rf"^唯一[的要想让我觉得]{{0,3}}(?:{_alt('zh_downsides')})"
    r"|^唯一(?:要|想|需要|得|让我|让人|讓我|讓人|觉得|覺得)"  # 唯一 + a modal: the writer's only X, not the product's
)
_ZH_METHODS = pattern(_LEXICON, "zh_methods")
# "没有哪个X能…", "没有任何X…": a negated universal scopes over the whole clause.
_ZH_NEGATED_UNIVERSAL = re.compile(r"(?:没有|沒有)(?:哪个|哪個|哪款|哪一款|任何)|谁也不|誰也不")
# 最好/最佳 closing a clause after a figure or a condition recommends it (水温六十度左右最好).
_ZH_RECOMMENDED = re.compile(r"^最(?:好|佳|合适|合適)\s*(?:[,，。.!！;；~～]|$)")
_ZH_NEGATORS = pattern(_LEXICON, "zh_negators")
_ZH_HEDGES = pattern(_LEXICON, "zh_hedges")
_ZH_OTHER_TARGETS = pattern(_LEXICON, "zh_other_targets")
_ZH_PRICE_WORDS = pattern(_LEXICON, "zh_price_words")
_ZH_PRICE_SUPERLATIVE = re.compile(rf"^最(?:{_alt('zh_price_superlatives')})")
_ZH_OTHER_PRODUCTS = pattern(_LEXICON, "zh_other_products")
_ZH_PERSONAL = pattern(_LEXICON, "zh_personal")
_ZH_SETTING = re.compile(rf"(?:{_alt('zh_setting_verbs')})\s*$")
_ZH_EMPHATIC_RULE = re.compile(r"^绝对(?:不能|不要|不可|不行|别|禁止|不建议|不推荐|要|得)")
# 绝对 before a degree adverb or a comparison intensifies an opinion ("absolutely very nice", "definitely
# better than"): no absolute claim unless a superlative follows, which is then a candidate of its own.
_ZH_INTENSIFIER = re.compile(
    r"^绝对(?:是|算|称得上|稱得上)?(?:很|非常|十分|相当|相當|挺|蛮|蠻|太|超级|超級|比|不如|不比|胜过|勝過|够|夠|值得|能够|能夠|可以|给|給)"
)
# 第一 + a unit counts the writer's units (the first one I got, my first tablet) unless a scope ranks it
# (全国第一台) or a relative clause says what it was first to do (第一台支持…的).
_ZH_FIRST_UNIT = re.compile(r"^第一(?:台|个|個|支|部)(?![^,，。.!！?？;；]{0,14}的)")

_EN_ADJECTIVE = r"(?:best|worst|\w{3,}est|most\s+\w+)"
_EN_SCOPES = _alt("en_scopes")
_EN_CANDIDATES = re.compile(
    rf"\b(?:the\s+|its\s+|it's\s+)?{_EN_ADJECTIVE}\b(?:[\s-]+[\w'-]+){{0,4}}?\s+(?:{_EN_SCOPES})"
    rf"|\bhands down,?\s+(?:the\s+)?{_EN_ADJECTIVE}\b(?:\s+[\w'-]+){{0,3}}"
    rf"|\bbest[- ]ever\b|\bthe best\b|\bworld'?s (?:first|best|only|{_EN_ADJECTIVE})\b"
    rf"|\bnothing (?:else )?(?:even )?(?:comes? close|beats|compares|tops)\b|\bno other \w+ (?:comes? close|compares)\b"
    rf"|\bthe only\b(?= [\w-]+ (?:that|which|with))"
    rf"|{_alt('en_terms')}",
    re.IGNORECASE,
)
_EN_NOT_SUPERLATIVE = pattern(_LEXICON, "en_not_superlative")
_EN_ASPECT = re.compile(rf"^(?:the\s+)?{_EN_ADJECTIVE}\s+(?:{_alt('en_aspect_heads')})\b", re.IGNORECASE)
_EN_ADVICE = pattern(_LEXICON, "en_advice")
_EN_POLICY = re.compile(rf"(?:{_alt('en_policy')})[\s-]*$", re.IGNORECASE)
_EN_NEGATORS = re.compile(rf"(?:{_alt('en_negators')})\s*(?:the\s+)?(?:\w+\s+)?$", re.IGNORECASE)
_EN_HEDGES = re.compile(rf"(?:{_alt('en_hedges')})\s*(?:the\s+)?(?:\w+\s+)?$", re.IGNORECASE)
_EN_OTHER_TARGETS = pattern(_LEXICON, "en_other_targets")
_EN_OTHER_PRODUCTS = pattern(_LEXICON, "en_other_products")
_EN_PERSONAL = pattern(_LEXICON, "en_personal")
# The subject of a predicate superlative is a price or a deal: "the price was unbeatable".
_EN_PRICE_BEFORE = re.compile(
    r"\b(?:price|prices|pricing|deal|deals|offer|cost)\s+(?:is|was|are|were|just|simply)\b[\w\s]{0,8}$", re.I
)
_EN_DOWNSIDE = re.compile(
    r"^the only (?:downside|down side|con|cons|complaint|gripe|issue|problem|drawback|thing i|differences?)\b"
    r"|^the only (?:thing|one|part|bit)\b[^.!?]{0,30}?(?:\bnot\b|n't\b|\bwrong\b|\bbad\b|\bmissing\b|\bissue\b)",
    re.I,
)
# Before "guarantee": a determiner makes it a noun, the thing offered ("the 2 year guarantee that they offer").
_EN_DETERMINER_BEFORE = re.compile(r"\b(?:the|a|an|this|their|its|our|your)\s+(?:[\w-]+\s+){0,3}$", re.I)
# Before "100%": the writer's endorsement ("I recommend it 100%", "百分百推荐" reads the other way round).
_ENDORSE_BEFORE = re.compile(
    r"(?:\b(?:recommend\w*|agree|satisfied|sure)\b|推荐|推薦|满意|滿意|同意)[^.!?。！？]{0,20}$", re.IGNORECASE
)
# The writer's preference before "the best" closing a clause: "I like the screen the best".
_EN_FEELING_BEFORE = re.compile(r"\b(?:like|liked|love|loved|enjoy|enjoyed|prefer|preferred)\b", re.I)
# What a promise guarantees: "guarantee that…", "guarantees you…", "guarantee results".
_EN_GUARANTEE_OBJECT = re.compile(
    r"\s+(?:to|that|you|your|it|its|it'll|they|them|we|every|results?|satisfaction|success|\d)\b", re.IGNORECASE
)
_STATE_OF_CHARGE = re.compile(
    r"(?:充到|充满|电量|充电到|剩)\s*100%|100%\s*(?:电量|charged|battery)|(?:at|to)\s+100%", re.IGNORECASE
)


def absolute_claims(text: str, extra_terms: Sequence[str] = (), exceptions: Sequence[str] = ()) -> list[AbsoluteClaim]:
    """The absolute claims ``text`` makes about the product or brand.

    ``extra_terms`` are brand-specific absolute terms (always claims); ``exceptions`` exempt terms."""
    found = [
        AbsoluteClaim(s.start, s.end, s.term, s.lang, s.evidence)
        for s in analyse_superlatives(text, exceptions)
        if s.claimed
    ]
    lowered = text.lower()
    for term in extra_terms:
        needle = term.strip().lower()
        if not needle:
            continue
        for match in re.finditer(re.escape(needle), lowered):
            found.append(AbsoluteClaim(match.start(), match.end(), text[match.start() : match.end()], "custom"))
    found.sort(key=lambda claim: (claim.start, -claim.end))
    result: list[AbsoluteClaim] = []
    for claim in found:  # drop matches inside an earlier, longer one
        if result and claim.start < result[-1].end:
            continue
        result.append(claim)
    return result


def analyse_superlatives(text: str, exceptions: Sequence[str] = ()) -> list[Superlative]:
    """Every candidate absolute term in ``text`` with the reason it is or is not a claim (see
    :class:`Superlative`); overlapping candidates keep the earliest, longest one."""
    # Typographic apostrophes read as plain ones (isn’t, I’ve), keeping every offset.
    original, text = text, text.translate(_APOSTROPHES)
    exempt = [term.lower() for term in exceptions if term.strip()]
    clauses: list[Span] | None = None  # split only once a candidate is found (most sentences have none)
    candidates: list[Superlative] = []
    for lang, candidate_pattern in (("zh", _ZH_CANDIDATES), ("en", _EN_CANDIDATES)):
        for match in candidate_pattern.finditer(text):
            start, end, term = match.start(), match.end(), match.group()
            if lang == "en" and not _is_superlative(term):
                continue
            if lang == "zh" and _ZH_NOT_SUPERLATIVE.match(text[start:]) and not re.match(rf"(?:{_ZH_SCOPES})", term):
                continue
            if clauses is None:
                clauses = split_clauses(Span(0, len(text), text))
            clause = next((c for c in clauses if c.start <= start < c.end), Span(0, len(text), text))
            if any(e in term.lower() or term.lower() in e for e in exempt):
                reason, evidence = "exempt", term
            else:
                reason, evidence = _judge(text, start, end, lang, clause)
            candidates.append(Superlative(start, end, original[start:end], lang, reason, evidence))
    candidates.sort(key=lambda s: (s.start, -s.end))
    result: list[Superlative] = []
    for candidate in candidates:
        if result and candidate.start < result[-1].end:
            continue
        result.append(candidate)
    return result


_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'"})


def _is_superlative(term: str) -> bool:
    """An English candidate built on an -est word must have a real superlative (not "honest", "latest")."""
    words = re.findall(r"[\w'-]+", term.lower())
    est = [w for w in words if w.endswith("est") and w not in ("best",)]
    if not est or any(w in ("best", "worst", "most") for w in words):
        return True
    return not all(_EN_NOT_SUPERLATIVE.fullmatch(w) for w in est)


def _judge(text: str, start: int, end: int, lang: str, clause: Span) -> tuple[str, str]:
    """Why the candidate at ``start:end`` is (``absolute``) or is not a claim, and the deciding text."""
    term = text[start:end]
    rest = text[start:]
    local = clause.text
    prefix = text[clause.start : start]
    scope = analyse_polarity(local, None)
    if scope.questioned:
        return "questioned", local
    if scope.debunked:
        return "debunked", local
    if "100%" in term and _STATE_OF_CHARGE.search(text[max(0, start - 4) : end + 10]):
        return "state_of_charge", term
    if "100%" in term and _ENDORSE_BEFORE.search(prefix[-30:]):
        return "feeling", _ENDORSE_BEFORE.search(prefix[-30:]).group()  # type: ignore[union-attr]
    if lang == "zh":
        return _judge_zh(term, rest, prefix)
    return _judge_en(term, rest, prefix, local)


def _judge_zh(term: str, rest: str, prefix: str) -> tuple[str, str]:
    core = re.sub(rf"^(?:{_ZH_SCOPES})", "", term)
    scoped = core != term
    core_rest = rest[len(term) - len(core) :]
    if core.startswith("最") and not scoped and _ZH_SETTING.search(prefix[-4:]):
        return "setting", _ZH_SETTING.search(prefix[-4:]).group()  # type: ignore[union-attr]
    if core.startswith("最") and not scoped:
        for reason, test in (
            ("setting", _ZH_SETTING_LEVEL),
            ("version", _ZH_LATEST_VERSION),
            ("position", _ZH_POSITION),
            ("bound", _ZH_BOUND),
            ("feeling", _ZH_FEELING),
            ("aspect", _ZH_DISCOURSE),
            ("aspect", _ZH_ASPECT),
        ):
            found = test.match(core_rest)
            if found:
                return reason, found.group()
        if re.match(r"^最好(?!的|用|看|吃|听|不过)[\u4e00-\u9fff]", core_rest):
            return "advice", core_rest[:3]  # 最好 + verb: "had better" (最好一年内用完)
    if core.startswith("第一") and not scoped and _ZH_ORDINAL.match(core_rest):
        return "ordinal", _ZH_ORDINAL.match(core_rest).group()  # type: ignore[union-attr]
    if core.startswith("第一") and not scoped and _ZH_LATER_ORDINAL.search(core_rest[len(core) :]):
        return "ordinal", _ZH_LATER_ORDINAL.search(core_rest[len(core) :]).group()  # type: ignore[union-attr]
    if core.startswith("唯一"):
        found = _ZH_DOWNSIDE.match(core_rest) or _ZH_ONLY_NEGATIVE.match(core_rest)
        if found:
            return "downside", found.group()
        personal = re.search(r"(?:我|我的|自己)$", prefix)
        if personal:
            return "personal", personal.group()  # 我唯一买过的一台: the writer's only one
    if core.startswith("绝对") and _ZH_EMPHATIC_RULE.match(core_rest):
        return "rule", _ZH_EMPHATIC_RULE.match(core_rest).group()  # type: ignore[union-attr]
    if core.startswith("绝对") and _ZH_INTENSIFIER.match(core_rest):
        return "intensifier", _ZH_INTENSIFIER.match(core_rest).group()  # type: ignore[union-attr]
    if (
        core.startswith("最")
        and _ZH_RECOMMENDED.match(core_rest)
        and re.search(r"[\d零一二两三四五六七八九十]|左右|以下|以上", prefix)
    ):
        return "advice", core_rest[:2]
    window = prefix[-8:]
    negator = list(_ZH_NEGATORS.finditer(window)) or list(_ZH_NEGATED_UNIVERSAL.finditer(prefix))
    if negator:
        return "negated", negator[-1].group()
    hedge = list(_ZH_HEDGES.finditer(window))
    if hedge:
        return "hedged", hedge[-1].group()
    following = rest[len(term) : len(term) + 12]
    if "之一" in following and not re.search(r"[没沒]有之一", rest[: len(term) + 12]):
        return "hedged", "之一"  # 最好的之一: one of the best
    if core.startswith(("最", "第一")):
        personal = _ZH_PERSONAL.search(prefix) or re.search(r"我$", prefix)
        if personal:
            return "personal", personal.group()
        target = _ZH_OTHER_TARGETS.search(prefix[-10:]) or _ZH_OTHER_TARGETS.match(
            re.sub(rf"^{re.escape(term)}{_CJK}?的?", "", rest)
        )
        if target:
            return "other_target", target.group()
        other = _ZH_OTHER_PRODUCTS.search(prefix[-10:])
        if other:
            return "other_product", other.group()
        method = _ZH_METHODS.search(prefix[-6:])
        if method:
            return "other_target", method.group()
    price = _ZH_PRICE_SUPERLATIVE.match(core_rest) or _ZH_PRICE_WORDS.search(prefix[-8:])
    if price:
        return "other_target", price.group()  # 最便宜, 说到价格是无敌的: the offer, not the product
    if core.startswith("最") and not scoped and _ZH_DOWNSIDE_SUPERLATIVE.match(core_rest):
        return "downside", _ZH_DOWNSIDE_SUPERLATIVE.match(core_rest).group()  # type: ignore[union-attr]
    if core.startswith("最") and not scoped and _ZH_BARE_ASPECT.match(core_rest):
        return "aspect", _ZH_BARE_ASPECT.match(core_rest).group()  # type: ignore[union-attr]
    if core.startswith("第一") and not scoped and _ZH_FIRST_UNIT.match(core_rest):
        return "ordinal", _ZH_FIRST_UNIT.match(core_rest).group()  # type: ignore[union-attr]
    if core.startswith("无与伦比") and re.match(r"^无与伦比的?(?:" + _alt("zh_downside_adjectives") + ")", core_rest):
        return "downside", core_rest[:8]  # incomparably fragile: criticism
    return "absolute", term


def _judge_en(term: str, rest: str, prefix: str, clause: str) -> tuple[str, str]:
    lowered = term.lower()
    at = len(prefix)  # the term's offset in the clause
    advice = next((m for m in _EN_ADVICE.finditer(clause) if m.start() < at + len(term) and at < m.end()), None)
    if advice is not None:
        return "advice", advice.group()
    if lowered.startswith("guarantee") and _EN_POLICY.search(prefix):
        return "policy", _EN_POLICY.search(prefix).group()  # type: ignore[union-attr]
    if lowered in ("guarantee", "guarantees") and (
        not _EN_GUARANTEE_OBJECT.match(rest[len(term) :]) or _EN_DETERMINER_BEFORE.search(prefix)
    ):
        return "policy", term  # a guarantee as a thing (a 2-year guarantee, the guarantee helped), not a promise
    if re.match(r"[Bb]est\s+[A-Z]", term) and prefix.strip():
        return "other_target", term  # a name mid-sentence ("from Best Buy"), not a superlative
    if lowered.startswith("the only"):
        downside = _EN_DOWNSIDE.match(rest)
        if downside:
            return "downside", downside.group()
    aspect = _EN_ASPECT.match(rest)
    if aspect:
        return "aspect", aspect.group()
    negator = _EN_NEGATORS.search(prefix[-24:])
    if negator:
        return "negated", negator.group().strip()
    hedge = _EN_HEDGES.search(prefix[-24:])
    if hedge:
        return "hedged", hedge.group().strip()
    price = _EN_PRICE_BEFORE.search(prefix[-24:])
    if price:
        return "other_target", price.group()  # "the price was unbeatable": the offer, not the product
    if re.search(r"\b(?:worst|most (?:annoying|frustrating|disappointing|useless|fragile|overpriced))\b", lowered):
        return "downside", term  # ranking a drawback is criticism, not a claim a brand makes
    if re.search(r"\b(?:best|most|\w+est)\b", lowered):
        feeling = _EN_FEELING_BEFORE.search(prefix)
        if feeling and lowered.startswith("the best") and not rest[len(term) :].strip()[:1].isalpha():
            return "feeling", feeling.group()  # "I like the screen the best": a preference
        personal = _EN_PERSONAL.search(clause)
        if personal:
            return "personal", personal.group()
        target = (
            _EN_OTHER_TARGETS.search(term)
            or _EN_OTHER_TARGETS.search(prefix[-24:])
            or _EN_OTHER_TARGETS.match(rest[len(term) :].lstrip())  # the best price: the offer, not the product
        )
        if target:
            return "other_target", target.group()
        other = _EN_OTHER_PRODUCTS.search(prefix[-24:])
        if other:
            return "other_product", other.group()
    return "absolute", term


# Neutral wording for a corrected sentence: "全网最强" → "很强", "the best X ever" → "a great X".
_NEUTRAL_ZH: list[tuple[re.Pattern[str], str]] = [
    (re.compile(rf"^(?:{_ZH_SCOPES})?最"), "很"),
    (re.compile(rf"^(?:{_ZH_SCOPES})第一$"), "一流"),
    (re.compile(r"^排名?第一$"), "名列前茅"),
    (re.compile(r"^第一(?=[款个家位名台支])"), "一"),
    (re.compile(r"^(?:顶级|顶尖|世界级|宇宙级|全球级|王牌|极品|至尊)$"), "优质"),
    (re.compile(r"^(?:极致|无敌|天花板|巅峰)$"), "出色"),
    (re.compile(r"^(?:永不|永远不)$"), "不易"),
    (re.compile(r"^永久$"), "长期"),
    (re.compile(r"^绝对$"), "很"),
    (re.compile(r"^零风险$"), "低风险"),
]
_NEUTRAL_EN: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"^(?:the\s+)?best\s+((?:[\w-]+\s+){0,3}?)ever(?:\s+made)?$", re.I), r"a great \1"),
    (re.compile(r"^(?:the best|best[- ]ever|best[- ]in[- ]class)$", re.I), "a great"),
    (re.compile(r"^(?:number one|no\.\s?1|#1)$", re.I), "a popular"),
    (re.compile(r"^world'?s first$", re.I), "a new"),
    (
        re.compile(r"^(?:will )?never (?:fails?|breaks?|fail|break|wears? out|wear out|dies|die)$", re.I),
        "is built to last",
    ),
    (re.compile(r"^100%\s+(\w+)", re.I), r"\1"),
    (re.compile(r"^(?:ultimate|unbeatable|unrivall?ed|unmatched|unparalleled)$", re.I), "excellent"),
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
    for pattern_, replacement in table:
        if pattern_.search(term):
            return pattern_.sub(replacement, term, count=1).strip()
    return ""
