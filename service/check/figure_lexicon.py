"""Word lists that tell what a figure measures and whose figure it is, in Chinese and English.

General resources, written from the vocabulary of product specifications and of first-person writing,
not from any labelled post: the attribute concepts a figure can measure (charging time vs auto-off time,
feeding amount vs shelf life, capacity vs weight), cues that a figure is the writer's own (their life,
usage, measurement), that a price is one paid or a fee, and words naming a product variant or
condition. English cues are word prefixes (``charg`` matches charge, charging, charger); Chinese cues
are substrings.
"""

from __future__ import annotations

# concept -> cue words. A figure's attribute is the set of concepts cued in its clause; two figures
# with cued concepts measure different things when the sets do not meet.
CONCEPTS: dict[str, tuple[str, ...]] = {
    "charging": (
        "charg",
        "recharg",
        "top up",
        "refuel",
        "充电",
        "充電",
        "充满",
        "充滿",
        "充饱",
        "充飽",
        "充好电",
        "充好電",
        "回满",
        "快充",
        "回血",
        "re:充(?=\\s)",
    ),
    "runtime": (
        "battery",
        "能用",
        "可用",
        "runtime",
        "run time",
        "lasts",
        "last for",
        "playback",
        "play time",
        "playtime",
        "续航",
        "續航",
        "播放",
        "使用时间",
        "撑",
    ),
    # Standby lasts far longer than use, and talk time far shorter: each its own attribute.
    "standby": ("standby", "stand-by", "待机", "待機"),
    "talk_time": ("talk time", "talktime", "on calls", "of calls", "通话", "通話"),
    "auto_off": (
        "auto-off",
        "auto off",
        "shut off",
        "shuts off",
        "switches off",
        "turns off",
        "shut-off",
        "itself off",
        "itself down",
        "powers down",
        "power down",
        "shuts down",
        "idle",
        "switch off",
        "turn off",
        "shutoff",
        "power off",
        "powers off",
        "sleep timer",
        "自动关",
        "自動關",
        "关机",
        "關機",
        "断电",
        "斷電",
    ),
    "cooking": (
        "cook",
        "bake",
        "fry",
        "roast",
        "grill",
        "boil",
        "simmer",
        "steam",
        "preheat",
        "heat up",
        "煮",
        "烹",
        "炸",
        "烤",
        "蒸",
        "炖",
        "燉",
        "焖",
        "燜",
        "预热",
        "預熱",
        "加热",
        "加熱",
        "熬",
    ),
    "brewing": ("brew", "extract", "shot", "espresso", "pull", "萃取", "冲泡", "沖泡", "出杯", "出咖啡"),
    "keep_warm": ("keep warm", "keep-warm", "keeps warm", "warming", "保温", "保溫"),
    "timer": ("timer", "delay start", "delayed start", "schedule", "preset", "预约", "預約", "定时", "定時"),
    "warranty": ("warranty", "guarantee", "guaranteed", "保修", "保固", "质保", "質保", "包换", "包換", "保养期"),
    "shelf_life": (
        "shelf life",
        "shelf-life",
        "expir",
        "best before",
        "use within",
        "use it within",
        "once opened",
        "after opening",
        "保质期",
        "保質期",
        "开封",
        "開封",
        "过期",
        "過期",
        "保存",
        "存放",
        "放多久",
    ),
    "trial": ("trial", "return", "refund", "试睡", "試睡", "试用", "試用", "退货", "退貨", "无理由", "無理由"),
    "price": (
        "price",
        "cost",
        "costs",
        "msrp",
        "retail",
        "sells for",
        "售价",
        "售價",
        "价格",
        "價格",
        "定价",
        "定價",
        "官方价",
        "官方價",
        "标价",
        "標價",
        "卖",
        "賣",
        "多少钱",
        "多少錢",
    ),
    "weight": (
        "weigh",
        "carry",
        "lift",
        "拎",
        "扛",
        "搬",
        "heavy",
        "lightweight",
        "light as",
        "重量",
        "净重",
        "淨重",
        "毛重",
        "有多重",
        "很重",
        "太重",
        "好重",
        "很轻",
        "很輕",
        "太轻",
        "好轻",
        "轻便",
        "輕便",
        "轻巧",
        "輕巧",
        "分量",
    ),
    "capacity": (
        "capacity",
        "holds",
        "hold up",
        "fits",
        "load",
        "容量",
        "容纳",
        "容納",
        "装",
        "裝",
        "承重",
        "载重",
        "載重",
        "洗涤",
        "洗滌",
        "烘干",
        "烘乾",
        "洗",
        "烘",
        "最多放",
    ),
    "content": (
        "net content",
        "net weight",
        "contains",
        "per can",
        "per tin",
        "bag",
        "pack",
        "pouch",
        "bottle",
        "tube",
        "净含量",
        "淨含量",
        "罐",
        "袋",
        "装",
        "裝",
        "小包",
        "每支",
        "一支",
        "瓶",
        "包装",
        "包裝",
    ),
    "feeding": (
        "feed",
        "serving",
        "portion",
        "scoop",
        "ration",
        "喂",
        "餵",
        "冲调",
        "沖調",
        "勺",
        "每顿",
        "每頓",
        "食量",
        "喂食",
    ),
    "size": (
        "size",
        "dimension",
        "long",
        "length",
        "wide",
        "width",
        "tall",
        "height",
        "floor",
        "尺寸",
        "长度",
        "長度",
        "宽度",
        "寬度",
        "高度",
        "三围",
        "三圍",
    ),
    # A screen's diagonal and a body's thickness are lengths of their own: not compared with each other.
    "screen": ("diagonal", "screen", "display", "屏幕", "屏", "对角", "對角"),
    "thickness": ("thick", "thickness", "thin", "slim", "depth", "厚度", "厚", "薄"),
    "area": (
        "room",
        "coverage",
        "covers",
        "area",
        "space",
        "面积",
        "面積",
        "房间",
        "房間",
        "客厅",
        "客廳",
        "卧室",
        "臥室",
    ),
    "temperature": (
        "temperature",
        "temp",
        "heat",
        "hot",
        "cold",
        "warm",
        "°",
        "温度",
        "溫度",
        "水温",
        "水溫",
        "油温",
        "加热",
        "冷",
        "热",
        "熱",
    ),
    "noise": (
        "loud",
        "quiet",
        "noise",
        "decibel",
        "sound",
        "whisper",
        "噪音",
        "分贝",
        "分貝",
        "声音",
        "聲音",
        "静音",
        "靜音",
    ),
    "spin": ("spin", "rpm", "rotat", "转速", "轉速", "脱水", "脫水", "甩干", "甩乾"),
    "distance": (
        "range",
        "distance",
        "reach",
        "commute",
        "drive",
        "miles a",
        "km a",
        "距离",
        "距離",
        "通勤",
        "开车",
        "開車",
        "里程",
        "公里数",
    ),
    # How near a camera focuses and the width of a gap are lengths of no size of the product.
    "focus": ("macro", "focus", "focusing", "微距", "对焦", "對焦"),
    "gap": ("gap", "clearance", "间隙", "間隙", "缝隙", "縫隙", "缝", "縫"),
    "setup": (
        "pitch",
        "set up",
        "setup",
        "assemble",
        "install",
        "pair",
        "activat",
        "搭",
        "安装",
        "安裝",
        "组装",
        "組裝",
        "设置",
        "設置",
        "激活",
        "配对",
        "配對",
        "初始化",
    ),
    "body": (
        "cat",
        "kitten",
        "dog",
        "puppy",
        "pet",
        "baby",
        "toddler",
        "kid",
        "child",
        "猫",
        "貓",
        "狗",
        "宠物",
        "寵物",
        "宝宝",
        "寶寶",
        "娃",
        "孩子",
        "体重",
        "體重",
    ),
    "age": (
        "age",
        "old",
        "born",
        "newborn",
        "infant",
        "toddler",
        "baby",
        "岁",
        "歲",
        "月龄",
        "月齡",
        "宝宝",
        "寶寶",
        "新生儿",
        "婴儿",
        "嬰兒",
    ),
    "water": ("water resist", "waterproof", "swim", "sweat", "rain", "防水", "游泳", "泳", "出汗", "下雨", "水深"),
    "maintenance": (
        "descal",
        "clean",
        "rinse",
        "replace",
        "swap",
        "change the filter",
        "除垢",
        "清洗",
        "清洁",
        "清潔",
        "自洁",
        "自潔",
        "更换",
        "更換",
        "换滤",
        "換濾",
    ),
    "refill": ("refill", "fill it", "fill up", "加水", "加满", "加滿", "灌满"),
    "storage": ("storage", "memory card", "microsd", "sd card", "存储", "存儲", "内存卡", "記憶卡", "储存卡"),
    "memory": ("ram", "memory", "运行内存", "運行記憶體", "内存"),
    "output": ("output", "port", "输出", "輸出", "接口"),
    "input": ("input", "输入", "輸入", "充电器", "充電器", "charger", "adapter"),
    "cycles": ("cycle", "循环", "循環", "充放电", "充放電"),
    "wear": ("wear", "stay", "long-lasting", "持妆", "持妝", "不脱妆", "不掉色", "持久"),
    "reapply": ("reapply", "re-apply", "补涂", "補塗", "补擦", "补妆", "補妝"),
}

