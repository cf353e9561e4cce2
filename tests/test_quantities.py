"""Figure mechanisms: unit conversions, what a figure measures, and conditions (examples written for these tests)."""

from __future__ import annotations

import pytest

from service.check.quantities import Quantity, compare, extract_quantities, same_attribute, shares_attribute
from service.check.unit_table import UNITS, to_canonical


def figure(text: str, index: int = 0, dimension: str | None = None) -> Quantity:
    found = [q for q in extract_quantities(text) if dimension is None or q.dimension == dimension]
    return found[index]


def verdicts(claimed: Quantity, fact: str, dimension: str | None = None) -> list[str]:
    return [
        compare(claimed, official)
        for official in extract_quantities(fact)
        if (dimension is None or official.dimension == dimension) and official.dimension != "voltage"
    ]


def test_the_unit_table_converts_to_one_canonical_unit() -> None:
    assert to_canonical(212, "°F") == pytest.approx(100)
    assert to_canonical(2, "斤") == 1000
    assert to_canonical(1, "sq ft") == pytest.approx(0.0929, rel=1e-3)
    assert UNITS["平米"].dimension == UNITS["m²"].dimension == "area"
    assert UNITS["fl oz"].dimension == "volume"


@pytest.mark.parametrize(
    ("claimed", "official"),
    [
        ("The grill reaches 480 °F", "Grill plate maximum 250 °C"),
        ("Works from 14 °F up to 113 °F", "Operating range -10 °C to 45 °C"),
        ("这口锅有五斤重", "Weight: 2.5 kg"),
        ("净含量一斤二两", "Net weight 600 g"),
        ("The tank holds about 34 fl oz", "水箱容量1升"),
        ("Range is roughly 31 miles per charge", "续航里程50公里"),
        ("A 65-inch panel", "屏幕尺寸165厘米"),
        ("Covers a room of 430 sq ft", "适用面积40平米"),
        ("The timer goes to an hour and a half", "定时最长90分钟"),
        ("半年就要换一次滤芯", "Replace the filter every 26 weeks"),
        ("保修一年半", "Warranty: 18 months"),
        ("The pack stores 74 Wh", "Battery: 20000 mAh at 3.7 V"),
        ("这个一米八的床", "Width 180 cm"),
    ],
)
def test_a_right_figure_in_another_unit_is_consistent(claimed: str, official: str) -> None:
    assert "consistent" in verdicts(figure(claimed), official)


@pytest.mark.parametrize(
    ("claimed", "official"),
    [
        ("The grill reaches 600 °F", "Grill plate maximum 250 °C"),  # 316 °C
        ("这口锅有六斤半重", "Weight: 2.5 kg"),  # 3.25 kg, 30% off
        ("The tank holds 44 fl oz", "水箱容量1升"),  # 1.3 L
        ("Range is 40 miles per charge", "续航里程50公里"),  # 64 km
        ("Covers a room of 540 sq ft", "适用面积40平米"),  # 50 m²
        ("The pack stores 93 Wh", "Battery: 20000 mAh at 3.7 V"),  # 25% over 74 Wh
        ("定时最长两个钟头", "Timer up to 90 minutes"),
    ],
)
def test_a_converted_figure_25_percent_off_differs(claimed: str, official: str) -> None:
    assert verdicts(figure(claimed), official) == ["differs"]


def test_negative_temperatures_and_ranges_with_units_on_both_ends() -> None:
    [span] = extract_quantities("Stores safely from -22 °F to 140 °F")
    assert (span.bound, round(span.low or 0), round(span.high or 0)) == ("range", -30, 60)
    [cold] = extract_quantities("零下十五度也能正常开机")
    assert cold.value == -15
    assert verdicts(span, "储存温度-30℃至60℃") == ["consistent"]
    assert verdicts(figure("Stores from -4 °F to 140 °F"), "储存温度-30℃至60℃") == ["differs"]


def test_angles_are_not_temperatures() -> None:
    assert figure("镜头视角150度").dimension == "angle"
    assert figure("The oven runs at 200 degrees").dimension == "temperature"


