"""The unit table: every unit name the checker reads, in Chinese and English, with its dimension and how
to convert it to the dimension's canonical unit (canonical = (value + offset) * factor).

One table for the figure extractor and anything else that needs units (a lexical encoder can use
``UNITS`` to normalise figures). Plain data, loaded once at import.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Unit:
    """A unit name: its dimension, canonical unit, and the conversion to the canonical unit."""

    dimension: str
    canonical: str
    factor: float
    offset: float = 0.0  # added before the factor: °F → °C is (v - 32) * 5/9

    def to_canonical(self, value: float) -> float:
        """``value`` in this unit, in the canonical unit."""
        return (value + self.offset) * self.factor

    def from_canonical(self, value: float) -> float:
        """A canonical ``value`` written in this unit."""
        return value / self.factor - self.offset


# (dimension, canonical unit, factor, offset, names). Names are matched case-insensitively, longest first.
_TABLE: list[tuple[str, str, float, float, tuple[str, ...]]] = [
    ("time", "s", 1, 0, ("s", "sec", "secs", "second", "seconds", "秒", "秒钟", "秒鐘")),
    ("time", "s", 60, 0, ("min", "mins", "minute", "minutes", "分钟", "分鐘")),
    (
        "time",
        "s",
        3600,
        0,
        (
            "h",
            "hr",
            "hrs",
            "hour",
            "hours",
            "小时",
            "个小时",
            "個小時",
            "小時",
            "钟头",
            "个钟头",
            "個鐘頭",
            "鐘頭",
            "个钟",
        ),
    ),
    ("time", "s", 86400, 0, ("day", "days", "天", "日", "晚")),
    (
        "time",
        "s",
        604800,
        0,
        ("week", "weeks", "wk", "wks", "周", "週", "个星期", "個星期", "星期", "礼拜", "个礼拜", "禮拜"),
    ),
    ("time", "s", 2592000, 0, ("month", "months", "个月", "個月", "月")),
    ("time", "s", 31536000, 0, ("year", "years", "yr", "yrs", "年", "岁", "歲", "周岁", "週歲")),
    ("power", "W", 1, 0, ("w", "watt", "watts", "瓦", "瓦特")),
    ("power", "W", 1000, 0, ("kw", "kilowatt", "kilowatts", "千瓦")),
    ("energy", "Wh", 1, 0, ("wh", "瓦时", "瓦時")),
    ("energy", "Wh", 1000, 0, ("kwh", "千瓦时", "千瓦時", "度电")),
    ("food_energy", "kcal", 1, 0, ("kcal", "大卡", "千卡", "calories", "卡路里")),
    ("charge", "mAh", 1, 0, ("mah", "毫安时", "毫安時", "毫安")),
    ("charge", "mAh", 1000, 0, ("ah", "安时")),
    ("voltage", "V", 1, 0, ("v", "volt", "volts", "伏", "伏特")),
    ("current", "A", 1, 0, ("a", "amp", "amps", "ampere", "amperes", "安", "安培")),
    ("current", "A", 0.001, 0, ("ma",)),
    ("temperature", "°C", 1, 0, ("°c", "℃", "摄氏度", "攝氏度", "celsius", "degrees celsius", "degrees c", "度")),
    ("temperature", "°C", 5 / 9, -32, ("°f", "℉", "华氏度", "華氏度", "fahrenheit", "degrees fahrenheit", "degrees f")),
    ("angle", "°", 1, 0, ("°", "degrees", "degree")),
    ("mass", "g", 1, 0, ("g", "gram", "grams", "gramme", "克")),
    ("mass", "g", 1000, 0, ("kg", "kgs", "kilo", "kilos", "kilogram", "kilograms", "公斤", "千克")),
    ("mass", "g", 0.001, 0, ("mg", "毫克")),
    ("mass", "g", 500, 0, ("斤",)),
    ("mass", "g", 50, 0, ("两",)),
    ("mass", "g", 453.592, 0, ("lb", "lbs", "pound", "pounds", "磅")),
    ("mass", "g", 28.3495, 0, ("oz", "ounce", "ounces", "盎司")),
    ("volume", "ml", 1, 0, ("ml", "millilitre", "milliliter", "millilitres", "milliliters", "毫升")),
    ("volume", "ml", 1000, 0, ("l", "liter", "litre", "liters", "litres", "升", "公升")),
    ("volume", "ml", 29.5735, 0, ("fl oz", "fl. oz", "fluid ounce", "fluid ounces", "液量盎司")),
    ("volume", "ml", 236.588, 0, ("cup", "cups")),
    ("volume", "ml", 946.353, 0, ("qt", "quart", "quarts")),
    ("volume", "ml", 3785.41, 0, ("gallon", "gallons", "加仑")),
    ("length", "m", 0.001, 0, ("mm", "millimetre", "millimeter", "millimetres", "millimeters", "毫米")),
    ("length", "m", 0.01, 0, ("cm", "centimetre", "centimeter", "centimetres", "centimeters", "厘米", "公分")),
    ("length", "m", 1, 0, ("m", "metre", "meter", "metres", "meters", "米")),
    ("length", "m", 1000, 0, ("km", "kilometre", "kilometer", "kilometres", "kilometers", "公里", "千米")),
    ("length", "m", 1609.34, 0, ("mi", "mile", "miles", "英里")),
    ("length", "m", 0.0254, 0, ("inch", "inches", "in.", "″", "英寸", "寸")),
    ("length", "m", 0.3048, 0, ("ft", "foot", "feet", "英尺")),
    ("length", "m", 0.9144, 0, ("yard", "yards", "yd", "码")),
    (
        "area",
        "m²",
        1,
        0,
        (
            "m²",
            "m2",
            "sq m",
            "sqm",
            "square metres",
            "square meters",
            "square metre",
            "square meter",
            "平方米",
            "平方",
            "平米",
            "㎡",
        ),
    ),
    (
        "area",
        "m²",
        0.092903,
        0,
        ("sq ft", "sq. ft.", "sq. ft", "sqft", "ft²", "square feet", "square foot", "平方英尺"),
    ),
    ("airflow", "m³/h", 1, 0, ("m³/h", "m3/h", "立方米/小时", "立方米每小时", "立方/小时")),
    ("airflow", "m³/h", 1.699, 0, ("cfm",)),
    ("loudness", "dB", 1, 0, ("db", "decibel", "decibels", "分贝", "分貝")),
    ("pressure", "Pa", 1, 0, ("pa", "pascal", "pascals", "帕", "帕斯卡")),
    ("pressure", "Pa", 1000, 0, ("kpa", "千帕")),
    ("pressure", "Pa", 1_000_000, 0, ("mpa", "兆帕")),
    ("pressure", "Pa", 100_000, 0, ("bar", "bars", "巴")),
    ("pressure", "Pa", 6894.76, 0, ("psi",)),
    ("percent", "%", 1, 0, ("%", "percent", "per cent", "％")),
    ("frequency", "Hz", 1, 0, ("hz", "赫兹")),
    ("frequency", "Hz", 1000, 0, ("khz",)),
    ("frame_rate", "fps", 1, 0, ("fps", "帧", "帧/秒", "幀")),
    ("resolution", "MP", 1, 0, ("mp", "megapixel", "megapixels", "百万像素")),
    ("resolution", "MP", 0.000001, 0, ("像素",)),
    ("data", "GB", 1, 0, ("gb", "gig", "gigs", "吉字节")),
    ("data", "GB", 1000, 0, ("tb", "terabyte", "terabytes")),
    ("data", "GB", 0.001, 0, ("mb", "megabyte", "megabytes")),
    ("currency", "CNY", 1, 0, ("元", "块", "块钱", "塊", "塊錢", "人民币", "rmb", "yuan", "¥", "￥")),
    ("currency", "USD", 1, 0, ("$", "usd", "us$", "dollar", "dollars", "美元", "美金", "刀")),
    ("currency", "EUR", 1, 0, ("€", "eur", "euro", "euros", "欧元")),
    ("rotation", "rpm", 1, 0, ("rpm", "转/分钟", "转每分钟", "转/分", "转")),
]

UNITS: dict[str, Unit] = {}
for _dimension, _canonical, _factor, _offset, _names in _TABLE:
    for _name in _names:
        UNITS[_name.lower()] = Unit(_dimension, _canonical, _factor, _offset)


def unit_of(name: str) -> Unit | None:
    """The unit a name stands for (case-insensitive), if the table has it."""
    return UNITS.get(name.lower())


def to_canonical(value: float, name: str) -> float:
    """``value`` written in the unit ``name``, in its dimension's canonical unit."""
    return UNITS[name.lower()].to_canonical(value)


__all__ = ["UNITS", "Unit", "to_canonical", "unit_of"]