_TIME = ("time",)
# The dimensions a concept can be the attribute of (a concept not listed applies to any): "炸" names a
# cooking time or temperature, not the basket's volume.
CONCEPT_DIMENSIONS: dict[str, tuple[str, ...]] = {
    "charging": ("time", "power", "percent", "current"),
    "runtime": ("time", "percent"),
    "auto_off": _TIME,
    "cooking": ("time", "temperature", "power"),
    "brewing": ("time", "temperature", "pressure", "volume"),
    "warranty": _TIME,
    "keep_warm": ("time", "temperature"),
    "timer": _TIME,
    "shelf_life": _TIME,
    "trial": ("time", "count"),
    "price": ("currency",),
    "weight": ("mass",),
    "body": ("mass",),
    "capacity": ("mass", "volume", "count", "charge", "energy"),
    "content": ("mass", "volume", "count"),
    "feeding": ("mass", "volume", "count"),
    "size": ("length", "area"),
    "screen": ("length",),
    "thickness": ("length",),
    "standby": ("time", "percent"),
    "talk_time": ("time", "percent"),
    "area": ("area", "length"),
    "temperature": ("temperature",),
    "noise": ("loudness",),
    "spin": ("rotation",),
    "distance": ("length",),
    "focus": ("length",),
    "gap": ("length",),
    "setup": ("time",),
    "age": ("time",),
    "water": ("time", "length", "pressure"),
    "maintenance": ("time", "count"),
    "refill": ("time", "count"),
    "storage": ("data",),
    "memory": ("data",),
    "output": ("power", "voltage", "current"),
    "input": ("power", "voltage", "current", "time"),
    "cycles": ("count", "percent"),
    "wear": ("time",),
    "reapply": ("time",),
}

