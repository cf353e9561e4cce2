"""A synthetic community corpus for the bundled sample knowledge bases, with known ground truth.

Key messages, distortions and avoid-topics are planted at known rates, in the knowledge base's language
and (one post in five) in the other one; posts carry authors, timestamps over 30 days and engagement;
some are copy-pasted many times; one author turns from on-message to complaining. Tests check that an
analysis recovers the planted rates; the benchmark uses it as a realistic load.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field

from service.analysis.schemas import Post

Sentence = tuple[
    str, tuple[str, ...], tuple[tuple[str, str], ...], tuple[str, ...]
]  # text, messages, distortions, avoid


@dataclass(frozen=True)
class Templates:
    """Sentences with their labels, per knowledge base."""

    messages: dict[str, list[str]]
    distortions: dict[tuple[str, str], list[str]]
    avoid: dict[str, list[str]]
    filler: list[str]
    complaint: str
    foreign_messages: dict[str, list[str]] = field(default_factory=dict)
    foreign_distortions: dict[tuple[str, str], list[str]] = field(default_factory=dict)
    implied: dict[tuple[str, str], tuple[str, ...]] = field(default_factory=dict)  # a wrong figure still carries


TEMPLATES: dict[str, Templates] = {
    "chengfeng-p5": Templates(
        messages={
            "M1": ["电池2000毫安时,充一次电能榨15杯。", "充满一次电能榨15杯左右,出门不用找插座。"],
            "M2": ["350毫升的杯身刚好放进背包。", "杯子350毫升,随手放进背包带着走。"],
            "M3": ["杯体没装好刀头就不转,用着很放心。", "磁吸安全开关很贴心,杯体没装好刀头不会转。"],
        },
        distortions={
            ("F1", "numeric"): ["杯子容量有500毫升,一次能榨很多。", "这个杯子能装600毫升。"],
            ("F6", "usage"): ["直接放冰块进去打冰沙也没问题。"],
            ("F11", "contradiction"): ["支持蓝牙,可以用手机App控制。"],
        },
        avoid={"A1": ["比别的牌子便宜了五十块,很划算。"]},
        filler=["颜色很好看,我很喜欢。", "包装很精致,送人也合适。", "周末和朋友去爬山了。", "快递第二天就到了。"],
        complaint="说能榨15杯根本没有,太失望了。",
        foreign_messages={"M2": ["The 350 ml cup fits right in my backpack."]},
        foreign_distortions={("F1", "numeric"): ["The cup holds 500 ml, great for smoothies."]},
        implied={("F1", "numeric"): ("M2",)},
    ),
    "lumo-sonic-3": Templates(
        messages={
            "M1": [
                "Three weeks on a single charge, I barely think about charging.",
                "The battery lasts three weeks between charges.",
            ],
            "M2": [
                "The pressure sensor warns me when I brush too hard.",
                "The pressure sensor lights up red when I press too hard.",
            ],
            "M3": [
                "I switch between the three cleaning modes, Sensitive is my favourite.",
                "Three cleaning modes, including Sensitive for my gums.",
            ],
        },
        distortions={
            ("F2", "numeric"): [
                "The battery lasts 60 days on one charge.",
                "The battery lasts 45 days on a single charge.",
            ],
            ("F4", "usage"): ["I just put the handle in the dishwasher to clean it."],
            ("F8", "contradiction"): ["It connects to an app over Bluetooth."],
        },
        avoid={"A1": ["Half the price of my old brand, bought it in a discount sale."]},
        filler=[
            "The blue colour looks nice.",
            "Delivery was quick.",
            "We went hiking at the weekend.",
            "Nice box, feels premium.",
        ],
        complaint="The battery is nowhere near what they promised, really disappointed.",
        foreign_messages={"M2": ["压力传感器在我刷得太用力时会亮红灯提醒。"]},
        foreign_distortions={("F4", "usage"): ["我直接把牙刷手柄放进洗碗机里洗。"]},
        implied={("F2", "numeric"): ("M1",)},
    ),
}


@dataclass
class Corpus:
    """Generated posts and what was planted in them."""

    kb_id: str
    posts: list[Post]
    messages: dict[str, set[str]]  # message id -> post ids
    distortions: dict[tuple[str, str], set[str]]
    avoid: dict[str, set[str]]
    duplicate_ids: set[str]
    backlash_author: str


def generate(
    kb_id: str,
    posts: int = 2000,
    seed: int = 7,
    message_rates: dict[str, float] | None = None,
    distortion_rate: float = 0.12,
    avoid_rate: float = 0.08,
    foreign_rate: float = 0.2,
    copies: int = 25,
) -> Corpus:
    """A corpus of ``posts`` posts for one of the sample knowledge bases."""
    templates = TEMPLATES[kb_id]
    rng = random.Random(seed)
    rates = message_rates or {"M1": 0.30, "M2": 0.20, "M3": 0.10}
    start = dt.datetime(2026, 10, 1, tzinfo=dt.UTC)
    keys = {*templates.distortions, *templates.foreign_distortions}
    corpus = Corpus(kb_id, [], {m: set() for m in rates}, {k: set() for k in keys}, {}, set(), "")
    corpus.avoid = {a: set() for a in templates.avoid}
    authors = [f"user{n:03d}" for n in range(200)]
    for number in range(posts - copies - 3):
        post_id = f"p{number:05d}"
        foreign = rng.random() < foreign_rate
        sentences: list[str] = []
        for message_id, rate in rates.items():
            if rng.random() < rate:
                pool = templates.foreign_messages.get(message_id) if foreign else None
                sentences.append(rng.choice(pool or templates.messages[message_id]))
                corpus.messages[message_id].add(post_id)
        if rng.random() < distortion_rate:
            key = rng.choice(list(templates.foreign_distortions if foreign else templates.distortions))
            foreign_pool = templates.foreign_distortions.get(key) if foreign else None
            sentences.append(rng.choice(foreign_pool or templates.distortions[key]))
            corpus.distortions[key].add(post_id)
            for message_id in templates.implied.get(key, ()):
                corpus.messages[message_id].add(post_id)
        if rng.random() < avoid_rate:
            topic = rng.choice(list(templates.avoid))
            sentences.append(rng.choice(templates.avoid[topic]))
            corpus.avoid[topic].add(post_id)
        sentences.append(_filler(rng, templates, foreign))
        rng.shuffle(sentences)
        corpus.posts.append(_post(rng, post_id, " ".join(sentences), rng.choice(authors), start))
    # A copy-pasted post, posted again and again.
    pasted = templates.messages["M1"][0] + " " + templates.filler[0]
    for copy in range(copies):
        post_id = f"copy{copy:03d}"
        corpus.posts.append(_post(rng, post_id, pasted, f"paster{copy:02d}", start))
        corpus.messages["M1"].add(post_id)
        corpus.duplicate_ids.add(post_id)
    # An author on-message early who complains about the facts later.
    corpus.backlash_author = "turncoat"
    for offset, text in enumerate([templates.messages["M2"][0], templates.messages["M1"][1], templates.complaint]):
        post_id = f"turn{offset}"
        moment = start + dt.timedelta(days=5 + 10 * offset)
        corpus.posts.append(Post(id=post_id, text=text, author="turncoat", timestamp=moment, likes=3))
        if offset == 0:
            corpus.messages["M2"].add(post_id)
        if offset == 1:
            corpus.messages["M1"].add(post_id)
    return corpus


_ZH_PLACES = ["北京", "上海", "成都", "杭州", "深圳", "武汉", "西安", "南京", "重庆", "厦门", "长沙", "青岛"]
_ZH_PEOPLE = ["同事", "表姐", "室友", "邻居", "老同学", "健身教练", "男朋友", "妈妈", "闺蜜", "领导"]
_ZH_MOODS = ["心情不错", "有点累", "挺开心的", "在加班", "刚下班", "准备出差", "在等快递", "刚健完身"]
_EN_PLACES = ["Leeds", "Austin", "Lyon", "Osaka", "Perth", "Denver", "Porto", "Calgary", "Dublin", "Tampa"]
_EN_PEOPLE = ["my sister", "a colleague", "my flatmate", "an old friend", "my trainer", "my neighbour", "my dad"]
_EN_MOODS = ["what a week", "long day", "busy weekend ahead", "coffee first", "rainy again", "finally Friday"]


def _filler(rng: random.Random, templates: Templates, foreign: bool) -> str:
    """An off-topic sentence with enough variety that unrelated posts are not near-duplicates."""
    chinese = not templates.filler[0].isascii()
    if chinese != foreign:
        person, place, mood = rng.choice(_ZH_PEOPLE), rng.choice(_ZH_PLACES), rng.choice(_ZH_MOODS)
        return f"{person}住在{place},{mood},{rng.choice(templates.filler)}"
    person, place, mood = rng.choice(_EN_PEOPLE).capitalize(), rng.choice(_EN_PLACES), rng.choice(_EN_MOODS)
    return f"{person} in {place} told me about it, {mood}. {rng.choice(templates.filler)}"


def _post(rng: random.Random, post_id: str, text: str, author: str, start: dt.datetime) -> Post:
    moment = start + dt.timedelta(minutes=rng.randrange(30 * 24 * 60))
    return Post(
        id=post_id,
        text=text,
        author=author,
        timestamp=moment,
        channel=rng.choice(["xiaohongshu", "weibo", "forum", "review"]),
        likes=int(rng.paretovariate(1.5)) - 1,
        shares=int(rng.paretovariate(2.5)) - 1,
        views=rng.randrange(50, 5000),
    )
