"""Figures in Chinese and English text: numbers, units, bounds, ranges, counts and "none at all".

Embeddings barely see numbers ("10小时" vs "20小时" score 0.90), so figures are extracted and compared
explicitly: every quantity carries its span in the text, its value in a canonical unit (seconds, grams,
millilitres, watts, °C, ...), its bound (exact, approx, at_most, at_least, less_than, more_than, range)
and, for counts, the counted noun. Versions (蓝牙5.3), ratings (IPX4), model names (Q3) and dates are
not measures.
"""

from __future__ import annotations

import dataclasses
import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

from service.check.commerce import talks_deals
from service.check.figure_lexicon import (
    ADDED_AFTER,
    ADDED_BEFORE,
    CONCEPT_DIMENSIONS,
    CONCEPTS,
    CONDITION_SYNONYMS,
    COUNTED_SYNONYMS,
    FEE,
    FIRST_PERSON,
    OWN_LIFE,
    OWN_MEASUREMENT,
    OWNED_FOR,
    PAID,
    PRODUCT_SUBJECT,
    SPEC_SOURCE,
    VARIANT_PAIRS,
)
from service.check.unit_table import UNITS

# -- units --------------------------------------------------------------------------------------

# raw unit (lower case) -> (dimension, canonical unit, factor to canonical); the table is unit_table.py
_UNITS: dict[str, tuple[str, str, float]] = {name: (u.dimension, u.canonical, u.factor) for name, u in UNITS.items()}
_PREFIX_CURRENCY = {"$", "¥", "￥", "€"}
_MEASURE_WORDS = "台个種种款只档檔次副杯块片颗根支条件套组位项级挡层段节张部把瓶包盒袋份道步圈人色"
_PRONOUNS = {"them", "these", "those", "it", "ones", "它们", "这些", "那些"}

# -- numbers ------------------------------------------------------------------------------------