# The writer as the subject or owner: their life, usage and measurements are not the product's specs.
# (He and she are the writer's people, a child or a partner: a product is "it".)
FIRST_PERSON = (
    r"\b(?:i|i'm|i've|i'd|we|we're|we've|my|our|mine|ours|me|us|he|she|he's|she's|his|her)\b|我|咱|俺|本人|自己|他|她"
)
# The writer's own life and other products: a trip, a share per person, what they used before.
OWN_LIFE = (
    r"\b(?:trip|vacation|holiday|journey|coming from|switched from|upgraded from|compared to my|my old|my previous|"
    r"per person|each of us|apiece)\b|旅行|旅游|旅遊|出差|之前用的|以前用的|之前那台|以前那台|之前的|以前的|老款|"
    r"每人|每个人|每個人|人均|(?:用|换|換|买|買|试|試|睡|戴)过"
)
# The writer quoting the spec: then the figure is about the product after all.
SPEC_SOURCE = (
    r"官方|官网|官網|标称|標稱|标的|標的|标注|標註|写着|寫著|写的|寫的|参数|參數|规格|規格|说明书|說明書|详情页|詳情頁|宣传|宣傳|"
    r"号称|號稱|厂家|廠家|客服|\b(?:spec|specs|rated|official|officially|advertis\w*|claims?|label|manual|box|says|listed|"
    r"manufacturer|brand says)\b"
)
# The product (or a model of it) as the subject: "it has", "这台有".
PRODUCT_SUBJECT = (
    r"\b(?:it|it's|its|this|this one|the machine|the device|the unit|they say|that)\b|它|这台|這台|这款|這款|这个|這個|"
    r"这机|這機|这货|這貨|本品|产品|產品"
)
# The writer's own measurement, even without a first-person subject.
OWN_MEASUREMENT = (
    r"实测|實測|自测|自測|亲测|親測|测了|測了|量了|称了|稱了|\b(?:measured|clocked|weighed it|on my \w+ scale|"
    r"my scale|in my testing|i got|i get|i'm getting|i am getting|actually only|only (?:shows|showed|reads|read))\b|"
    # what the writer found it to be: "实际只有24G" (not "实际可用容量", which a fact may state)
    r"实际只有|實際只有|实际上只有|實際上只有|实际才|實際才|"
    # what happened when the writer ran it: it died after N, 看N小时就没电了
    r"就(?:没电|沒電|关机|關機|要充|得充|顶不住|頂不住|撑不住|撐不住|用没|用沒|用完|用光)|"
    r"\b(?:died|dies|dying|goes dead|going dead|went dead|ran out|runs out|running out|drained|drains)\b|"
    # a trial run of the writer's own unit: "试机时开了半小时"
    r"试机|試機|做过测试|做過測試|\b(?:test run|trial run)\b"
)
# Getting and having it: the span after these is how long the writer has owned or used it.
OWNED_FOR = (
    r"(?:入手|到手|买了|買了|用了|戴了|睡了|养了|養了|拿到|收到)[^，,。.;；!！?？]{0,12}$|"
    r"\b(?:had|owned|used|using|wearing|worn|had mine|been using|been wearing|been running|been on)\b"
    r"[^,.;!?]{0,30}\bfor\s+(?:about|around|almost|nearly|over|just|roughly)?\s*$|"
    r"\b(?:had it|owned it|had mine|owned mine|since)\s+(?:for\s+)?"
    r"(?:about|around|almost|nearly|over|just|roughly)?\s*$"
)
# A price actually paid in a sale, or a coupon price.
PAID = (
    r"到手|入手价|入手價|实付|實付|券后|券後|领券|領券|折后|折後|活动价|活動價|秒杀|秒殺|拼单|拼團|拍下|买到|買到|"
    r"买了|買了|买的|買的|买来|買來|买个|買個|花了|购入|購入|以旧换新|以舊換新|抵扣|"
    r"\b(?:paid|got it for|got mine for|bought it for|bought mine for|picked it up for|snagged it for|grabbed it for|"
    r"on sale for|sale price|deal|coupon|discount|black friday|prime day|bought|purchased|spent|trade-in)\b"
)
# Fees are not the product's price.
FEE = (
    r"安装费|安裝費|运费|運費|邮费|郵費|上门费|上門費|服务费|服務費|配送费|配送費|押金|手续费|手續費|维修|維修|修理|配件|"
    r"收费|收費|掏钱|掏錢|要钱|要錢|更换|更換|换屏|換屏|换电池|換電池|换内屏|換內屏|换外屏|換外屏|"
    r"\b(?:fee|fees|shipping|postage|delivery charge|installation|install cost|tax|taxes|deposit|tip|extra|on top|"
    r"repair|repairs|replacement part|to replace|to fix|charged me|charge me)\b"
)