@pytest.mark.parametrize(
    ("claimed", "official"),
    [
        ("Paid $89 for it on a flash sale", "The kettle retails at $129."),
        ("券后到手价199元", "官方售价299元"),
        ("Shipping was $25 on top", "The kettle retails at $129."),
        ("上门安装费80元", "官方售价299元"),
        ("我上个月在商场买了一台450元的", "官方售价299元"),  # what the writer bought it for
        ("I bought two of them, $180 in total", "The kettle retails at $129."),
        ("换个滤芯配件花了60元", "官方售价299元"),  # a part, not the product
        ("The repair shop charged $40 for a new lid", "The kettle retails at $129."),
        ("百元以下的电水壶里算好的", "官方售价299元"),  # a class of products, not this one's price
        ("Best kettle in the $100 price range", "The kettle retails at $129."),
        ("壶盖摔裂了只好更换，150元", "官方售价299元"),  # the fee is said in the clause before
        ("售后说要收费，一次30元", "官方售价299元"),
    ],
)
def test_a_price_paid_or_a_fee_is_not_compared_with_the_price(claimed: str, official: str) -> None:
    assert verdicts(figure(claimed), official) == ["incomparable"]


@pytest.mark.parametrize(
    ("claimed", "official"),
    [
        ("My daily commute is 35 km, so I charge it twice a week", "Range is 60 km per charge."),
        ("I've had mine for 8 months", "Warranty: 24 months"),
        ("我家闺女才9公斤，推起来很轻松", "The pram weighs 9 kg."),
        ("我家客厅大概25平米", "适用面积40平米"),
        ("Mine came in at 2.9 kg on my bathroom scale", "Weight: 2.5 kg"),
        ("开着导航骑了三个小时就没电了", "续航8小时"),  # what happened on the writer's own run
        ("Mine died after 4 hours of music", "Up to 10 hours of playback."),
        ("刷了一下午视频，五个小时就用完了", "续航8小时"),
        ("新买的，两天就要充满一次", "待机时间约7天"),
        ("It ran out after 3 hours of gaming", "Up to 8 hours of battery life."),
    ],
)
def test_the_writers_own_figures_are_not_specs(claimed: str, official: str) -> None:
    claimed_figure = next(q for q in extract_quantities(claimed) if q.kind == "measure")
    assert verdicts(claimed_figure, official) == ["incomparable"]


@pytest.mark.parametrize(
    ("claimed", "official"),
    [
        ("Got it for my 6 year old niece", "Includes 1 year of cloud storage."),
        ("Sturdy enough for a 2-year-old", "Warranty: 3 years"),
        ("Upgraded from a 5-year-old laptop", "Warranty: 2 years"),
        ("买给我家6岁的孩子", "会员服务1年"),
    ],
)
def test_a_persons_age_is_not_a_span_of_the_product(claimed: str, official: str) -> None:
    assert verdicts(figure(claimed), official) == ["incomparable"]


def test_an_age_limit_is_still_compared() -> None:
    assert verdicts(figure("The label says it is fine from 6 months old"), "Suitable from 3 years old.") == ["differs"]
    assert verdicts(figure("适合1岁以上儿童"), "适合3岁以上儿童使用") == ["differs"]


def test_a_spec_quoted_in_the_first_person_is_still_compared() -> None:
    assert verdicts(figure("I checked the label and it says 3 kg"), "Weight: 2.5 kg") == ["differs"]
    assert verdicts(figure("我看了参数，标称续航20小时"), "续航12小时") == ["differs"]