_ZH_DIGITS = {
    "零": 0,
    "〇": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "俩": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
_ZH_SMALL_UNITS = {"十": 10, "百": 100, "千": 1000}
_ZH_BIG_UNITS = {"万": 10_000, "亿": 100_000_000}
_EN_NUMBERS = {
    "zero": 0,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "thirteen": 13,
    "fourteen": 14,
    "fifteen": 15,
    "sixteen": 16,
    "seventeen": 17,
    "eighteen": 18,
    "nineteen": 19,
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fifty": 50,
    "sixty": 60,
    "seventy": 70,
    "eighty": 80,
    "ninety": 90,
    "hundred": 100,
    "thousand": 1000,
    "dozen": 12,
    "half": 0.5,
    "a": 1,
    "an": 1,
    "single": 1,
    "double": 2,
    "couple": 2,
}

_ARABIC = r"\d+(?:,\d{3})*(?:\.\d+)?|\.\d+"
_ZH_NUM = r"[零〇一二两俩三四五六七八九十百千万亿]+(?:个半|点[零一二三四五六七八九]+)?|半"
_EN_WORD_NUM = (
    r"(?:(?:twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety)"
    r"(?:[- ](?:one|two|three|four|five|six|seven|eight|nine))?"
    r"|zero|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen"
    r"|seventeen|eighteen|nineteen|a dozen|dozen|a couple of|a couple|half an?|an? (?:full|whole|entire)|an?|single"
    r"|double)"
)
_NUMBER = rf"(?:{_ARABIC})(?:\s?[万千百亿])?|{_ZH_NUM}|\b{_EN_WORD_NUM}\b"


def parse_number(text: str) -> float | None:
    """The value of a number written in Arabic digits, Chinese numerals or English words."""
    raw = text.strip().lower().replace(",", "")
    if not raw:
        return None
    arabic = re.fullmatch(r"(\d+(?:\.\d+)?|\.\d+)\s?([万千百亿])?", raw)
    if arabic:
        value = float(arabic.group(1))
        multiplier = arabic.group(2)
        if multiplier:
            value *= {**_ZH_SMALL_UNITS, **_ZH_BIG_UNITS}[multiplier]
        return value
    if raw in _EN_NUMBERS:
        return float(_EN_NUMBERS[raw])
    words = re.split(r"[- ]+", raw)
    if raw.startswith("half"):
        return 0.5  # "half a", "half an"
    if all(word in _EN_NUMBERS for word in words) and words[0] not in ("a", "an"):
        total = 0.0
        for word in words:
            total = total * _EN_NUMBERS[word] if _EN_NUMBERS[word] in (100, 1000) else total + _EN_NUMBERS[word]
        return total
    if words[0] in ("a", "an") and len(words) == 2 and words[1] in ("dozen", "couple"):
        return float(_EN_NUMBERS[words[1]])
    if words[0] in ("a", "an") and len(words) == 2 and words[1] in ("full", "whole", "entire"):
        return 1.0  # "a full year"
    if raw.startswith("half"):
        return 0.5
    if raw.endswith("个半"):
        base = _parse_chinese(raw[:-2])
        return None if base is None else base + 0.5
    if raw == "半":
        return 0.5
    if "点" in raw:
        whole, _, fraction = raw.partition("点")
        base = _parse_chinese(whole)
        digits = "".join(str(_ZH_DIGITS.get(ch, "")) for ch in fraction)
        return None if base is None or not digits else float(f"{int(base)}.{digits}")
    return _parse_chinese(raw)


def _parse_chinese(text: str) -> float | None:
    if not text or any(ch not in _ZH_DIGITS and ch not in _ZH_SMALL_UNITS and ch not in _ZH_BIG_UNITS for ch in text):
        return None
    total = section = 0
    digit: int | None = None
    for ch in text:
        if ch in _ZH_DIGITS:
            digit = _ZH_DIGITS[ch]
        elif ch in _ZH_SMALL_UNITS:
            section += (1 if digit is None else digit) * _ZH_SMALL_UNITS[ch]
            digit = None
        else:
            section += digit or 0
            total += (section or 1) * _ZH_BIG_UNITS[ch]
            section, digit = 0, None
    return float(total + section + (digit or 0))


# -- extraction ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Quantity:
    """A figure in a text: span, value in the canonical unit, bound, and what it measures or counts."""

    start: int
    end: int
    text: str
    value: float
    low: float | None
    high: float | None
    bound: str
    dimension: str
    unit: str
    raw_unit: str
    counted: str | None
    kind: str  # measure | count | percent | currency | zero
    relative: bool = False  # a difference ("85% less", "$30 off", "便宜了200块"), not a level
    role: str = "level"  # level | elapsed ("用了两周") | period ("一周充一次", "every 3 months") | deal (sale price)
    # | fee (installation, shipping) | personal (the writer's own life or measurement: "my commute is 20 km")
    # | added (a part the writer added, was given or wishes for: "加装了一条8G内存", "upgraded to 8 GB")
    # | likened (what the product is likened to: "相当于一台6寸的") | denied ("而非广告里的20小时")
    # | part (a count of one side of it: "右侧两个USB接口") | basis (what a figure is given for: "每100克", "10%能用")
    volts: float | None = None  # a voltage stated with a capacity or energy ("20000mAh (3.7V)")
    attribute: frozenset[str] = frozenset()  # what the figure measures: concept names from the words around it
    context: frozenset[str] = frozenset()  # condition terms of the figure's clause (or sentence)
    scene: frozenset[str] = frozenset()  # condition terms of the figure's sentence
    unmet: frozenset[str] = frozenset()  # condition terms its sentence denies ("without registering")
    condition: frozenset[str] = frozenset()  # terms that set this figure apart from its siblings in the text
    rivals: frozenset[str] = frozenset()  # the terms that set its siblings (other conditions) apart


def _unit_pattern() -> str:
    names = sorted(_UNITS, key=len, reverse=True)
    parts = []
    for name in names:
        escaped = re.escape(name)
        parts.append(escaped + (r"(?![a-z])" if re.search(r"[a-z]$", name) else ""))
    return "|".join(parts)


_UNIT = _unit_pattern()
_RANGE_SEP = r"\s?(?:-|–|~|～|到|至|to)\s?"
_QUANTITY = re.compile(
    rf"(?:(?P<prefix>[$¥￥€])\s?)?(?P<num>{_NUMBER})(?:{_RANGE_SEP}(?P<prefix2>[$¥￥€])?(?P<num2>{_NUMBER}))?"
    rf"(?:(?P<fuzz>来|多|餘|余|几)?(?P<sep>\s?-\s?|\s?)(?P<unit>{_UNIT}))?",
    re.IGNORECASE,
)
# A counted noun ends before a function character, a number, or a word of time or degree ("500次后容量", "一次最多").
_NOUN_STOP_CHARS = (
    "不没就都也还很太真挺好的了是在和跟与或重长大小高低能可要会才只有多少左右上下以就算一二三四五六七八九十两零后後最"
)
_COUNT_NOUN_ZH = re.compile(rf"^([{_MEASURE_WORDS}])((?:(?![{_NOUN_STOP_CHARS}])[\u4e00-\u9fff]){{0,4}})")
_COUNT_NOUN_EN = re.compile(r"^\s+(?:of\s+(them|these|those)\b|((?:[a-z]+-)*[a-z]+(?:\s+[a-z]+){0,2}))", re.IGNORECASE)
_EN_NOUN_STOP = re.compile(
    r"^(?:and|or|to|of|in|on|at|for|with|the|a|an|is|are|was|were|it|that|this|more|less|times|x|than|per|by|"
    r"from|into|out|up|down|off|over|under|about|after|before|so|but)$",
    re.IGNORECASE,
)
_NOT_A_FIGURE_BEFORE = re.compile(
    r"(?:(?:蓝牙|bluetooth|version|版本|ipx?|usb|type-?|wi-?fi|iphone|android|ios|gen|generation|series|model)\s?"
    r"|[A-Za-z]|第|[A-Za-z][-_]|[月年]|\d[-/.])$",
    re.IGNORECASE,
)
_DATE_AFTER = re.compile(
    r"^\s?(?:年(?=\d|[一二三四五六七八九十]|$|的|底|初)|月\d|月[一二三四五六七八九十]+[日号]|[日号])"
)

_APPROX_BEFORE = re.compile(
    r"(?:约|大约|大概|差不多|将近|近|approximately|approx\.?|about|around|roughly|nearly|~|≈)\s*$", re.I
)
_AT_MOST_BEFORE = re.compile(
    r"(?:最高|最多|最长|最長|最大|高达|高達|长达|長達|多达|多達|不超过|不超過|至多|up to|at most|max(?:imum)?(?: of)?|"
    r"no more than)\s*$",
    re.I,
)
_AT_LEAST_BEFORE = re.compile(
    r"(?:至少|最少|起码|起碼|不少于|不少於|不低于|不低於|at least|minimum(?: of)?|no less than)\s*$", re.I
)
_MORE_BEFORE = re.compile(
    r"(?:超过|超過|多于|多於|高于|高於|大于|大於|over|more than|above|greater than|upwards of)\s*$", re.I
)
_LESS_BEFORE = re.compile(r"(?:不到|不足|少于|少於|低于|低於|小于|小於|less than|under|below|fewer than)\s*$", re.I)
_APPROX_AFTER = re.compile(r"^\s?(?:左右|上下|或更多|ish\b|or so\b)", re.I)
_AT_LEAST_AFTER = re.compile(r"^\s?(?:以上|起|多(?![少])|\+|or more\b|plus\b)", re.I)
# After a price only these bound it from below ("$200+", "999元以上"); "999起" is where a range of variants starts.
_PRICE_AT_LEAST_AFTER = re.compile(r"^\s?(?:以上|\+|or more\b|plus\b)", re.I)
# A price followed by these names a class of products ("千元机", "百元以下的耳机", "the $200 price range"), not this
# product's price.
_PRICE_CLASS_AFTER = re.compile(
    r"^\s?(?:以下|以上|以内|以內|左右|上下)的|^\s?(?:以下|以上|以内|以內|左右|上下)?的?"
    r"(?:机|機|手机|手機|平板|电脑|電腦|耳机|耳機|产品|產品|价位|價位|档|檔|级别|級別|级|級)"
    r"|^\s?\+?\s*(?:-?\s*(?:price\s+(?:point|range|class|bracket|tier)|range|class|bracket|tier)\b)",
    re.IGNORECASE,
)
_AT_MOST_AFTER = re.compile(r"^\s?(?:以内|以內|以下|之内|之內|or less\b|max\b|or fewer\b)", re.I)
_RELATIVE_BEFORE = re.compile(r"(?:便宜了?|省了?|降价?了?|优惠了?|减了?|少了|多了|贵了|差了|立减|节省了?|打)\s*$")
_RELATIVE_AFTER = re.compile(
    r"^\s?(?:off\b|cheaper\b|less\b|more\b|lower\b|higher\b|faster\b|slower\b|either way\b|折|的优惠)", re.I
)
_ZERO = re.compile(
    r"\b(?:no|zero)\s+(?P<en>[a-z]+(?:\s+[a-z]+)?)(?=\s+(?:at all|whatsoever|needed|required|used)\b|\s+at\b)|"
    r"\bzero\s+(?P<en2>[a-z]+)\b|"
    r"(?:完全不用|完全不需要|完全没有|无需|不需要任何|零(?!下))(?P<zh>[\u4e00-\u9fff]{1,3})",
    re.IGNORECASE,
)
# "每月…一次" without a number: once in one unit of time (a number, "每3个月", is read as a figure of its own).
_EVERY_UNIT = re.compile(
    r"每(?:一|个|個)?(?P<unit>天|日|周|週|星期|礼拜|禮拜|月|年)(?=[^\d一二三四五六七八九十两兩，,。;；!！?？\n]{0,8}(?:一次|1次|一回))"
)
# Only from the first digit of a number: retried from every digit, a long digit run took quadratic time.
_VOLT_AMP = re.compile(
    r"(?<![\d.])(?P<v>\d+(?:\.\d+)?)\s?V\s?[/×x*]?\s?(?P<a>\d+(?:\.\d+)?)\s?A(?![A-Za-z])", re.IGNORECASE
)


# A variant may stand between the price word and its figure ("售价标准版1299", "the price of the Plus is 99").
_PRICE_BEFORE = re.compile(
    r"(?:官方价|官方價|售价|售價|定价|定價|标价|標價|价格|價格|原价|原價|卖|賣)(?:[\u4e00-\u9fffA-Za-z]{1,6}?[版款])?"
    r"\s*(?:是|为|為|才|只要|要|:|：)?\s*$|"
    r"\b(?:msrp|rrp|price|retail price|list price)(?:\s+(?:of|for)\s+the\s+[a-z]+(?:\s+(?:version|model|edition))?)?"
    r"\s*(?:is|of|:)?\s*$",
    re.IGNORECASE,
)
# "max payload is 20 kg": a maximum named a few words before its figure
_MAX_NAMED = re.compile(
    r"(?:\bmax(?:imum)?|最大|最高|最多|最长|最長)[^,，;；。.!?]{0,16}?(?:\bis|\bare|\bof|为|為|是|:|：)\s*$",
    re.IGNORECASE,
)
# "only 90Hz", "只有90Hz": the writer states the most it does
_NAME_BEFORE = re.compile(r"\b[A-Z][a-zA-Z]+\s$")
_ONLY_BEFORE = re.compile(r"(?:只有|只能|仅有|僅有|仅|僅|\bonly|\bjust|\bmerely)\s*$", re.IGNORECASE)
_HEAT_CONTEXT = re.compile(
    r"[热熱温溫烫燙冷冰凉涼沸暖冻凍]|加热|温度|水温|油温|摄氏|华氏|零下|\b(?:temp|temperature|hot|cold|warm|heat|"
    r"freez\w*|boil\w*|brew\w*|oven|water|steam\w*|milk|operat\w*|storage|store)\b",
    re.IGNORECASE,
)
_ANGLE_UNITS = {"度", "°", "degrees", "degree"}
_NEGATIVE_BEFORE = re.compile(
    r"(?:(?:^|[\s(（:：,，~～到至\u4e00-\u9fff])[-−–]|零下\s?|minus\s|negative\s)$", re.IGNORECASE
)
_SPLIT_DECIMAL_UNITS = {"米", "块", "塊", "元"}  # "一米八" is 1.8 m, "三块五" is 3.5 元
_ZH_DIGIT_AFTER = re.compile(
    r"^([0-9]|[一二三四五六七八九])(?![0-9一二三四五六七八九十百千万.点个只隻件台款种種天年斤克])"
)
_HALF_AFTER = re.compile(r"^半(?![天夜月年小个])")
_RATING = re.compile(r"(?<![A-Za-z0-9])(?P<name>SPF|UPF)\s?(?P<num>\d+)(?:\s?(?P<plus>\+))?", re.IGNORECASE)
# The dimensions of figures whose name says what they measure (the ratings above and the PA grade).
_NAMED_SCALES = frozenset({"spf", "upf", "grade:pa"})
# PA+ .. PA++++: a grade told by its plus signs
_GRADE = re.compile(r"(?<![A-Za-z0-9])(?P<name>PA)\s?(?P<plus>\+{1,4})(?!\+)")
_HYPHEN_NOUN = re.compile(r"^-([a-z]+)(?![a-z-])", re.IGNORECASE)  # "7-speed", "4-door": the joined word is counted
# A price paid in a sale is not a statement of the official price.
# A price the writer paid, or got when selling it on, or a voucher: no official price.
_PAID = re.compile(
    r"\b(?:paid|got it for|bought it for|picked it up for|sold it for|sold mine for|resold|resell|selling it for)\b"
    r"|到手|入手价|买到|拍下|卖给|卖掉|卖了|转让|转卖|出手了|回收|抵价|抵用券|代金券",
    re.IGNORECASE,
)
_BETWEEN = re.compile(rf"\bbetween\s+(?P<low>{_ARABIC})\s+and\s+(?P<high>{_ARABIC})\s?(?P<unit>{_UNIT})", re.IGNORECASE)


def quotes_spec(text: str) -> bool:
    """Whether ``text`` quotes the official spec (官方, 标称, "the spec says", "rated"): a figure in it is about the
    product's figure, not the writer's own."""
    return bool(_SPEC_SOURCE.search(text))


def extract_quantities(text: str) -> list[Quantity]:
    """Every figure in ``text``, sorted by position; ``text[q.start:q.end]`` is the figure as written."""
    found: list[Quantity] = []
    for match in _QUANTITY.finditer(text):
        quantity = _from_match(text, match)
        if quantity is not None:
            found.append(quantity)
    for match in _BETWEEN.finditer(text):
        low, high = parse_number(match.group("low")), parse_number(match.group("high"))
        unit = match.group("unit").lower()
        if low is None or high is None or unit not in _UNITS:
            continue
        dimension, canonical, factor = _UNITS[unit]
        found = [q for q in found if not (match.start() <= q.start < match.end())]
        lo, hi = _convert(low, unit, factor), _convert(high, unit, factor)
        kind = "percent" if dimension == "percent" else "currency" if dimension == "currency" else "measure"
        found.append(
            Quantity(
                match.start(),
                match.end(),
                match.group(),
                (lo + hi) / 2,
                lo,
                hi,
                "range",
                dimension,
                canonical,
                match.group("unit"),
                None,
                kind,
            )
        )
    for match in _VOLT_AMP.finditer(text):  # "5V/2A" also states a power: 10 W
        watts = float(match.group("v")) * float(match.group("a"))
        found.append(
            Quantity(
                match.start(),
                match.end(),
                match.group(),
                watts,
                None,
                None,
                _bound_before(text, match.start()),
                "power",
                "W",
                "W",
                None,
                "measure",
            )
        )
    for match in _EVERY_UNIT.finditer(text):  # "每月运行一次": once a month, a period of one month
        if any(q.start <= match.start() < q.end for q in found):
            continue
        unit = UNITS[match.group("unit")]
        found.append(
            Quantity(
                match.start(),
                match.end(),
                match.group(),
                unit.to_canonical(1.0),
                None,
                None,
                "exact",
                unit.dimension,
                unit.canonical,
                match.group("unit"),
                None,
                "measure",
                role="period",
            )
        )
    for match in _ZERO.finditer(text):
        noun = match.group("en") or match.group("en2") or match.group("zh")
        found.append(
            Quantity(
                match.start(),
                match.end(),
                match.group(),
                0.0,
                None,
                None,
                "exact",
                "zero",
                "",
                "",
                noun.lower(),
                "zero",
            )
        )
    for match in _RATING.finditer(text):  # SPF 50+, UPF 30: a rating with a value
        value = float(match.group("num"))
        name = match.group("name").upper()
        found.append(
            Quantity(
                match.start(),
                match.end(),
                match.group(),
                value,
                None,
                None,
                "at_least" if match.group("plus") else _bound_before(text, match.start()),
                name.lower(),
                name,
                name,
                None,
                "measure",
            )
        )
    for match in _GRADE.finditer(text):
        grade = float(len(match.group("plus")))
        found.append(
            Quantity(
                match.start(),
                match.end(),
                match.group(),
                grade,
                None,
                None,
                _bound_before(text, match.start()),
                "grade:pa",
                "PA",
                "PA",
                None,
                "measure",
            )
        )
    found.sort(key=lambda q: (q.start, -q.end))
    found = _merge_neighbours(text, _drop_covered(found))
    return _annotate(text, found)


def _drop_covered(found: list[Quantity]) -> list[Quantity]:
    """Without figures that lie inside a longer one ("五" of "一米五" read again on its own)."""
    return [
        q
        for q in found
        if not any(
            o is not q and o.start <= q.start and q.end <= o.end and (o.end - o.start) > (q.end - q.start)
            for o in found
        )
    ]


_BETWEEN_RANGE = re.compile(r"^\s?(?:-|–|~|～|到|至|to|through)\s?$", re.IGNORECASE)
_BETWEEN_COMPOUND = re.compile(r"^\s?(?:and|又|零)?\s?$", re.IGNORECASE)


def _merge_neighbours(text: str, found: list[Quantity]) -> list[Quantity]:
    """Two figures of one dimension written as one: a range with its unit on both ends ("-20 °C to 70 °C")
    or a compound ("3 lb 8 oz", "1小时20分钟", "two hours and ten minutes")."""
    merged: list[Quantity] = []
    for q in found:
        prev = merged[-1] if merged else None
        if (
            prev is not None
            and prev.kind == "measure"
            and q.kind == "measure"
            and prev.dimension == q.dimension
            and prev.bound != "range"
            and q.bound in ("exact", "approx")
        ):
            between = text[prev.end : q.start]
            if _BETWEEN_RANGE.match(between):
                low, high = sorted((prev.value, q.value))
                merged[-1] = dataclasses.replace(
                    prev,
                    end=q.end,
                    text=text[prev.start : q.end],
                    value=(low + high) / 2,
                    low=low,
                    high=high,
                    bound="range",
                )
                continue
            prev_unit, unit = UNITS.get(prev.raw_unit.lower()), UNITS.get(q.raw_unit.lower())
            if (
                _BETWEEN_COMPOUND.match(between)
                and prev.dimension in ("time", "mass", "length")
                and prev_unit is not None
                and unit is not None
                and unit.factor < prev_unit.factor
            ):
                merged[-1] = dataclasses.replace(
                    prev, end=q.end, text=text[prev.start : q.end], value=prev.value + q.value
                )
                continue
        merged.append(q)
    return merged


def _adjusted(text: str, match: re.Match[str], quantity: Quantity, after: str, split_decimal: bool) -> Quantity:
    """A measure with what the pattern cannot see: a sign ("-4°F", "零下20度"), a split decimal ("一米八",
    "三块五"), a trailing half ("一年半") and a fuzzy infix ("五十来克" about, "三百多克" over)."""
    changes: dict[str, object] = {}
    value, low, high = quantity.value, quantity.low, quantity.high
    unit = UNITS.get(quantity.raw_unit.lower())
    if quantity.dimension == "temperature" and _NEGATIVE_BEFORE.search(text[max(0, match.start() - 4) : match.start()]):
        raw = parse_number(match.group("num")) or 0.0
        negative = unit.to_canonical(-raw) if unit is not None and quantity.raw_unit.lower() in UNITS else -raw
        if low is not None and high is not None:
            low = negative
            value = (low + high) / 2
        else:
            value = negative
    step = unit.factor if unit is not None and not unit.offset else 1.0
    if split_decimal and low is None:
        digit = _ZH_DIGIT_AFTER.match(after)
        assert digit is not None
        extra = parse_number(digit.group(1)) or 0.0
        value += extra / 10 * step
        changes["end"] = quantity.end + digit.end()
    elif low is None and quantity.dimension in ("time", "mass", "length") and _HALF_AFTER.match(after):
        value += 0.5 * step
        changes["end"] = quantity.end + 1
    fuzz = match.group("fuzz")
    if fuzz and quantity.bound == "exact":
        changes["bound"] = "approx" if fuzz in ("来", "几") else "at_least"
    if (value, low) != (quantity.value, quantity.low) or "end" in changes:
        changes.update(value=value, low=low)
    if not changes:
        return quantity
    replaced = dataclasses.replace(quantity, **changes)  # type: ignore[arg-type]
    return dataclasses.replace(replaced, text=text[replaced.start : replaced.end])


# -- what a figure is about -----------------------------------------------------------------------


# What may follow a short English cue in the same word: an inflection (with the consonant doubled before it).
_SHORT_CUE_ENDING = r"(?:e?s|e?d|e?rs?|e?st|ing|ly|ness|y|[a-z](?:ed|er|est|ing|y))?(?![a-z])"


def _short_cue(cue: str) -> str:
    """A short English cue and its inflections: "bake" also as "baking", "fry" as "fries" and "fried"."""
    if cue.endswith("e"):
        return re.escape(cue[:-1]) + r"(?:ing(?![a-z])|e" + _SHORT_CUE_ENDING + ")"
    if cue.endswith("y"):
        return re.escape(cue[:-1]) + r"(?:i(?:es|ed|er|est)(?![a-z])|y" + _SHORT_CUE_ENDING + ")"
    return re.escape(cue) + _SHORT_CUE_ENDING


class _Cues:
    """Named sets of cue words, and which of them a text names.

    English cues are word prefixes (not after a hyphen: "touch" is not in "non-touch"), and one of four letters or
    fewer only takes an inflection ("thin" is in "thinner", not in "thing"; "port" in "ports", not in
    "portable"); Chinese ones are
    substrings, not after a negator; a cue written "re:..." is a pattern ("充" only before a number: "充10分钟").
    A substring test of the lowered text rules most names out before their pattern is searched.
    """

    def __init__(self, cues_of: dict[str, tuple[str, ...]]) -> None:
        self._patterns = {name: self._pattern(cues) for name, cues in cues_of.items()}
        # None: a name with a pattern cue, which no substring test can rule out.
        self._literals = {
            name: None if any(cue.startswith("re:") for cue in cues) else tuple({cue.lower() for cue in cues})
            for name, cues in cues_of.items()
        }

    @staticmethod
    def _pattern(cues: tuple[str, ...]) -> re.Pattern[str]:
        parts = [
            cue[3:]
            if cue.startswith("re:")
            else (r"(?<![\w-])" + (_short_cue(cue) if re.fullmatch(r"[a-z]{1,4}", cue) else re.escape(cue)))
            if re.match(r"[a-z°]", cue)
            else r"(?<![未不没沒非])" + re.escape(cue)
            for cue in sorted(cues, key=len, reverse=True)
        ]
        return re.compile("|".join(parts), re.IGNORECASE)

    def named_in(self, text: str, among: Callable[[str], bool] = lambda name: True) -> frozenset[str]:
        """The names (those ``among`` accepts) whose cues ``text`` uses."""
        lowered = text.lower()
        return frozenset(
            name
            for name, literals in self._literals.items()
            if among(name)
            and (literals is None or any(literal in lowered for literal in literals))
            and self._patterns[name].search(text)
        )


_CONCEPT_CUES = _Cues(CONCEPTS)
_CONDITION_CUES = _Cues(CONDITION_SYNONYMS)
# Words naming what is measured ("weighs", "price") are no condition; words naming a package ("tube") are.
_CONCEPT_WORDS = tuple(
    cue for name, cues in CONCEPTS.items() if name != "content" for cue in cues if re.fullmatch(r"[a-z-]+", cue)
)
_FIRST_PERSON = re.compile(FIRST_PERSON, re.IGNORECASE)
_SPEC_SOURCE = re.compile(SPEC_SOURCE, re.IGNORECASE)
_PRODUCT_SUBJECT = re.compile(PRODUCT_SUBJECT, re.IGNORECASE)
_OWN_MEASUREMENT = re.compile(OWN_MEASUREMENT, re.IGNORECASE)
_OWN_LIFE = re.compile(OWN_LIFE, re.IGNORECASE)
# A question asks about a figure when it ends in a question mark and is phrased as one (a question word or
# particle, or an English auxiliary first): "The retail price is $149??" is an exclamation, not a question.
_QUESTION = re.compile(
    r"^\W*(?:is|are|does|do|did|can|could|will|would|should|how|what|which|when|anyone|any)\b[^?？]*[?？]+\W*$|"
    r"(?:吗|嗎|么|麼|请问|請問|是不是|能不能|会不会|會不會|可不可以|有没有|有沒有|多少|多久)[^?？。]*[?？]+\W*$|"
    r"[吗嗎]\W*$",
    re.IGNORECASE,
)
_PER_JOIN = re.compile(r"^\s?(?:才|含|=|就有|只要)\s?(?:\d|[一二三四五六七八九十两几])")
_MENTION = re.compile(r"[@#][\w\u4e00-\u9fff-]+")  # "@brewbro", "#tag": names, not words of the clause
_IN_MY = re.compile(r"\b(?:in|on|at|with|for|during|around|into)\s+(?:my|our)\b", re.IGNORECASE)
_BASIS_BEFORE = re.compile(r"(?:每|\bper|\beach|/)\s*$", re.IGNORECASE)
_OWNED_FOR = re.compile(OWNED_FOR, re.IGNORECASE)
_ADDED_BEFORE = re.compile(ADDED_BEFORE, re.IGNORECASE)
_ADDED_AFTER = re.compile(ADDED_AFTER, re.IGNORECASE)
_PAID_CUES = re.compile(PAID, re.IGNORECASE)
_FEE = re.compile(FEE, re.IGNORECASE)
_LEAD_CHARS = 12
_WEAK_SEPARATORS = re.compile(r"[,，、;；。!！?？\n:：|]|\.(?=\s|$)| / ")
_STRONG_SEPARATORS = re.compile(r"[;；。!！?？\n]|\.(?=\s|$)| / ")
_CONJUNCTION = re.compile(r"\b(?:and|or|while|whereas|but|vs\.?|versus)\b|和|或|而|与|與|及|跟|[+＋&]", re.IGNORECASE)
_WORD = re.compile(r"[a-z][a-z0-9]*(?:-[a-z0-9]+)*")
_CJK = re.compile(r"[\u4e00-\u9fff]+")
_STOP_TEXT = (
    "a an the is are was were be been it its this that these those of to in on at for with by from and or but so as "
    "than then also only just very up about around approx approximately roughly model version one"
)
_TERM_STOP = frozenset(_STOP_TEXT.split(" "))
# Function characters make no condition bigram ("的猫", "约45"); negated stretches name no condition
# ("no always-on display", "把常亮关掉").
_FUNCTION_CHARS = frozenset("的约為为是在了和或与與及后後时時请請需可能有也就都很还還")
_NEGATED = re.compile(
    r"\b(?:no|not|without|never|turn(?:ed)? off|switch(?:ed)? off)\s+(?:[\w-]+\s+){0,1}[\w-]+|"
    r"(?:不|没|沒|关掉|關掉|关闭|關閉)[\u4e00-\u9fff]{1,3}|[\u4e00-\u9fff]{2}(?=关掉|關掉|关了|關了|关闭|關閉)",
    re.IGNORECASE,
)
_NEGATOR = re.compile(
    r"^(?:no|not|without|never|turn(?:ed)? off|switch(?:ed)? off)\b|^(?:不用|不|没有|没|沒有|沒|关掉|關掉|关闭|關閉)|"
    r"(?:关掉|關掉|关了|關了|关闭|關閉)$",
    re.IGNORECASE,
)
_DENIED_BEFORE = re.compile(
    r"(?:不是|不代表有?|并非|並非|\bnot|\bisn't|\baren't)\s*$"
    r"|(?:而非|而不是|\brather than|\binstead of)[^，,。.;；!！?？\d]{0,6}$",
    re.IGNORECASE,
)
# A likeness: "拿在手上相当于一台6寸的", "feels like a 10 kg bag": the figure is of what the product is likened to.
_LIKENED_BEFORE = re.compile(
    r"(?:相当于|相當於|等同于|等同於|好比|堪比|(?<!好)像是?"
    r"|\b(?:equivalent to|comparable to|the size of|feels like)\s+(?:an?\s+)?)"
    r"[^，,。.;；!！?？\d]{0,2}$",
    re.IGNORECASE,
)
_CHILD_SUBJECT = re.compile(
    r"(?:宝宝|寶寶|娃|孩子|儿子|兒子|女儿|女兒|闺女|閨女)(?:今年|现在|現在|已经|已經|才|都|快)?\s*$|"
    r"\b(?:baby|son|daughter|toddler|kid|little one|boy|girl)\s+(?:is|was|turned|just turned|is now)\s*$",
    re.IGNORECASE,
)
# "my 5 year old", "a 3-month-old": the age of a person (or of the writer's old device), not a span of the product.
_AGE_AFTER = re.compile(r"^[\s-]*old\b", re.IGNORECASE)
_AGE_OWNER_BEFORE = re.compile(r"\b(?:a|an|my|our|your|his|her|their)\W*$", re.IGNORECASE)
_WORD_TAIL = re.compile(r"^[A-Za-z0-9']+")
_PERSONAL_WINDOW = 40  # characters before a figure in which a first-person subject makes it the writer's
_SIBLING_SPREAD = 10.0  # siblings (one attribute under several conditions) are at most this many times apart


def _separators(text: str, pattern: re.Pattern[str]) -> list[tuple[int, int]]:
    """Spans of separators outside brackets ("(inner tent, fly and poles)" is not split)."""
    depth, level = 0, [0] * (len(text) + 1)
    for i, ch in enumerate(text):
        if ch in "(（[【":
            depth += 1
        level[i] = depth
        if ch in ")）]】":
            depth = max(0, depth - 1)
    return [(m.start(), m.end()) for m in pattern.finditer(text) if level[m.start()] == 0]


def _span_around(separators: list[tuple[int, int]], start: int, end: int, length: int) -> tuple[int, int]:
    left = max((e for s, e in separators if e <= start), default=0)
    right = min((s for s, e in separators if s >= end), default=length)
    return left, right


_FOOD_FOR = re.compile(r"[猫貓狗犬]粮|[猫貓狗犬]糧|\b(?:cat|dog|pet|kitten|puppy) (?:food|kibble)\b", re.IGNORECASE)


# The figures of one text are read in the same windows again and again (each clause for each of its figures).
@lru_cache(maxsize=4096)
def _concepts(window: str, dimension: str) -> frozenset[str]:
    window = _FOOD_FOR.sub("粮", window)  # cat food is the product, not a cat
    return _CONCEPT_CUES.named_in(window, lambda name: dimension in CONCEPT_DIMENSIONS.get(name, (dimension,)))


@lru_cache(maxsize=4096)
def _unmet(window: str) -> frozenset[str]:
    """Condition terms the text denies ("no always-on display", "不用注册", "把常亮关掉")."""
    terms: set[str] = set()
    for match in _NEGATED.finditer(window):
        stretch = _NEGATOR.sub(" ", match.group())
        terms.update(t for t in _terms(stretch, [], None, negation=False) if t[0] not in "#=")
    return frozenset(terms)


def _terms(window: str, figures: list[Quantity], own: Quantity | None, negation: bool = True) -> frozenset[str]:
    """Condition terms of a stretch of text: its words (English words, Chinese bigrams), the canonical names
    of the variant words it uses, and the other figures in it (a size can be a condition: "1.5米款")."""
    if negation:
        window = _NEGATED.sub(lambda m: " " * len(m.group()), window)
    lowered = window.lower()
    terms = {
        word
        for word in _WORD.findall(lowered)
        if word not in _TERM_STOP and len(word) > 1 and not word.startswith(_CONCEPT_WORDS)
    }
    for run in _CJK.findall(window):
        terms.update(run[i : i + 2] for i in range(len(run) - 1) if not set(run[i : i + 2]) & _FUNCTION_CHARS)
    terms.update("@" + name for name in _CONDITION_CUES.named_in(window))
    terms.update(_other_figure_terms(figures, own))
    return frozenset(terms)


def _other_figure_terms(figures: list[Quantity], own: Quantity | None) -> frozenset[str]:
    """The figures among ``figures`` other than ``own`` and ``own`` converted ("8.2 kg (18 lb)"), as terms."""
    if own is None:
        return frozenset()
    return frozenset(
        _figure_term(other)
        for other in figures
        if other is not own and not (other.dimension == own.dimension and _near(other.value, own.value))
    )


def _figure_term(q: Quantity) -> str:
    return f"#{q.dimension}:{q.value:.3g}"


def _near(a: float, b: float, tolerance: float = 0.1) -> bool:
    return abs(a - b) <= tolerance * max(abs(a), abs(b), 1e-9)


def _meets(a: frozenset[str], b: frozenset[str]) -> int:
    """How many terms of ``a`` are in ``b`` (an English word also matches a longer word it begins)."""
    return sum(
        1
        for x in a
        if x in b
        or (
            x[0].isalpha()
            and len(x) >= 4
            and x.isascii()
            and any(len(y) >= 4 and y.isascii() and (x.startswith(y) or y.startswith(x)) for y in b if y[0].isalpha())
        )
    )


def _blanked(text: str, figures: list[Quantity]) -> str:
    chars = list(text)
    for q in figures:
        chars[q.start : q.end] = " " * (q.end - q.start)
    return "".join(chars)


def _role(text: str, q: Quantity, clause: tuple[int, int]) -> str:
    """The figure's role from the words of its clause: a price paid or a fee, the writer's own span of use,
    life or measurement, or a level of the product."""
    whole = text[clause[0] : clause[1]]
    window_start = max(clause[0], q.start - _PERSONAL_WINDOW)
    before = text[window_start : q.start]
    if window_start > clause[0] and text[window_start - 1].isascii() and text[window_start - 1].isalnum():
        before = _WORD_TAIL.sub("", before, count=1)  # not the tail of a cut word ("fra|me")
    if q.dimension == "currency":
        if _PRICE_CLASS_AFTER.match(text[q.end : clause[1]]):
            return "class"
        # What was bought or paid for may be said just before the clause ("换了块屏，花了300").
        lead = text[max(0, clause[0] - _LEAD_CHARS) : clause[1]] if q.start - clause[0] <= _LEAD_CHARS else whole
        if _PAID_CUES.search(whole):
            return "deal"
        if _FEE.search(lead):
            return "fee"
        if q.role == "deal" and _SPEC_SOURCE.search(whole):
            return "level"  # "官方价才899,比预想的低": the official price, quoted
        return q.role
    if q.dimension == "time" and q.role == "level" and _OWNED_FOR.search(text[clause[0] : q.start]):
        return "elapsed"
    if q.dimension == "time" and _AGE_AFTER.match(text[q.end : clause[1]]) and _AGE_OWNER_BEFORE.search(before):
        return "personal"
    if q.dimension != "time" and _BASIS_BEFORE.search(text[max(clause[0], q.start - 4) : q.start]):
        return "basis"  # "每100克含", "per 100 g": the amount a figure is given for
    if q.role != "level" or _SPEC_SOURCE.search(whole):
        return q.role
    if _LIKENED_BEFORE.search(text[max(clause[0], q.start - 16) : q.start]):
        return "likened"
    if _ADDED_BEFORE.search(text[max(clause[0], q.start - 24) : q.start]) or _ADDED_AFTER.match(
        text[q.end : clause[1]]
    ):
        return "added"  # a part added, given or wished for ("加装了一条8G内存", "upgraded to 8 GB"): not the product's
    if _OWN_MEASUREMENT.search(whole) or _OWN_LIFE.search(whole):
        return "personal"
    if _DENIED_BEFORE.search(text[max(clause[0], q.start - 20) : q.start]):
        return "denied"  # "不代表有20种口味", "it's not 5 kg": a figure the writer denies is no claim of it
    if _CHILD_SUBJECT.search(before):
        return "personal"  # "宝宝一岁十个月", "our son is 14 months": the writer's child's age
    persons = list(_FIRST_PERSON.finditer(before))
    if persons and not _PRODUCT_SUBJECT.search(before[persons[-1].end() :]):
        return "personal"
    after = text[q.end : min(clause[1], q.end + _PERSONAL_WINDOW)]
    if not persons and _IN_MY.search(after) and not _PRODUCT_SUBJECT.search(before):
        return "personal"  # "after 6 weeks in my office", "20 km on my commute"
    return q.role


# Where on the product a count is: one side or face of it.
_SIDE_BEFORE = re.compile(
    r"(?:左侧|右侧|左側|右側|左边|右边|左邊|右邊|一侧|一側|侧面|側面|侧边|側邊|背面|背部|后面|後面|正面|前面|前侧|"
    r"前側|后侧|後側|底部|顶部|頂部)[^，,。.;；!！?？\d]{0,4}$|"
    r"\b(?:the\s+)?(?:left|right|rear|back|front|top|bottom)(?:\s+(?:side|edge|panel))?\s+(?:has|have|gets?|with)\s+$",
    re.IGNORECASE,
)
_SIDE_AFTER = re.compile(
    r"^[^,.;!?]{0,24}\b(?:on|along|at)\s+(?:the\s+|each\s+|one\s+)?(?:left|right|rear|back|front|top|bottom|side)\b",
    re.IGNORECASE,
)


def _on_one_side(text: str, q: Quantity, clause: tuple[int, int]) -> bool:
    """Whether a count is of one side or face of the product ("右侧两个USB接口", "two USB ports on the left")."""
    return bool(
        _SIDE_BEFORE.search(text[max(clause[0], q.start - 24) : q.start]) or _SIDE_AFTER.match(text[q.end : clause[1]])
    )


# A second screen of the product: the outer screen of a flip phone, a cover or rear display.
_SECOND_SCREEN_BEFORE = re.compile(
    r"(?:外屏|副屏|背屏|"
    r"\b(?:external|outer|outside|cover|second|secondary|rear|sub)[- ](?:screen|display|lcd)\b)"
    r"[^，,。.;；!！?？\d]{0,12}$",
    re.IGNORECASE,
)


def _of_second_screen(text: str, q: Quantity, clause: tuple[int, int]) -> bool:
    """Whether a figure is of a second screen of the product ("外屏为26万色", "the cover display is 1.9 inches")."""
    return bool(_SECOND_SCREEN_BEFORE.search(text[max(clause[0], q.start - 24) : q.start]))


# Between a share of the charge and how long it lasts: a verb of running on it, not of charging it.
_LASTS_ON = re.compile(
    r"^[^，,。.;；!！?？\d]{0,8}(?:能用|可用|还能|還能|用了|撑|撐|看|玩|用)[^，,。.;；!！?？\d]{0,4}$|"
    r"^[^,.;!?\d]{0,24}\b(?:lasts?|lasted|runs?|ran|goes|went|gets? me|got me|still)\b[^,.;!?\d]{0,16}$",
    re.IGNORECASE,
)
_CHARGING = re.compile(r"充|charg", re.IGNORECASE)
# A percentage told as a gain ("续航提升30%", "30% longer") is no share of the charge.
_GAIN_BEFORE = re.compile(
    r"(?:提升|提高|增加|增长|增長|延长|延長|多了|多出|长了|長了|\b(?:improv\w*|increas\w*|boost\w*|up|more|extra))"
    r"\s?[^，,。.;；!！?？\d]{0,3}$",
    re.IGNORECASE,
)
_GAIN_AFTER = re.compile(r"^\s?(?:more|less|longer|shorter|better|extra|off)\b", re.IGNORECASE)


def _lasts_on_a_share(text: str, q: Quantity, found: list[Quantity], clause: tuple[int, int]) -> bool:
    """Whether a duration is how long a share of the battery lasts ("电量10%能用一小时", "at 20% it still runs an
    hour"): a percentage before it in its clause, not told as a gain ("续航提升30%"), joined by a verb of running
    on it."""
    for share in found:
        if share.dimension != "percent" or not clause[0] <= share.start or share.end > q.start:
            continue
        if _GAIN_BEFORE.search(text[max(clause[0], share.start - 8) : share.start]) or _GAIN_AFTER.match(
            text[share.end : share.end + 12]
        ):
            continue
        gap = text[share.end : q.start]
        if _LASTS_ON.search(gap) and not _CHARGING.search(gap):
            return True
    return False


def _sibling_cut(gap: str) -> int | None:
    """Where the text between two sibling figures divides: at a conjunction ("400 for smoke and 460 for
    pollen"), after a closing bracket ("1.2 kg (non-touch) or"), or at an opening one ("1.2 kg (1.35 kg
    touch)"); None when nothing divides it (both figures share it)."""
    conj = _CONJUNCTION.search(gap)
    if conj:
        return conj.start()
    close = max(gap.rfind(")"), gap.rfind("）"))
    if close >= 0:
        return close + 1
    opening = max(gap.rfind("("), gap.rfind("（"))
    return opening if opening >= 0 else None


def _list_start(text: str, weak: list[tuple[int, int]], left: int, found: list[Quantity]) -> int:
    """Items listed before a clause ("滤网、水箱等配件保修一年") belong to it: its start moves back over each 、
    whose item holds no figure."""
    while left > 0 and text[left - 1] == "、":
        previous = max((e for s, e in weak if e <= left - 1), default=0)
        if any(previous <= q.start < left for q in found):
            break
        left = previous
    return left


def _annotate(text: str, found: list[Quantity]) -> list[Quantity]:
    """Each figure with its role, attribute, voltage and condition terms (see ``Quantity``)."""
    if not found:
        return found
    weak = _separators(text, _WEAK_SEPARATORS)
    strong = _separators(text, _STRONG_SEPARATORS)
    blank = _MENTION.sub(lambda m: " " * len(m.group()), _blanked(text, found))
    segments: list[tuple[int, int]] = []
    for q in found:
        left, right = _span_around(weak, q.start, q.end, len(text))
        left = _list_start(text, weak, left, found)
        # Siblings of one dimension in one clause: split at a conjunction or after a bracket between them.
        for other in found:
            if other is q or other.dimension != q.dimension or _near(other.value, q.value):
                continue
            if left <= other.start < right and other.start >= q.end:
                cut = _sibling_cut(text[q.end : other.start])
                if cut is not None:
                    right = min(right, q.end + cut)
            elif left <= other.end <= right and other.end <= q.start:
                cut = _sibling_cut(text[other.end : q.start])
                if cut is not None:
                    left = max(left, other.end + cut)
        segments.append((left, right))
    annotated: list[Quantity] = []
    for q, (left, right) in zip(found, segments, strict=True):
        clause = _span_around(weak, q.start, q.end, len(text))
        sentence = _span_around(strong, q.start, q.end, len(text))
        role = _role(text, q, clause) if q.kind != "zero" else q.role
        if _QUESTION.search(text[sentence[0] : sentence[1] + 1].strip()):
            role = "asked"  # "八公斤能洗得下吗？": a figure asked about is no claim
        if q.dimension not in ("time", "currency") and _PER_JOIN.match(text[q.end : q.end + 4]):
            role = "basis"  # "一升才两块钱": the amount the next figure is given for
        if role == "level" and (
            (q.dimension == "count" and _on_one_side(text, q, clause)) or _of_second_screen(text, q, clause)
        ):
            role = "part"  # "右侧两个USB接口", "外屏1.8英寸": one side's ports, a second screen's size
        if role == "level" and q.dimension == "time" and _lasts_on_a_share(text, q, found, clause):
            role = "basis"  # "10%能用一小时": how long a share of the charge lasts, not a full charge
        previous = _span_around(weak, max(sentence[0], clause[0] - 1), max(sentence[0], clause[0] - 1), len(text))
        has_lead = previous[0] >= sentence[0] and clause[0] > sentence[0]
        if role == "level" and q.dimension != "currency" and _introduces_writer(text, q, clause, previous, has_lead):
            role = "personal"
        # A clause that names no attribute takes its lead clause's ("兩台都是新款，一台3公斤").
        following_clause = _span_around(
            weak, min(sentence[1], clause[1] + 1), min(sentence[1], clause[1] + 1), len(text)
        )
        # A neighbour with a figure of its own of this dimension lends it its words, not this one
        # ("weighs 2 kg, the rack holds up to 15 kg").
        lends_lead = has_lead and not _holds_dimension(found, previous[0], clause[0], q.dimension)
        lends_next = clause[1] < sentence[1] and not _holds_dimension(
            found, clause[1], following_clause[1], q.dimension
        )
        attribute = (
            _concepts(blank[clause[0] : clause[1]], q.dimension)
            or (_concepts(blank[previous[0] : clause[0]], q.dimension) if lends_lead else frozenset())
            or (_concepts(blank[clause[1] : following_clause[1]], q.dimension) if lends_next else frozenset())
        )
        volts = None
        if q.dimension in ("charge", "energy"):
            volt = next((v for v in found if v.dimension == "voltage" and sentence[0] <= v.start < sentence[1]), None)
            volts = volt.value if volt is not None else None
        in_segment = [o for o in found if left <= o.start and o.end <= right]
        lead = _terms(blank[previous[0] : clause[0]], [], q) if has_lead else frozenset()
        annotated.append(
            dataclasses.replace(
                q,
                role=role,
                attribute=attribute,
                volts=volts,
                context=_terms(blank[left:right], in_segment, q),
                unmet=_unmet(blank[sentence[0] : sentence[1]]),
                # The text lends only its figures ("a 4 kg cat, ... 55 g a day"): its words are too loose.
                # and the clause before it its words ("蓝牙全开+降噪打开,还能用二十个小时").
                scene=_other_figure_terms(found, q) | lead,
            )
        )
    return _with_conditions(_respectively(text, _count_heads(text, _aliases_follow(text, annotated))))


_CHILD_NOUN_PHRASE = re.compile(r"^\s?的?(?:宝宝|寶寶|娃|孩子|儿子|兒子|女儿|女兒|闺女|閨女)\s*$")


def _introduces_writer(
    text: str, q: Quantity, clause: tuple[int, int], previous: tuple[int, int], has_lead: bool
) -> bool:
    """Whether a clause that is only a figure, or a figure naming a child ("三岁半的女儿"), describes the
    writer or their child: the bare figure after "我165，" is the writer's height, not the product's."""
    if _CHILD_NOUN_PHRASE.match(text[q.end : clause[1]]) and not text[clause[0] : q.start].strip():
        return True
    bare = not re.search(r"[A-Za-z\u4e00-\u9fff]", text[clause[0] : q.start] + text[q.end : clause[1]])
    if not bare or not has_lead:
        return False
    lead = text[previous[0] : clause[0]]
    persons = list(_FIRST_PERSON.finditer(lead))
    return bool(persons) and not _PRODUCT_SUBJECT.search(lead[persons[-1].end() :])


def _holds_dimension(found: list[Quantity], start: int, end: int, dimension: str) -> bool:
    """Whether a figure of this dimension lies in ``[start, end)``."""
    return any(start <= o.start < end and o.dimension == dimension for o in found)


_RESPECTIVELY = re.compile(r"分别|分別|respectively", re.IGNORECASE)
_HEAD = re.compile(r"([\u4e00-\u9fff]{2,8}?)(?:数量|數量)\s*[:：]")


def _respectively(text: str, found: list[Quantity]) -> list[Quantity]:
    """ "1.5米和1.8米两个尺寸，重量分别为32公斤和38公斤": the i-th figure after 分别 goes with the i-th
    condition figure before it, which becomes one of its condition terms."""
    match = _RESPECTIVELY.search(text)
    if match is None:
        return found
    after = [i for i, q in enumerate(found) if q.start >= match.end() and q.kind != "zero"]
    if len(after) < 2:
        return found
    dimension = found[after[0]].dimension
    after = [i for i in after if found[i].dimension == dimension]
    before = [q for q in found[: after[0]] if q.dimension != dimension and q.kind in ("measure", "currency")]
    values = [q.value for q in before]
    before = [q for q in before if values.count(q.value) == 1]  # "1.5米×2米和1.8米×2米": 2米 is shared
    if len(before) != len(after):
        return found
    result = list(found)
    for condition, i in zip(before, after, strict=True):
        result[i] = dataclasses.replace(found[i], context=found[i].context | {_figure_term(condition)})
    return result


def _count_heads(text: str, found: list[Quantity]) -> list[Quantity]:
    """A count with only a measure word ("864个") counts the noun its sentence heads with ("弹簧数量：")."""
    strong = _separators(text, _STRONG_SEPARATORS)
    result = list(found)
    for i, q in enumerate(found):
        if q.kind != "count" or not q.counted or len(q.counted) != 1 or q.counted not in _MEASURE_WORDS:
            continue
        sentence = _span_around(strong, q.start, q.end, len(text))
        head = _HEAD.search(text[sentence[0] : q.start])
        if head:
            result[i] = dataclasses.replace(q, counted=head.group(1))
    return result


def _aliases_follow(text: str, found: list[Quantity]) -> list[Quantity]:
    """A figure restated in another unit ("the 2 kg tin, roughly 4.4 lb") reads like the first one."""
    strong = _separators(text, _STRONG_SEPARATORS)
    result = list(found)
    for i, q in enumerate(found):
        sentence = _span_around(strong, q.start, q.end, len(text))
        for first in result[:i]:
            if (
                first.start >= sentence[0]
                and first.dimension == q.dimension
                and first.raw_unit.lower() != q.raw_unit.lower()
                and q.kind == "measure"
                and _near(first.value, q.value, 0.06)
            ):
                result[i] = dataclasses.replace(
                    q, attribute=first.attribute, role=first.role, context=first.context, scene=first.scene
                )
                break
    return result


def _with_conditions(found: list[Quantity]) -> list[Quantity]:
    """Figures of one dimension in one text (a fact's conditions: wired/wireless, 1.5 m/1.8 m) each get the
    terms only their own stretch has, and their siblings' such terms as rivals."""
    result = list(found)
    by_dimension: dict[str, list[int]] = {}
    for i, q in enumerate(found):
        if q.kind in ("measure", "count", "currency", "percent") and not q.relative:
            # A scale ("1-10级") is no sibling of the levels on it ("3级"): ranges pair with ranges.
            by_dimension.setdefault(f"{q.dimension}/{q.role}/{q.bound == 'range'}", []).append(i)
    groups: list[list[int]] = []
    for indices in by_dimension.values():
        # Conditions are figures of one size (3/4/5 kg cats); the amounts they condition (45/55/65 g) are
        # another group of siblings.
        for i in sorted(indices, key=lambda k: abs(found[k].value)):
            last = groups[-1] if groups and groups[-1][0] in indices else None
            if last is not None and abs(found[i].value) <= _SIBLING_SPREAD * max(abs(found[last[0]].value), 1e-9):
                last.append(i)
            else:
                groups.append([i])
    for indices in groups:
        distinct: list[int] = []
        for i in indices:
            if not any(_near(found[i].value, found[j].value) for j in distinct):
                distinct.append(i)
        if len(distinct) < 2:
            continue
        common = frozenset.intersection(*(found[i].context for i in distinct))
        # Each sibling's own value is one of its condition terms too ("=mass:6e+03"), used only when no
        # word tells the condition (see about_other_condition).
        own = {i: (found[i].context - common) | {_self_term(found[i])} for i in distinct}
        for named, unnamed in VARIANT_PAIRS:
            for tag, other in ((f"@{named}", f"@{unnamed}"), (f"@{unnamed}", f"@{named}")):
                if any(tag in own[i] for i in distinct) and not any(other in own[i] for i in distinct):
                    for i in distinct:
                        if tag not in own[i]:
                            own[i] = own[i] | {other}
        for i in indices:
            head = next(j for j in distinct if j == i or (_near(found[i].value, found[j].value)))
            rivals = frozenset().union(*(own[j] for j in distinct if j != head)) - own[head]
            result[i] = dataclasses.replace(found[i], condition=own[head], rivals=rivals)
    return result


def _self_term(q: Quantity) -> str:
    return f"={q.dimension}:{q.value:.3g}"


def shares_attribute(claimed: Quantity, officials: list[Quantity]) -> bool:
    """Whether the claimed figure's clause names an attribute one of these official figures measures (the
    words differ across languages and phrasings; the concept does not: "MSRP" and "price"). A rating or grade
    (SPF 30, UPF 50, PA+++) names what it measures itself."""
    if claimed.dimension in _NAMED_SCALES:
        return any(same_attribute(claimed, o) for o in officials)
    return any(claimed.attribute & o.attribute for o in officials if same_attribute(claimed, o))


def about_other_condition(claimed: Quantity, official: Quantity) -> bool:
    """Whether the claimed figure is about another condition of the official figure's fact: its clause
    (else the figures of its sentence) names a sibling's terms and not this figure's own, or, when no
    word tells, it is the sibling's very figure ("6 kg" is the 6 kg bag, not the 1.5 kg one)."""
    if not official.rivals:
        return False
    denied_own, denied_rival = _meets(claimed.unmet, official.condition), _meets(claimed.unmet, official.rivals)
    if denied_own != denied_rival:
        # "3 years without registering": not the registered figure, so the unregistered one's
        return denied_own > denied_rival
    own, rival = _meets(claimed.context, official.condition), _meets(claimed.context, official.rivals)
    if rival > own:
        return True
    if own > rival:
        return False
    # No word tells (or both do): the figures and lead words of its sentence, then its very value.
    if not own:
        scene_own, scene_rival = _meets(claimed.scene, official.condition), _meets(claimed.scene, official.rivals)
        if scene_rival != scene_own:
            return scene_rival > scene_own
    term = _self_term(claimed)
    return term in official.rivals and term not in official.condition


def _bound_before(text: str, start: int) -> str:
    before = text[max(0, start - 16) : start]
    for pattern, bound in (
        (_AT_MOST_BEFORE, "at_most"),
        (_AT_LEAST_BEFORE, "at_least"),
        (_LESS_BEFORE, "less_than"),
        (_MORE_BEFORE, "more_than"),
        (_APPROX_BEFORE, "approx"),
    ):
        if pattern.search(before):
            return bound
    return "exact"


# Memory words next to a lowercase "g": the figure is gigabytes, as shops write them.
_STORAGE_CONTEXT = re.compile(
    r"内存|內存|存储|存儲|储存|儲存|运存|運存|闪存|閃存|扩展|擴展|\b(?:rom|ram|storage|memory|microsd|sd card)\b", re.I
)


# A mobile network named by its generation: "4G上网", "双4G", "全网通5G", "4G LTE", "5G network".
_NETWORK_AFTER = re.compile(
    r"^\s?(?:上网|上網|网络|網絡|网速|網速|信号|信號|通话|通話|全网通|全網通|版|手机|手機|网|網|卡|"
    r"lte\b|networks?\b|signal\b|data\b|coverage\b|connectivity\b|speeds?\b|sim\b|cellular\b|calls?\b|"
    r"internet\b|hotspot\b|version\b|model\b|phones?\b)",
    re.IGNORECASE,
)
_NETWORK_BEFORE = re.compile(r"(?:双|雙|全网通|全網通|移动|移動|联通|聯通|电信|電信)\s?$")
_MEMORY_AFTER = re.compile(rf"^\s?(?:b\b|{_STORAGE_CONTEXT.pattern})", re.IGNORECASE)


def _is_network_generation(text: str, match: re.Match[str], value: float) -> bool:
    """Whether a whole number of G from 2 to 6 with no space before the G names a mobile network generation."""
    if value not in (2.0, 3.0, 4.0, 5.0, 6.0) or not re.fullmatch(r"\d", match.group("num")) or match.group("sep"):
        return False
    after = text[match.end() : match.end() + 12]
    if _MEMORY_AFTER.match(after):
        return False
    return bool(_NETWORK_AFTER.match(after) or _NETWORK_BEFORE.search(text[max(0, match.start() - 4) : match.start()]))


def _from_match(text: str, match: re.Match[str]) -> Quantity | None:
    number_text = match.group("num")
    value = parse_number(number_text)
    if value is None:
        return None
    unit_text = match.group("unit")
    prefix = match.group("prefix") or match.group("prefix2")
    start, end = match.start(), match.end()
    before = text[max(0, start - 10) : start]
    after = text[end : end + 12]
    is_word_number = bool(re.fullmatch(_EN_WORD_NUM, number_text.strip(), re.IGNORECASE))
    is_zh_number = bool(re.fullmatch(_ZH_NUM, number_text.strip()))
    after_name = is_zh_number and bool(re.search(r"[A-Za-z]$", before))
    if not prefix and _NOT_A_FIGURE_BEFORE.search(before) and not is_word_number and not after_name:
        return None  # 蓝牙5.3, IPX4, Q3, USB-C 3.1 (a Chinese numeral after a name is a figure: "DHA八十毫克")
    if _DATE_AFTER.match(text[match.end("num") :]) and not unit_text:
        return None
    if unit_text in ("G", "g") and _is_network_generation(text, match, value):
        return None  # 4G上网, 双4G, "4G LTE": a generation of mobile network, not gigabytes
    if unit_text and unit_text.lower() in ("年",) and value > 1900:
        return None  # a year, not a duration
    if unit_text == "月" and after.startswith("份"):
        return None  # 三月份 is March, not three months
    split_decimal = bool(unit_text and unit_text.lower() in _SPLIT_DECIMAL_UNITS and _ZH_DIGIT_AFTER.match(after))
    compound_next = bool(unit_text) and bool(re.match(rf"^\s?(?:{_ARABIC})\s?(?:{_UNIT})", after, re.IGNORECASE))
    if (re.match(r"^\s?\d", after) and not split_decimal and not compound_next) or (
        not unit_text and re.match(r"^\.\d", after)
    ):
        return None
    if unit_text and unit_text.lower() in ("月", "日", "天") and re.match(r"^\s?\d", text[end:]):
        return None
    second = bool(unit_text) and unit_text.lower() == "second"
    if second and number_text.strip().lower() == "a" and re.match(r"^\s+[a-z]", text[end:], re.IGNORECASE):
        return None  # "a second cup": an ordinal
    # Bare "a"/"an"/"half"/"single": only before a unit (an hour, a week).
    if (
        is_word_number
        and (
            number_text.strip().lower() in ("a", "an", "single", "double", "half a", "half an")
            or number_text.strip().lower().split()[-1] in ("full", "whole", "entire")
        )
        and not unit_text
    ):
        return None
    high_text = match.group("num2")
    high = parse_number(high_text) if high_text else None
    if (
        not unit_text
        and is_zh_number
        and len(number_text) > 1
        and number_text.endswith("两")
        and not re.match(rf"^[{_MEASURE_WORDS}天年月周次岁]", text[end:])  # "一两个", "一两天": one or two
    ):
        value = parse_number(number_text[:-1]) or 0.0  # "二两": two liang, a mass
        return _measure(text, match, value, None, "两", "mass", "g", 50.0)
    if unit_text:
        unit_key = unit_text.lower()
        if unit_key in ("a", "v", "m", "s", "h", "l", "g", "w") and not re.match(
            r"[\d\s]", text[match.end("num") :][:1] or "x"
        ):
            pass
        dimension, canonical, factor = _UNITS[unit_key]
        if unit_key in _ANGLE_UNITS:
            # 度/°/degrees are a temperature only when heat is being talked about (not "360度旋转")
            if _HEAT_CONTEXT.search(text[max(0, start - 24) : end + 12]):
                dimension, canonical, factor = "temperature", "°C", 1.0
            else:
                dimension, canonical, factor = "angle", "°", 1.0
        if unit_key in ("块", "块钱") and re.match(r"^[\u4e00-\u9fff]", text[end:]) and not text[end:].startswith("钱"):
            return _count(text, match, value, high, None)
        if unit_key in ("月", "天", "日", "年") and not (is_zh_number or re.fullmatch(_ARABIC, number_text.strip())):
            return None
        if unit_text == "G" and not match.group("sep"):
            dimension, canonical, factor, unit_text = "data", "GB", 1.0, "GB"  # "512G", "12G内存": storage
        if unit_text == "g" and not match.group("sep") and _STORAGE_CONTEXT.search(text[max(0, start - 8) : end + 12]):
            dimension, canonical, factor, unit_text = "data", "GB", 1.0, "GB"  # "128g内存", "扩展到256g": not grams
        quantity = _measure(text, match, value, high, unit_text, dimension, canonical, factor)
        return _adjusted(text, match, quantity, after, split_decimal)
    if prefix:
        dimension, canonical, factor = _UNITS[prefix.lower()]
        return _measure(text, match, value, high, prefix, dimension, canonical, factor)
    if number_text.strip().lower() == "zero":
        return None  # "zero fat": a claim of none at all, found by _ZERO
    if _PRICE_BEFORE.search(text[max(0, start - 40) : start]) and not _COUNT_NOUN_ZH.match(text[end:]):
        # "官方价二百九十九", "标价3799": a bare number after a price word is a price
        currency = "CNY" if re.search(r"[\u4e00-\u9fff]", text[max(0, start - 12) : start]) else "USD"
        return _measure(text, match, value, high, "元" if currency == "CNY" else "$", "currency", currency, 1.0)
    if is_zh_number and number_text in ("一", "半"):
        zh_count = _COUNT_NOUN_ZH.match(text[end:])
        if not zh_count:
            return None
    return _count(text, match, value, high, None)


# A span of time the writer has lived through is not a specification: "才用了三天就坏了", "到手一周了",
# "找了半天", "two weeks ago", "I've had it for a month". A time with "once"/"一次" or "every" is a period.
_ELAPSED_BEFORE = re.compile(
    r"(?:[\u4e00-\u9fff]了|已经|过了|had it for|owned it for|used it for|been using it for)\s*$", re.I
)
_ELAPSED_AFTER = re.compile(r"^\s?(?:了|以来|前|下来|ago\b|in\b(?!\s+\w+\s+(?:mode|setting))|now\b|of use\b)", re.I)
# "after N" is a threshold in a spec ("试用30天后可退") and a lived span only with a past marker.
_AFTER = re.compile(r"^\s?(?:后|後|之后|之後|以后|以後|later\b)", re.I)
_PAST_MARKER = re.compile(r"了|已经|已經|过了|過了|\b(?:had|was|were|been|did|got|started|bought)\b", re.I)
# "每天30分钟视频通话" is a daily amount of use, not how long the product lasts ("每次" is per charge: a spec)
_PERIOD_BEFORE = re.compile(
    r"(?:每|每隔|每天|每日|每晚|每周|每週|every|once (?:a|an|every|per)|twice (?:a|an)|per|\bonce|\btwice)\s*$"
    # "每天听歌两小时": a daily amount of an activity, its verb between ("每天能用10小时" says what it can do)
    r"|(?:每天|每日|每晚)(?:(?![能可])[\u4e00-\u9fff]){1,4}$",
    re.I,
)
_PERIOD_AFTER = re.compile(
    # "半年换一次" is a period; "半年都不用倒一次" is not once in half a year, a level
    r"^\s?(?:(?:(?![不没沒])[\u4e00-\u9fff]){0,4}(?:一次|1次|两次|一回)|(?:once|twice) (?:a|an|per|every)\b|a time\b)",
    re.I,
)


def _time_role(text: str, start: int, end: int) -> str:
    before, after = text[max(0, start - 16) : start], text[end : end + 12]
    if _PERIOD_BEFORE.search(before) or _PERIOD_AFTER.match(after):
        return "period"
    if _ELAPSED_BEFORE.search(before) or _ELAPSED_AFTER.match(after):
        return "elapsed"
    if _AFTER.match(after) and _PAST_MARKER.search(before):
        return "elapsed"
    return "level"


def _convert(value: float, raw_unit: str, factor: float) -> float:
    unit = UNITS.get(raw_unit.lower())
    return unit.to_canonical(value) if unit is not None else value * factor


def _measure(
    text: str,
    match: re.Match[str],
    value: float,
    high: float | None,
    raw_unit: str,
    dimension: str,
    canonical: str,
    factor: float,
) -> Quantity:
    start, end = match.start(), match.end()
    low_value = _convert(value, raw_unit, factor)
    high_value = _convert(high, raw_unit, factor) if high is not None else None
    bound = "range" if high_value is not None else _bound_before(text, start)
    if bound == "exact" and _MAX_NAMED.search(text[max(0, start - 30) : start]):
        bound = "at_most"
    elif bound == "exact" and dimension != "time" and _ONLY_BEFORE.search(text[max(0, start - 8) : start]):
        bound = "at_most"  # "only 90 Hz" says it does no more (a duration "only 30 min" is no maximum)
    after = text[end:]
    if bound == "exact":
        if _APPROX_AFTER.match(after):
            bound = "approx"
        elif _AT_LEAST_AFTER.match(after) and (dimension != "currency" or _PRICE_AT_LEAST_AFTER.match(after)):
            bound = "at_least"
        elif _AT_MOST_AFTER.match(after):
            bound = "at_most"
    relative = bool(_RELATIVE_BEFORE.search(text[max(0, start - 6) : start]) or _RELATIVE_AFTER.match(after))
    kind = "percent" if dimension == "percent" else "currency" if dimension == "currency" else "measure"
    role = _time_role(text, start, end) if dimension == "time" else "level"
    if dimension == "currency" and (talks_deals(text) or _PAID.search(text)):
        role = "deal"
    return Quantity(
        role=role,
        start=start,
        end=end,
        text=text[start:end],
        value=low_value if high_value is None else (low_value + high_value) / 2,
        low=low_value if high_value is not None else None,
        high=high_value,
        bound=bound,
        dimension=dimension,
        unit=canonical,
        raw_unit=raw_unit,
        counted=None,
        kind=kind,
        relative=relative,
    )


def _count(text: str, match: re.Match[str], value: float, high: float | None, noun: str | None) -> Quantity | None:
    start, end = match.start(), match.end()
    after = text[end:]
    counted = noun
    span_end = end
    hyphen = _HYPHEN_NOUN.match(after) if counted is None else None
    if hyphen is not None and not _EN_NOUN_STOP.match(hyphen.group(1)):
        counted = hyphen.group(1).lower()
        span_end = end + hyphen.end()
    if counted is None:
        zh = _COUNT_NOUN_ZH.match(after)
        if zh and not zh.group(2) and _COUNT_NOUN_EN.match(" " + after[zh.end() :]):
            # A classifier before an English noun (code-switching: 5个cleaning modes): the noun is counted.
            after, end, zh = " " + after[zh.end() :], end + zh.end() - 1, None
        if zh:
            counted = zh.group(2) or zh.group(1)
            span_end = end + zh.end()
        else:
            en = _COUNT_NOUN_EN.match(after)
            if en is None:
                return None
            if en.group(1):
                counted = en.group(1).lower()
                span_end = end + en.end()
            else:
                words = en.group(2).split()
                if not words or _EN_NOUN_STOP.match(words[0]):
                    return None
                if words[0][:1].isupper() and _NAME_BEFORE.search(text[max(0, start - 20) : start]):
                    return None  # a number inside a name ("the Fire 7 Kids Edition", "Galaxy 9 Plus")
                # The noun phrase ends before a function word ("four people but three").
                stop = next((i for i, w in enumerate(words) if i and _EN_NOUN_STOP.match(w)), None)
                if stop is not None:
                    words = words[:stop]
                # The counted noun ends the noun phrase: the first plural, else the last content word.
                plural = next((i for i, w in enumerate(words) if len(w) > 3 and w.lower().endswith("s")), None)
                if plural is not None:
                    words = words[: plural + 1]
                while words and _EN_NOUN_STOP.match(words[-1]):
                    words.pop()
                counted = words[-1].lower()
                span_end = end + en.start(2) + len(" ".join(words))
    bound = "range" if high is not None else _bound_before(text, start)
    if bound == "exact" and _APPROX_AFTER.match(text[span_end:]):
        bound = "approx"
    return Quantity(
        start=start,
        end=span_end,
        text=text[start:span_end],
        value=value if high is None else (value + high) / 2,
        low=value if high is not None else None,
        high=high,
        bound=bound,
        dimension="count",
        unit="count",
        raw_unit="",
        counted=counted,
        kind="count",
    )


# -- comparison ---------------------------------------------------------------------------------

_APPROX_WIDTH = 0.15
MEASURE_TOLERANCE = 0.1  # a measure within about 10% of the official one is right, in any unit
_TEMPERATURE_SLACK = 2.0  # °C


def _stem(word: str) -> str:
    word = word.lower()
    for suffix in ("ies", "es", "s"):
        if len(word) > len(suffix) + 2 and word.endswith(suffix):
            return word[: -len(suffix)] + ("y" if suffix == "ies" else "")
    return word


def _as_energy(q: Quantity, volts: float | None) -> Quantity | None:
    """A capacity in mAh as the energy it holds at the voltage stated with it (20000 mAh at 3.7 V is 74 Wh)."""
    if q.dimension != "charge" or not volts:
        return None
    scale = volts / 1000
    return dataclasses.replace(
        q,
        dimension="energy",
        unit="Wh",
        value=q.value * scale,
        low=None if q.low is None else q.low * scale,
        high=None if q.high is None else q.high * scale,
    )


def _comparable_pair(a: Quantity, b: Quantity) -> tuple[Quantity, Quantity]:
    """The two figures in one dimension where a voltage converts a capacity to an energy."""
    if {a.dimension, b.dimension} == {"charge", "energy"}:
        volts = a.volts or b.volts
        a = _as_energy(a, volts) or a
        b = _as_energy(b, volts) or b
    return a, b


@lru_cache(maxsize=4096)
def _counted_kinds(noun: str) -> frozenset[str]:
    """What a counted noun counts, by COUNTED_SYNONYMS ("grind setting" and "档" both count settings)."""
    noun = noun.lower()
    last = noun.split()[-1] if noun.split() else noun
    return frozenset(
        kind
        for kind, words in COUNTED_SYNONYMS.items()
        for word in words
        if ((word == last or last.startswith(word)) if word.isascii() else word in noun)
    )


def same_attribute(a: Quantity, b: Quantity) -> bool:
    """Whether two figures measure the same kind of thing and can be compared: one dimension (a capacity
    and an energy when a voltage is stated), one role (a price paid, a fee or the writer's own figure is
    no spec), attributes that meet when both clauses name one (brew time vs auto-off time), and not a
    claimed figure stated for another condition of the official one's fact (see ``about_other_condition``)."""
    a, b = _comparable_pair(a, b)
    if a.kind == "zero" or b.kind == "zero" or a.dimension != b.dimension or a.relative != b.relative:
        return False
    if a.role != b.role:
        return False
    if a.attribute and b.attribute and not a.attribute & b.attribute:
        return False
    if about_other_condition(a, b):  # a is the claimed figure, b the official one
        return False
    if a.dimension == "currency":
        return a.unit == b.unit
    if a.dimension == "count":
        nouns = {(a.counted or "").lower(), (b.counted or "").lower()}
        if nouns & _PRONOUNS:
            return True
        na, nb = _stem(a.counted or ""), _stem(b.counted or "")
        if not na or not nb:
            return False
        kinds_a, kinds_b = _counted_kinds(na), _counted_kinds(nb)
        if kinds_a and kinds_b:
            return bool(kinds_a & kinds_b)
        return na == nb or na in nb or nb in na or bool(set(na) & set(nb) - set(_MEASURE_WORDS) and not na.isascii())
    return True


def _interval(q: Quantity, tolerance: float, approx_width: float = _APPROX_WIDTH) -> tuple[float, float]:
    value = q.value
    slack = abs(value) * tolerance
    if q.bound == "range" and q.low is not None and q.high is not None:
        return q.low - abs(q.low) * tolerance, q.high + abs(q.high) * tolerance
    if q.bound == "approx":
        slack = abs(value) * max(tolerance, approx_width)
    if q.bound in ("at_most", "less_than"):
        return -math.inf, value + slack
    if q.bound in ("at_least", "more_than"):
        return value - slack, math.inf
    return value - slack, value + slack


def compare(claimed: Quantity, official: Quantity, rel_tolerance: float = 0.05) -> str:
    """``consistent``, ``differs`` or ``incomparable``.

    An official maximum ("最高42分贝") admits any claimed value up to it, but a claimed maximum must
    match it; a claimed bound ("不到5克") is consistent when the official value satisfies it."""
    if not same_attribute(claimed, official):
        return "incomparable"
    claimed, official = _comparable_pair(claimed, official)
    tolerance = rel_tolerance
    if claimed.kind == "measure" or claimed.raw_unit.lower() != official.raw_unit.lower():
        tolerance = max(rel_tolerance, MEASURE_TOLERANCE)  # "about 10%" is right in any unit (rounded conversions)
    if claimed.dimension == "temperature":
        # Relative tolerance means nothing near 0 °C: allow a couple of degrees.
        return _compare_temperature(claimed, official, tolerance)
    if claimed.bound == "range" and official.bound == "range":
        return _compare_ranges(claimed, official, tolerance)
    if claimed.bound == official.bound and claimed.bound in ("at_most", "at_least"):
        scale = max(abs(official.value), 1e-9)
        return "consistent" if abs(claimed.value - official.value) <= scale * tolerance else "differs"
    if claimed.bound == "at_least" and official.bound in ("exact", "approx") and claimed.dimension == "currency":
        # "$200+" for $229: a price said to be at least a figure it reaches
        return "consistent" if official.value >= claimed.value * (1 - tolerance) else "differs"
    if claimed.bound in ("at_least", "at_most") and official.bound == "range" and official.low is not None:
        # "6个月以上" against 12-36 months: the claimed end must lie in the official range
        high = official.high if official.high is not None else official.low
        return "consistent" if official.low * (1 - tolerance) <= claimed.value <= high * (1 + tolerance) else "differs"
    if claimed.bound in ("at_most", "at_least") and official.bound in ("exact", "approx"):
        scale = max(abs(official.value), 1e-9)
        width = max(tolerance, _APPROX_WIDTH) if official.bound == "approx" else tolerance
        return "consistent" if abs(claimed.value - official.value) <= scale * width else "differs"
    # The tolerance is the official figure's, not added twice; a claimed "about" is only a little looser.
    c_low, c_high = _interval(claimed, 0.0, approx_width=0.05)
    o_low, o_high = _interval(official, tolerance)
    if claimed.bound in ("less_than", "more_than", "range") or official.bound in (
        "at_most",
        "at_least",
        "less_than",
        "more_than",
        "range",
    ):
        if official.bound in ("exact", "approx"):
            return "consistent" if c_low <= official.value <= c_high else "differs"
        return "consistent" if c_low <= o_high and o_low <= c_high else "differs"
    return "consistent" if c_low <= o_high and o_low <= c_high else "differs"


def _ends(q: Quantity) -> tuple[float, float]:
    if q.bound == "range" and q.low is not None and q.high is not None:
        return q.low, q.high
    return q.value, q.value


def _compare_ranges(claimed: Quantity, official: Quantity, tolerance: float) -> str:
    (c_low, c_high), (o_low, o_high) = _ends(claimed), _ends(official)
    scale = max(abs(o_low), abs(o_high), 1e-9)
    close = abs(c_low - o_low) <= tolerance * scale and abs(c_high - o_high) <= tolerance * scale
    return "consistent" if close else "differs"


def _compare_temperature(claimed: Quantity, official: Quantity, tolerance: float) -> str:
    slack = max(_TEMPERATURE_SLACK, tolerance * max(abs(official.value), abs(claimed.value)) / 2)
    (c_low, c_high), (o_low, o_high) = _ends(claimed), _ends(official)
    if claimed.bound == "range" and official.bound == "range":
        close = abs(c_low - o_low) <= slack and abs(c_high - o_high) <= slack
        return "consistent" if close else "differs"
    if official.bound == "range":
        return "consistent" if o_low - slack <= claimed.value <= o_high + slack else "differs"
    if official.bound in ("at_most", "less_than") and claimed.bound in ("exact", "approx"):
        return "consistent" if claimed.value <= o_high + slack else "differs"
    if official.bound in ("at_least", "more_than") and claimed.bound in ("exact", "approx"):
        return "consistent" if claimed.value >= o_low - slack else "differs"
    if claimed.bound == "range":
        return "consistent" if c_low - slack <= official.value <= c_high + slack else "differs"
    return "consistent" if abs(claimed.value - official.value) <= slack else "differs"


# -- rendering ----------------------------------------------------------------------------------


def _format_number(value: float) -> str:
    if abs(value - round(value)) < 1e-9:
        return f"{round(value):,}" if abs(value) >= 10_000 else str(round(value))
    return f"{value:.2f}".rstrip("0").rstrip(".")


def format_quantity(q: Quantity, like: Quantity | None = None) -> str:
    """The figure ``q`` written in the style (unit, language) of ``like``, e.g. 8 小时 like "12小时" → "8小时"."""
    if like is None or like.dimension != q.dimension or (not like.raw_unit and like.kind != "count"):
        return q.text
    if like.raw_unit and like.raw_unit.lower() not in UNITS:  # a rating or grade (SPF 30, PA+++) is written as is
        return q.text.strip()
    value = q.value
    if q.bound == "range" and q.low is not None and q.high is not None:
        low, high = q.low, q.high
    else:
        low = high = value
    if like.raw_unit:
        unit = UNITS[like.raw_unit.lower()]
        low, high = unit.from_canonical(low), unit.from_canonical(high)
    number = _format_number(low) if low == high else f"{_format_number(low)}-{_format_number(high)}"
    number_match = re.search(_NUMBER, like.text, re.IGNORECASE)
    if number_match is None:
        return q.text
    if like.bound == "range" and like.high is not None:
        second = re.search(_NUMBER, like.text[number_match.end() :], re.IGNORECASE)
        end = number_match.end() + second.end() if second else number_match.end()
        return like.text[: number_match.start()] + number + like.text[end:]
    return like.text[: number_match.start()] + number + like.text[number_match.end() :]


def substitute(sentence: str, claimed: Quantity, official: Quantity) -> str:
    """``sentence`` with the claimed figure replaced by the official one (offsets relative to ``sentence``)."""
    return sentence[: claimed.start] + format_quantity(official, like=claimed) + sentence[claimed.end :]


__all__ = [
    "Quantity",
    "compare",
    "extract_quantities",
    "format_quantity",
    "parse_number",
    "same_attribute",
    "shares_attribute",
    "substitute",
]