# A part the writer added, was given or wishes for ("加装了一条8G内存", "店里赠的64G卡", "upgraded to 8 GB",
# "要是能有更大的电池就好了"): its figure is that part's, not the product's. Read just before the figure...
ADDED_BEFORE = (
    r"(?:加装|加裝|加了|又加|再加|外加|(?<![附随隨配])送了?|赠送|贈送|赠品|贈品|(?<![附随隨配])赠|贈|升级到|升級到|升级成|"
    r"升級成|扩到|擴到|扩展到|擴展到|扩成|擴成|换成|換成|换了|換了|外接|外置|如果能|要是能|希望能?|最好是|最好能|还想|還想|"
    r"本来想|本來想)[^，,。.;；!！?？\n\d]{0,3}$|(?<![增附])加$|"
    r"\b(?:added|adding|add|upgraded(?: it)? to|upgrade(?: it)? to|upgrading to|swapped in|put in|free|bonus|spare|"
    r"wish(?: it had)?|if only it had)\s+(?:an?\s+|another\s+|one\s+|the\s+)?$"
)
# ...or just after it ("1g赠送的内存", "a 16 GB card for free").
ADDED_AFTER = (
    r"^\s?的?(?:赠送|贈送|赠品|贈品|送的|是送的)|^[^,.;!?]{0,12}\b(?:for free|free of charge|as a bonus)\b|"
    # what the writer wishes it had: "换成12寸会更好", "a 12-inch screen would be better"
    r"^[^，,。；;！!？?]{0,6}(?:会更|會更|就更好|就好了|就完美了)|"
    r"^[^,.;!?]{0,24}\bwould(?:'ve| have)? be(?:en)? (?:better|nicer|perfect|ideal)\b"
)