@pytest.mark.parametrize(
    ("claimed", "official"),
    [
        ("Brewing takes 4 minutes", "Auto-off after 30 minutes without use."),
        ("Battery lasts 9 months between swaps", "Descale every 3 months."),
        ("保质期三年", "整机保修三年"),
        ("It charges fully in 2 hours", "Battery lasts up to 10 hours."),
        ("洗涤容量10公斤", "整机重量70公斤"),
        ("机身只有8毫米厚", "屏幕尺寸6.5英寸"),  # a thickness is no screen size
        ("The display is 11 inches", "The body is 0.4 inches thick."),
        ("机身9毫米，拿着很薄", "屏幕尺寸6.5英寸"),  # thin is a thickness too
        ("It's only 9 mm, so slim", "A 6.5-inch screen."),
        ("机身三围150mm×72mm×8mm", "配备6.5英寸屏幕"),  # the body's three dimensions
        ("待机能到20天", "连续播放约12小时"),  # standby is no playback time
        ("Standby time is 3 weeks", "Up to 30 hours of playback."),
    ],
)
def test_figures_of_different_attributes_are_not_compared(claimed: str, official: str) -> None:
    claimed_figure = figure(claimed)
    officials = extract_quantities(official)
    if claimed_figure.dimension != officials[-1].dimension:
        pytest.skip("different dimensions are never compared")
    assert not any(same_attribute(claimed_figure, o) for o in officials if o.dimension == claimed_figure.dimension)


def test_figures_of_one_attribute_are_compared() -> None:
    assert verdicts(figure("屏幕有8寸"), "配备6.5英寸屏幕") == ["differs"]
    assert verdicts(figure("Standby is about 30 days"), "待机时间约300小时") == ["differs"]
    assert verdicts(figure("烧水只要三分钟"), "Boils a full kettle in 3 minutes.") == ["consistent"]
    assert verdicts(figure("The kettle boils in 6 minutes"), "烧开一壶水约3分钟") == ["differs"]


CHARGING = "Cable charging reaches 45 W; wireless charging reaches 10 W."
SIZES = "两个尺寸：1.2米款重18公斤，1.5米款重24公斤。"


def test_a_figure_right_for_its_own_condition_passes() -> None:
    assert "consistent" in verdicts(figure("Wireless charging tops out at 10 W"), CHARGING)
    assert "consistent" in verdicts(figure("1.5米那款有24公斤", dimension="mass"), SIZES, "mass")
    assert "consistent" in verdicts(figure("无线充电10W"), CHARGING)


def test_a_figure_of_another_condition_is_flagged() -> None:
    assert verdicts(figure("Wireless charging is a full 45 W"), CHARGING) == ["incomparable", "differs"]
    assert verdicts(figure("1.2米那款有24公斤", dimension="mass"), SIZES, "mass") == ["differs", "incomparable"]
    assert verdicts(figure("无线充电也有45W"), CHARGING) == ["incomparable", "differs"]


def test_a_figure_without_a_condition_may_match_any() -> None:
    assert "consistent" in verdicts(figure("It charges at 45 W"), CHARGING)
    assert verdicts(figure("It charges at 100 W"), CHARGING) == ["differs", "differs"]


def test_the_unnamed_variant_is_the_other_one() -> None:
    fact = "The kettle costs $79, the Plus version $99."
    assert verdicts(figure("The base kettle is $99"), fact) == ["differs", "incomparable"]
    assert "consistent" in verdicts(figure("The Plus version is $99"), fact)


def test_a_figure_restated_in_another_unit_reads_like_the_first() -> None:
    first, restated = extract_quantities("I bought the 10 kg sack, roughly 22 lb")
    assert restated.role == first.role and restated.attribute == first.attribute


def test_a_figure_asked_about_is_no_claim() -> None:
    assert verdicts(figure("这款能装五升水吗？"), "水箱容量3升") == ["incomparable"]
    assert verdicts(figure("Does it really hold 5 L?"), "The tank holds 3 L.") == ["incomparable"]
    assert verdicts(figure("Only 2 L in the tank?! Too small."), "The tank holds 3 L.") == ["differs"]


def test_a_bare_number_after_a_price_word_is_a_price() -> None:
    price = figure("官方售价一千零九十九")
    assert (price.dimension, price.value) == ("currency", 1099)
    assert verdicts(price, "官方售价899元") == ["differs"]


