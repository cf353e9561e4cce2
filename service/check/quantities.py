"""Figures in Chinese and English text: numbers, units, bounds, ranges, counts and "none at all".

Embeddings barely see numbers ("10小时" vs "20小时" score 0.90), so figures are extracted and compared
explicitly: every quantity carries its span in the text, its value in a canonical unit (seconds, grams,
millilitres, watts, °C, ...), its bound (exact, approx, at_most, at_least, less_than, more_than, range)
and, for counts, the counted noun. Versions (蓝牙5.3), ratings (IPX4), model names (Q3) and dates are
not measures.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import lru_cache

from service.check.commerce import talks_deals

# -- units --------------------------------------------------------------------------------------

# raw unit (lower case) -> (dimension, canonical unit, factor to canonical)
_UNITS: dict[str, tuple[str, str, float]] = {}


def _add(dimension: str, canonical: str, factor: float, *names: str) -> None:
    for name in names:
        _UNITS[name.lower()] = (dimension, canonical, factor)


_add("time", "s", 1, "s", "sec", "secs", "second", "seconds", "秒", "秒钟")
_add("time", "s", 60, "min", "mins", "minute", "minutes", "分钟", "分鐘")
_add("time", "s", 3600, "h", "hr", "hrs", "hour", "hours", "小时", "个小时", "個小時", "小時", "钟头", "个钟头")
_add("time", "s", 86400, "day", "days", "天", "日")
_add("time", "s", 604800, "week", "weeks", "wk", "wks", "周", "个星期", "星期", "礼拜", "个礼拜")
_add("time", "s", 2592000, "month", "months", "个月", "月")
_add("time", "s", 31536000, "year", "years", "yr", "yrs", "年")
_add("power", "W", 1, "w", "watt", "watts", "瓦", "瓦特")
_add("power", "W", 1000, "kw", "kilowatt", "kilowatts", "千瓦")
_add("energy", "Wh", 1, "wh", "瓦时")
_add("energy", "Wh", 1000, "kwh", "千瓦时", "度电")
_add("charge", "mAh", 1, "mah", "毫安时", "毫安")
_add("charge", "mAh", 1000, "ah", "安时")
_add("voltage", "V", 1, "v", "volt", "volts", "伏", "伏特")
_add("current", "A", 1, "a", "amp", "amps", "ampere", "amperes", "安", "安培")
_add("current", "A", 0.001, "ma")
_add("temperature", "°C", 1, "°c", "℃", "摄氏度", "celsius", "degrees celsius", "degrees c", "度")
_add("temperature", "°C", 1, "°f", "℉", "华氏度", "fahrenheit", "degrees fahrenheit", "degrees f")
_add("mass", "g", 1, "g", "gram", "grams", "gramme", "克")
_add("mass", "g", 1000, "kg", "kilo", "kilos", "kilogram", "kilograms", "公斤", "千克")
_add("mass", "g", 0.001, "mg", "毫克")
_add("mass", "g", 500, "斤")
_add("mass", "g", 453.592, "lb", "lbs", "pound", "pounds", "磅")
_add("mass", "g", 28.3495, "oz", "ounce", "ounces", "盎司")
_add("volume", "ml", 1, "ml", "millilitre", "milliliter", "millilitres", "milliliters", "毫升")
_add("volume", "ml", 1000, "l", "liter", "litre", "liters", "litres", "升", "公升")
_add("volume", "ml", 946.353, "qt", "quart", "quarts")
_add("volume", "ml", 3785.41, "gallon", "gallons", "加仑")
_add("length", "m", 0.001, "mm", "millimetre", "millimeter", "millimetres", "millimeters", "毫米")
_add("length", "m", 0.01, "cm", "centimetre", "centimeter", "centimetres", "centimeters", "厘米", "公分")
_add("length", "m", 1, "m", "metre", "meter", "metres", "meters", "米")
_add("length", "m", 1000, "km", "kilometre", "kilometer", "kilometres", "kilometers", "公里", "千米")
_add("length", "m", 0.0254, "inch", "inches", "in.", "英寸", "寸")
_add("length", "m", 0.3048, "ft", "foot", "feet", "英尺")
_add("loudness", "dB", 1, "db", "decibel", "decibels", "分贝")
_add("pressure", "Pa", 1, "pa", "pascal", "pascals", "帕", "帕斯卡")
_add("pressure", "Pa", 1000, "kpa", "千帕")
_add("percent", "%", 1, "%", "percent", "per cent", "％")
_add("frequency", "Hz", 1, "hz", "赫兹")
_add("frequency", "Hz", 1000, "khz")
_add("currency", "CNY", 1, "元", "块", "块钱", "人民币", "rmb", "yuan", "¥", "￥")
_add("currency", "USD", 1, "$", "usd", "dollar", "dollars", "美元", "美金", "刀")
_add("currency", "EUR", 1, "€", "eur", "euro", "euros", "欧元")
_add("rotation", "rpm", 1, "rpm", "转/分钟", "转每分钟", "转/分")

_FAHRENHEIT = {"°f", "℉", "华氏度", "fahrenheit", "degrees fahrenheit", "degrees f"}
_PREFIX_CURRENCY = {"$", "¥", "￥", "€"}
_MEASURE_WORDS = "台个种款只档次副杯块片颗根支条件套组位项级挡层段节张部把瓶包盒袋份道步圈转人"
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
    r"|seventeen|eighteen|nineteen|a dozen|dozen|a couple of|a couple|half an?|an?|single|double)"
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
    if all(word in _EN_NUMBERS for word in words) and words[0] not in ("a", "an"):
        total = 0.0
        for word in words:
            total = total * _EN_NUMBERS[word] if _EN_NUMBERS[word] in (100, 1000) else total + _EN_NUMBERS[word]
        return total
    if words[0] in ("a", "an") and len(words) == 2 and words[1] in ("dozen", "couple"):
        return float(_EN_NUMBERS[words[1]])
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
    rf"(?:(?P<sep>\s?-\s?|\s?)(?P<unit>{_UNIT}))?",
    re.IGNORECASE,
)
_NOUN_STOP_CHARS = "不没就都也还很太真挺好的了是在和跟与或重长大小高低能可要会才只有多少左右上下以就算"
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
    r"(?:最高|最多|最长|最大|高达|长达|多达|不超过|至多|up to|at most|max(?:imum)?(?: of)?|no more than)\s*$", re.I
)
_AT_LEAST_BEFORE = re.compile(r"(?:至少|最少|起码|不少于|不低于|at least|minimum(?: of)?|no less than)\s*$", re.I)
_MORE_BEFORE = re.compile(r"(?:超过|多于|高于|大于|over|more than|above|greater than|upwards of)\s*$", re.I)
_LESS_BEFORE = re.compile(r"(?:不到|不足|少于|低于|小于|less than|under|below|fewer than)\s*$", re.I)
_APPROX_AFTER = re.compile(r"^\s?(?:左右|上下|或更多|ish\b|or so\b)", re.I)
_AT_LEAST_AFTER = re.compile(r"^\s?(?:以上|起|多(?![少])|\+|or more\b|plus\b)", re.I)
_AT_MOST_AFTER = re.compile(r"^\s?(?:以内|以下|之内|or less\b|max\b|or fewer\b)", re.I)
_RELATIVE_BEFORE = re.compile(r"(?:便宜了?|省了?|降价?了?|优惠了?|减了?|少了|多了|贵了|差了|立减|节省了?|打)\s*$")
_RELATIVE_AFTER = re.compile(
    r"^\s?(?:off\b|cheaper\b|less\b|more\b|lower\b|higher\b|faster\b|slower\b|折|的优惠)", re.I
)
_ZERO = re.compile(
    r"\b(?:no|zero)\s+(?P<en>[a-z]+(?:\s+[a-z]+)?)(?=\s+(?:at all|whatsoever|needed|required|used)\b|\s+at\b)|"
    r"\bzero\s+(?P<en2>[a-z]+)\b|"
    r"(?:完全不用|完全不需要|完全没有|无需|不需要任何|零)(?P<zh>[\u4e00-\u9fff]{1,3})",
    re.IGNORECASE,
)
# Only from the first digit of a number: retried from every digit, a long digit run took quadratic time.
_VOLT_AMP = re.compile(
    r"(?<![\d.])(?P<v>\d+(?:\.\d+)?)\s?V\s?[/×x*]?\s?(?P<a>\d+(?:\.\d+)?)\s?A(?![A-Za-z])", re.IGNORECASE
)


_HEAT_CONTEXT = re.compile(r"[热温烫冷冰凉沸]|加热|温度|水温|油温|摄氏|华氏")
# A price paid in a sale is not a statement of the official price.
_PAID = re.compile(r"\b(?:paid|got it for|bought it for|picked it up for)\b|到手|入手价|买到|拍下", re.IGNORECASE)
_BETWEEN = re.compile(rf"\bbetween\s+(?P<low>{_ARABIC})\s+and\s+(?P<high>{_ARABIC})\s?(?P<unit>{_UNIT})", re.IGNORECASE)


def extract_quantities(text: str) -> list[Quantity]:
    """Every figure in ``text``, sorted by position; ``text[q.start:q.end]`` is the figure as written."""
    return list(_extract_cached(text))


@lru_cache(maxsize=65536)
def _extract_cached(text: str) -> tuple[Quantity, ...]:
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
    found.sort(key=lambda q: (q.start, -q.end))
    return tuple(found)


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
    if not prefix and _NOT_A_FIGURE_BEFORE.search(before) and not is_word_number:
        return None  # 蓝牙5.3, IPX4, Q3, USB-C 3.1
    if _DATE_AFTER.match(text[match.end("num") :]) and not unit_text:
        return None
    if unit_text and unit_text.lower() in ("年",) and value > 1900:
        return None  # a year, not a duration
    if re.match(r"^\s?\d", after) or (not unit_text and re.match(r"^\.\d", after)):
        return None
    if unit_text and unit_text.lower() in ("月", "日", "天") and re.match(r"^\s?\d", text[end:]):
        return None
    # Bare "a"/"an"/"half"/"single": only before a unit (an hour, a week).
    if (
        is_word_number
        and number_text.strip().lower() in ("a", "an", "single", "double", "half a", "half an")
        and not unit_text
    ):
        return None
    high_text = match.group("num2")
    high = parse_number(high_text) if high_text else None
    if unit_text:
        unit_key = unit_text.lower()
        if unit_key in ("a", "v", "m", "s", "h", "l", "g", "w") and not re.match(
            r"[\d\s]", text[match.end("num") :][:1] or "x"
        ):
            pass
        dimension, canonical, factor = _UNITS[unit_key]
        if unit_key == "度" and not _HEAT_CONTEXT.search(text[max(0, start - 10) : end + 6]):
            return None  # 度 is a temperature only when heat is being talked about (not "360度旋转")
        if unit_key in ("块", "块钱") and re.match(r"^[\u4e00-\u9fff]", text[end:]) and not text[end:].startswith("钱"):
            return _count(text, match, value, high, None)
        if unit_key in ("月", "天", "日", "年") and not (is_zh_number or re.fullmatch(_ARABIC, number_text.strip())):
            return None
        return _measure(text, match, value, high, unit_text, dimension, canonical, factor)
    if prefix:
        dimension, canonical, factor = _UNITS[prefix.lower()]
        return _measure(text, match, value, high, prefix, dimension, canonical, factor)
    if number_text.strip().lower() == "zero":
        return None  # "zero fat": a claim of none at all, found by _ZERO
    if is_zh_number and number_text in ("一", "半"):
        zh_count = _COUNT_NOUN_ZH.match(text[end:])
        if not zh_count:
            return None
    return _count(text, match, value, high, None)


# A span of time the writer has lived through is not a specification: "用了两周就刮花了", "入手一周了",
# "找了半天", "two weeks ago", "I've had it for a month". A time with "once"/"一次" or "every" is a period.
_ELAPSED_BEFORE = re.compile(
    r"(?:[\u4e00-\u9fff]了|已经|过了|had it for|owned it for|used it for|been using it for)\s*$", re.I
)
_ELAPSED_AFTER = re.compile(
    r"^\s?(?:了|后|之后|以后|以来|前|下来|ago\b|later\b|in\b(?!\s+\w+\s+(?:mode|setting))|now\b|of use\b)", re.I
)
_PERIOD_BEFORE = re.compile(r"(?:每|每隔|every|once (?:a|an|every|per)|twice (?:a|an)|per)\s*$", re.I)
_PERIOD_AFTER = re.compile(r"^\s?(?:[\u4e00-\u9fff]{0,2}(?:一次|1次|两次|一回)|once\b|twice\b|a time\b)", re.I)


def _time_role(text: str, start: int, end: int) -> str:
    before, after = text[max(0, start - 16) : start], text[end : end + 12]
    if _PERIOD_BEFORE.search(before) or _PERIOD_AFTER.match(after):
        return "period"
    if _ELAPSED_BEFORE.search(before) or _ELAPSED_AFTER.match(after):
        return "elapsed"
    return "level"


def _convert(value: float, raw_unit: str, factor: float) -> float:
    if raw_unit.lower() in _FAHRENHEIT:
        return (value - 32) * 5 / 9
    return value * factor


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
    after = text[end:]
    if bound == "exact":
        if _APPROX_AFTER.match(after):
            bound = "approx"
        elif _AT_LEAST_AFTER.match(after) and dimension != "currency":
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


def _stem(word: str) -> str:
    word = word.lower()
    for suffix in ("ies", "es", "s"):
        if len(word) > len(suffix) + 2 and word.endswith(suffix):
            return word[: -len(suffix)] + ("y" if suffix == "ies" else "")
    return word


def same_attribute(a: Quantity, b: Quantity) -> bool:
    """Whether two figures measure the same kind of thing and can be compared."""
    if a.kind == "zero" or b.kind == "zero" or a.dimension != b.dimension or a.relative != b.relative:
        return False
    if a.role != b.role:
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
        return na == nb or na in nb or nb in na or bool(set(na) & set(nb) - set(_MEASURE_WORDS) and not na.isascii())
    return True


def _interval(q: Quantity, tolerance: float) -> tuple[float, float]:
    value = q.value
    slack = abs(value) * tolerance
    if q.bound == "range" and q.low is not None and q.high is not None:
        return q.low - abs(q.low) * tolerance, q.high + abs(q.high) * tolerance
    if q.bound == "approx":
        slack = abs(value) * max(tolerance, _APPROX_WIDTH)
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
    tolerance = rel_tolerance
    if claimed.dimension == "temperature":
        tolerance = max(rel_tolerance, 0.03)
    if claimed.bound == official.bound and claimed.bound in ("at_most", "at_least"):
        scale = max(abs(official.value), 1e-9)
        return "consistent" if abs(claimed.value - official.value) <= scale * tolerance else "differs"
    if claimed.bound in ("at_most", "at_least") and official.bound in ("exact", "approx"):
        scale = max(abs(official.value), 1e-9)
        width = max(tolerance, _APPROX_WIDTH) if official.bound == "approx" else tolerance
        return "consistent" if abs(claimed.value - official.value) <= scale * width else "differs"
    c_low, c_high = _interval(claimed, tolerance)
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


# -- rendering ----------------------------------------------------------------------------------


def _format_number(value: float) -> str:
    if abs(value - round(value)) < 1e-9:
        return f"{round(value):,}" if abs(value) >= 10_000 else str(round(value))
    return f"{value:.2f}".rstrip("0").rstrip(".")


def format_quantity(q: Quantity, like: Quantity | None = None) -> str:
    """The figure ``q`` written in the style (unit, language) of ``like``, e.g. 8 小时 like "12小时" → "8小时"."""
    if like is None or like.dimension != q.dimension or (not like.raw_unit and like.kind != "count"):
        return q.text
    value = q.value
    if q.bound == "range" and q.low is not None and q.high is not None:
        low, high = q.low, q.high
    else:
        low = high = value
    if like.raw_unit:
        key = like.raw_unit.lower()
        _, _, factor = _UNITS[key]
        if key in _FAHRENHEIT:
            low, high = low * 9 / 5 + 32, high * 9 / 5 + 32
        else:
            low, high = low / factor, high / factor
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
    "substitute",
]