# Variant pairs: where a fact names one variant's figure ("$749 for the Pro") and not the other's, the
# unnamed sibling is the other variant.
VARIANT_PAIRS: tuple[tuple[str, str], ...] = (
    ("pro", "base"),
    ("lte", "bluetooth"),
    ("touch", "non-touch"),
    ("wireless", "wired"),
    ("opened", "unopened"),
    ("gift_set", "single"),
)

# Variant and condition words of both languages, folded to one canonical term so that a Chinese post can
# name the condition of an English fact.
CONDITION_SYNONYMS: dict[str, tuple[str, ...]] = {
    "wired": ("wired", "cable", "有线", "有線", "插线", "插線"),
    "wireless": ("wireless", "无线", "無線", "magsafe", "qi"),
    "touch": ("touch", "touchscreen", "触屏", "觸屏", "触摸", "觸摸"),
    "non-touch": ("non-touch", "non-touchscreen", "without touch", "非触屏", "非觸屏", "无触屏"),
    "front": ("front", "前摄", "前攝", "前置", "前镜头", "前鏡頭"),
    "rear": ("rear", "back camera", "后摄", "後攝", "后置", "後置", "后镜头", "後鏡頭"),
    # Whole words: as prefixes "pro" and "base" would name protection, products and what a figure is based on.
    "pro": (r"re:(?<![\w-])pro(?![a-z])",),
    "base": (r"re:(?<![\w-])base(?![a-z])", "standard", "regular", "标准版", "標準版", "基础版", "基礎版", "普通版"),
    "lte": ("lte", "cellular", "esim", "4g版", "蜂窝", "蜂窩"),
    "bluetooth": ("bluetooth", "蓝牙版", "藍牙版"),
    "packed": ("packed", "packed weight", "total weight", "整套", "全套", "打包"),
    "trail": ("trail", "trail weight", "minimum weight", "最小重量", "轻量", "輕量"),
    "gps": ("gps", "定位", "导航", "導航"),
    "heavy_use": ("heavy", "always-on", "always on", "重度", "常亮", "频繁", "頻繁"),
    "typical_use": ("typical", "normal", "典型", "日常", "正常使用"),
    "quick": ("quick", "fast", "express", "快煮", "快洗", "快速", "快充"),
    "wash": ("wash", "washing", "洗涤", "洗滌"),
    "dry": ("dry", "drying", "dryer", "烘干", "烘乾"),
    "smoke": ("smoke", "烟", "煙"),
    "pollen": ("pollen", "花粉"),
    "dust": ("dust", "灰尘", "灰塵"),
    "sleep_mode": ("sleep", "night", "睡眠", "夜间", "夜間"),
    "turbo": ("turbo", "boost", "max mode", "强力", "強力", "极速", "極速"),
    "fly": ("fly", "rainfly", "外帐", "外帳"),
    "floor": ("floor", "底布", "地布", "帐底", "帳底"),
    "opened": ("opened", "open", "after opening", "开封", "開封", "拆封"),
    "unopened": ("unopened", "sealed", "未开封", "未開封"),
    "pump": ("pump", "泵"),
    "extraction": ("extraction", "group head", "萃取"),
    "single": ("single", "单支", "單支", "单个", "單個", "单口", "單口"),
    "gift_set": ("gift set", "gift box", "礼盒", "禮盒"),
    "both_ports": ("both ports", "two ports", "simultaneous", "同时", "同時", "两个口", "兩個口", "双口", "雙口"),
    "motor": ("motor", "电机", "電機", "马达", "馬達"),
    "whole_unit": ("whole machine", "whole unit", "entire", "整机", "整機"),
    "seat": ("seat", "座椅"),
    "bassinet": ("bassinet", "睡篮", "睡籃"),
    "ultrawide": ("ultrawide", "ultra-wide", "超广角", "超廣角"),
    "main_camera": ("main camera", "main sensor", "主摄", "主攝"),
    "registered": ("register", "registration", "注册", "註冊", "登记", "登記"),
    "charging_case": ("case", "充电盒", "充電盒", "充电仓", "充電倉"),
}