def test_only_states_the_most_it_does() -> None:
    assert figure("刷新率只有60Hz").bound == "at_most"
    assert verdicts(figure("刷新率只有60Hz"), "刷新率最高90Hz") == ["differs"]
    assert verdicts(figure("刷新率60Hz也够用"), "刷新率最高90Hz") == ["consistent"]


def test_a_pets_weight_is_a_condition_of_the_feeding_amount() -> None:
    fact = "Daily amount: a 2 kg kitten 30 g, a 6 kg cat 80 g."
    right = figure("A 6 kg cat gets 80 g a day", dimension="mass", index=1)
    assert "consistent" in verdicts(right, fact, "mass")
    wrong = figure("A 6 kg cat gets 30 g a day", dimension="mass", index=1)
    assert "consistent" not in verdicts(wrong, fact, "mass") and "differs" in verdicts(wrong, fact, "mass")
    # The writer's own cat's ration is their usage, not a spec.
    assert set(verdicts(figure("My 6 kg cat gets 30 g a day", dimension="mass", index=1), fact, "mass")) == {
        "incomparable"
    }


def test_respectively_pairs_each_figure_with_its_condition() -> None:
    fact = "有60厘米和80厘米两种宽度，价格分别为199元和259元。"
    assert verdicts(figure("80厘米那款199元", dimension="currency"), fact, "currency") == ["incomparable", "differs"]
    assert "consistent" in verdicts(figure("80厘米那款259元", dimension="currency"), fact, "currency")


def test_a_bare_measure_word_counts_the_head_noun() -> None:
    [count] = extract_quantities("滤网数量：标准版2片")
    assert count.counted == "滤网"
    assert verdicts(figure("配了3片滤网"), "滤网数量：标准版2片") == ["differs"]


def test_a_denied_condition_is_not_the_figures_condition() -> None:
    fact = "Battery lasts 20 hours; with the always-on display it lasts 8 hours."
    assert verdicts(figure("Roughly 20 hours with no always-on display"), fact) == ["consistent", "incomparable"]
    zh_fact = "续航20小时；开启常亮显示时续航8小时。"
    assert verdicts(figure("开了常亮也有20小时"), zh_fact) == ["incomparable", "differs"]
    assert "consistent" in verdicts(figure("把常亮关掉能撑20小时"), zh_fact)


def test_a_cut_word_is_no_first_person() -> None:
    # the look-back window may start inside "frame"; its tail "me" is not the writer
    [_, _, days] = extract_quantities("3-year cover, 6 years on the frame if the bike is registered within 60 days.")
    assert days.role == "level"


def test_a_childs_age_is_the_writers_not_a_spec() -> None:
    assert figure("宝宝现在一岁半，每天两顿").role == "personal"
    assert figure("Our daughter is 9 months and loves it").role == "personal"
    assert figure("适合一岁以上的宝宝").role == "level"


def test_counted_nouns_meet_across_languages_and_denied_figures_are_no_claim() -> None:
    assert verdicts(figure("风扇有五档"), "The fan has 3 speed settings.") == ["differs"]
    assert verdicts(figure("风扇有三档"), "The fan has 3 speed settings.") == ["consistent"]
    assert verdicts(figure("编号是#9，不代表有9个颜色", index=-1), "共有6个颜色") == ["incomparable"]


def test_a_price_with_a_plus_is_a_lower_bound() -> None:
    assert verdicts(figure("It sells for $100+ in most shops"), "The kettle retails at $129.") == ["consistent"]
    assert verdicts(figure("It sells for $200+ in most shops"), "The kettle retails at $129.") == ["differs"]
    assert figure("官方价299元以上").bound == "at_least"


def test_a_number_inside_a_name_is_no_count() -> None:
    assert [q.text for q in extract_quantities("The Nova 5 Mini Edition costs $59.")] == ["$59"]
    assert figure("It fits 5 mugs on the tray").counted == "mugs"


def test_ratings_and_grades_are_read_and_compared() -> None:
    fact = "Broad spectrum SPF 45 with PA+++ UVA protection."
    assert figure("it's SPF 25 so fine for a walk").text == "SPF 25"  # the figure ends with the rating
    assert verdicts(figure("it's SPF 25 so fine for a walk"), fact) == ["differs", "incomparable"]
    assert verdicts(figure("防晒SPF45够用，但只有PA++"), fact) == ["consistent", "incomparable"]
    assert verdicts(figure("防晒SPF45够用，但只有PA++", index=1), fact) == ["incomparable", "differs"]
    assert verdicts(figure("rated PA+++ for UVA"), fact) == ["incomparable", "consistent"]


def test_a_hyphenated_count_counts_the_joined_word() -> None:
    fact = "The bike has a 7-speed hub."
    assert (figure(fact).value, figure(fact).counted) == (7, "speed")
    assert verdicts(figure("the hub is only 3-speed, fine for town"), fact) == ["differs"]
    assert verdicts(figure("这辆车是7-speed的"), fact) == ["consistent"]


@pytest.mark.parametrize(
    ("text", "dimension"),
    [
        ("内存卡最大支持512g", "data"),  # shops write gigabytes with a lowercase g
        ("256g存储完全够用", "data"),
        ("The tablet has 64g of storage", "data"),
        ("一罐奶粉800g", "mass"),
        ("每勺约5g", "mass"),
    ],
)
def test_a_lowercase_g_next_to_memory_words_is_gigabytes(text: str, dimension: str) -> None:
    assert figure(text).dimension == dimension


@pytest.mark.parametrize(
    ("post", "fact", "verdict"),
    [
        ("4段三岁以上可以喝", "4段适用36–72月龄", "consistent"),
        ("4段一岁以上就可以喝", "4段适用36–72月龄", "differs"),
        ("fits riders of at least 120 cm", "for riders 120-150 cm tall", "consistent"),
        ("fits riders of at least 90 cm", "for riders 120-150 cm tall", "differs"),
        ("holds at most 200 kg", "rated for 100-150 kg", "differs"),
    ],
)
def test_a_claimed_bound_must_lie_in_an_official_range(post: str, fact: str, verdict: str) -> None:
    claimed = next(q for q in extract_quantities(post) if q.kind == "measure")
    official = next(q for q in extract_quantities(fact) if q.bound == "range")
    assert compare(claimed, official) == verdict


@pytest.mark.parametrize(
    ("text", "counted"),
    [("电池充放电800次后仍有九成容量", "次"), ("一次最多能烤六片面包", "次")],
)
def test_a_chinese_count_noun_stops_before_a_word_of_time_or_degree(text: str, counted: str) -> None:
    assert figure(text).counted == counted


@pytest.mark.parametrize(
    "text",
    ["Specs: 3.1 kg, the basket holds up to 10 kg", "参数：3.1公斤，车篮最多装10公斤"],
)
def test_a_neighbour_clause_with_its_own_figure_lends_no_attribute(text: str) -> None:
    first, second = [q for q in extract_quantities(text) if q.dimension == "mass"]
    assert second.attribute and not first.attribute & second.attribute


@pytest.mark.parametrize(
    ("text", "value", "dimension"),
    [
        ("the cartridge lasts a full month", 30 * 86400, "time"),
        ("it ran for a whole week", 7 * 86400, "time"),
        ("每份含钙一百二十毫克", 0.12, "mass"),
        ("Omega3含量三百毫克", 0.3, "mass"),
    ],
)
def test_a_full_unit_and_a_chinese_numeral_after_a_name_are_figures(text: str, value: float, dimension: str) -> None:
    q = figure(text, dimension=dimension)
    assert q.value == pytest.approx(value, rel=0.02)


def test_an_ordinal_chinese_numeral_is_still_no_figure() -> None:
    assert not extract_quantities("第五天")