# What counts count, in both languages: "五十档" and "30 grind settings" count the same thing.
COUNTED_SYNONYMS: dict[str, tuple[str, ...]] = {
    "setting": ("档", "檔", "挡", "擋", "级", "級", "setting", "level", "step", "speed", "gear"),
    "colour": ("色", "色号", "色號", "颜色", "顏色", "colour", "color", "shade"),
    "person": ("人", "people", "person", "sleeper", "user"),
    "door": ("门", "門", "door"),
    "port": ("口", "接口", "port"),
    "mode": ("模式", "程序", "功能", "mode", "program", "programme", "preset", "function"),
    "camera": ("摄像头", "攝像頭", "镜头", "鏡頭", "camera", "lens"),
    "speaker": ("扬声器", "揚聲器", "喇叭", "speaker"),
    "wheel": ("轮", "輪", "wheel"),
    "filter": ("滤网", "濾網", "滤芯", "濾芯", "filter"),
    "pouch": ("小包", "小袋", "pouch", "sachet"),
    "spring": ("弹簧", "彈簧", "spring", "coil"),
}

__all__ = [
    "ADDED_AFTER",
    "ADDED_BEFORE",
    "CONCEPTS",
    "CONCEPT_DIMENSIONS",
    "CONDITION_SYNONYMS",
    "COUNTED_SYNONYMS",
    "FEE",
    "FIRST_PERSON",
    "OWNED_FOR",
    "OWN_LIFE",
    "OWN_MEASUREMENT",
    "PAID",
    "PRODUCT_SUBJECT",
    "SPEC_SOURCE",
    "VARIANT_PAIRS",
]