@pytest.mark.parametrize(
    ("text", "role"),
    [
        ("我165，52公斤，平躺睡", "personal"),
        ("I'm 190 cm, 95 kg, and it holds me fine", "personal"),
        ("一岁半的宝宝，每天都在上面爬", "personal"),
        ("八个月的宝宝就能坐了", "level"),
        ("这款，12公斤", "level"),
    ],
)
def test_a_bare_figure_after_the_writer_or_naming_their_child_is_personal(text: str, role: str) -> None:
    assert figure(text, -1 if "kg" in text or "公斤" in text else 0).role == role


@pytest.mark.parametrize(
    ("text", "value"),
    [("建议每周清洗一次滤网", 7 * 86400), ("每个月换一次水", 30 * 86400), ("每年做一回保养", 365 * 86400)],
)
def test_every_unit_of_time_with_once_is_a_period_of_one_unit(text: str, value: float) -> None:
    q = figure(text, dimension="time")
    assert (q.value, q.role) == (value, "period")
    assert compare(figure("滤网两个星期洗一次", dimension="time"), figure("建议每周清洗一次滤网")) == "differs"
    assert compare(figure("once a week I wash the filter", dimension="time"), figure("建议每周清洗一次滤网")) == (
        "consistent"
    )


def test_every_day_without_once_is_no_figure() -> None:
    assert not [q for q in extract_quantities("每天两顿，每周都买") if q.dimension == "time"]


@pytest.mark.parametrize(
    "text",
    [
        "只有蜂窝版能用5G网络，普通版只有Wi-Fi",
        "移动联通双4G，信号不错",
        "Supports 5G networks and Wi-Fi 6",
        "The 4G LTE model",
    ],
)
def test_a_network_generation_is_no_amount_of_data(text: str) -> None:
    assert [q for q in extract_quantities(text) if q.dimension == "data"] == []


@pytest.mark.parametrize(
    ("text", "value"), [("这台是6G运存的", 6.0), ("标配4G内存", 4.0), ("upgraded to 4G of memory", 4.0)]
)
def test_gigabytes_of_memory_stay_data(text: str, value: float) -> None:
    assert figure(text, dimension="data").value == value


@pytest.mark.parametrize(
    ("text", "role"),
    [
        ("剩下20%电还能撑两个钟头", "basis"),
        ("At 15% it still ran for another 90 minutes", "basis"),
        ("半小时能充到80%", "level"),
        ("It charges to 60% in 20 minutes", "level"),
        ("续航提升了20%能用15小时", "level"),  # a gain, not a share of the charge
        ("20% more battery and it lasts 15 hours", "level"),
    ],
)
def test_how_long_a_share_of_the_charge_lasts_is_no_full_charge(text: str, role: str) -> None:
    assert figure(text, dimension="time").role == role


@pytest.mark.parametrize(
    ("text", "role"),
    [
        ("机器背面有两个网口", "part"),
        ("There is one card slot on the left side", "part"),
        ("The back panel has two HDMI inputs", "part"),
        ("一共只有两个网口", "level"),
        ("It has three card slots", "level"),
        ("左右两个喇叭", "level"),
    ],
)
def test_a_count_of_one_side_is_not_the_products_total(text: str, role: str) -> None:
    assert figure(text, dimension="count").role == role


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ("The Pro model weighs 1.4 kg", True),
        ("Pro版重1.4公斤", True),
        ("Fits in a pocket, and the protection case adds 40 g", False),
        ("The product weighs 1.4 kg", False),
    ],
)
def test_a_variant_name_is_a_whole_word(text: str, named: bool) -> None:
    assert ("@pro" in figure(text).context) is named


@pytest.mark.parametrize(
    ("text", "named"),
    [("The base model has 8 GB", True), ("Based on 8 hours of use a day", False)],
)
def test_the_base_variant_is_a_whole_word(text: str, named: bool) -> None:
    assert ("@base" in figure(text).context) is named


@pytest.mark.parametrize("text", ["This lotion is SPF 15", "这支防晒霜是SPF15的", "The shirt is UPF 30"])
def test_a_rating_names_what_it_measures(text: str) -> None:
    claimed = figure(text)
    assert not claimed.attribute
    assert shares_attribute(claimed, extract_quantities("SPF 30 and UPF 50, PA+++"))


@pytest.mark.parametrize(
    ("text", "attribute"),
    [
        ("I think it is 12 mm", frozenset()),
        ("It is 12 mm thinner than the old one", frozenset({"thickness"})),
        ("机身只有12毫米薄", frozenset({"thickness"})),
        ("a portable 20 W speaker", frozenset()),
        ("the USB port gives 20 W", frozenset({"output"})),
        ("输出口20W", frozenset({"output"})),
        ("the baking temperature is 180°C", frozenset({"temperature"})),
    ],
)
def test_a_short_english_cue_names_its_word_and_inflections_only(text: str, attribute: frozenset[str]) -> None:
    assert figure(text).attribute == attribute


@pytest.mark.parametrize(
    ("text", "role"),
    [
        ("128G的版本实际只有100G能用", "personal"),
        ("The 256 GB model actually only has 230 GB free", "personal"),
        ("续航实际有12小时", "level"),
        ("实际可用容量为10000mAh", "level"),  # how a fact states usable capacity
    ],
)
def test_what_the_writer_found_it_actually_has_is_their_measurement(text: str, role: str) -> None:
    assert figure(text, -1).role == role


@pytest.mark.parametrize(
    ("text", "role"),
    [
        ("屏幕要是13寸就好了", "added"),
        ("A 6000 mAh battery would have been nicer", "added"),
        ("电池是6000毫安的", "level"),
        ("It has a 6000 mAh battery", "level"),
    ],
)
def test_a_figure_the_writer_wishes_for_is_not_the_products(text: str, role: str) -> None:
    assert figure(text).role == role


@pytest.mark.parametrize(
    ("text", "role"),
    [
        ("试机时连续播放40分钟就发烫", "personal"),
        ("After a full charge it kept dying within 40 minutes", "personal"),
        ("满电能放40分钟视频", "level"),
    ],
)
def test_a_trial_run_or_a_unit_dying_is_the_writers_own_run(text: str, role: str) -> None:
    assert figure(text).role == role


@pytest.mark.parametrize(
    ("text", "role"),
    [
        ("翻盖外面的副屏是1.5英寸", "part"),
        ("The cover display is only 2 inches", "part"),
        ("主屏幕是6.1英寸", "level"),
        ("The front display is 6.1 inches", "level"),
        ("The display is 6.1 inches", "level"),
    ],
)
def test_a_figure_of_a_second_screen_is_not_the_main_screens(text: str, role: str) -> None:
    assert figure(text).role == role


@pytest.mark.parametrize(
    ("text", "fact", "comparable"),
    [
        ("微距能拍到4厘米", "机身尺寸150×70×8毫米。", False),
        ("The closest focus is 4 cm", "Dimensions: 15 x 7 x 0.8 cm.", False),
        ("盖子和机身之间有2毫米的缝", "机身厚度8毫米。", False),
        ("机身厚度才6毫米", "机身厚度8毫米。", True),
    ],
)
def test_a_focus_distance_or_a_gap_is_no_size(text: str, fact: str, comparable: bool) -> None:
    claimed = figure(text, -1)
    assert any(same_attribute(claimed, official) for official in extract_quantities(fact)) is comparable


@pytest.mark.parametrize(
    ("text", "role"),
    [
        # a daily amount of an activity, with its verb between, is how the writer uses it...
        ("每天跑步一小时，戴着很舒服", "period"),
        ("每晚看剧两个小时也不觉得累", "period"),
        ("Each night we watch films for two hours.", "personal"),
        # ...but what it can do each day is a claim about the product
        ("每天能用10小时", "level"),
        ("一次充满可以用12小时", "level"),
        ("It runs for 12 hours on a charge.", "level"),
    ],
)
def test_a_daily_amount_of_an_activity_is_no_spec(text: str, role: str) -> None:
    [figure] = [q for q in extract_quantities(text) if q.dimension == "time"]
    assert figure.role == role
