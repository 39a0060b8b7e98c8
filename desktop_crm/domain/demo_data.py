"""Deterministic demo data: realistic accounts, contacts, opportunities and activities.

Everything comes from one ``random.Random(seed)``: the same seed, sizes and ``now`` give the
same records (ids included), on every machine. Pure Python and fast enough for benchmarks
(about a million contacts in well under a minute), so the same generator feeds the demo server,
the client's demo replica, tests and ``bench/``.

Phone numbers are written the way people type them (spaces, dashes, brackets, ``+86``/``0086``,
trunk ``0``, the odd full-width digit or ``转`` extension) and always valid for ``phonenumbers``.
Each :class:`~desktop_crm.domain.records.Phone` already carries its E.164 form and extension:
they are built from the generated number rather than parsed back (parsing costs ~20 µs a
number); a test checks a sample parses back to the same E.164.
"""

from __future__ import annotations

import functools
from bisect import bisect_right
from collections.abc import Iterator, Sequence
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from itertools import accumulate
from random import Random
from typing import Generic, NamedTuple, TypeVar

from desktop_crm.domain.records import (
    DEFAULT_ACCOUNT_STATUSES,
    DEFAULT_PIPELINE,
    Account,
    Activity,
    ActivityKind,
    Contact,
    Direction,
    Opportunity,
    Phone,
    PhoneKind,
    RecordMeta,
    SyncedRecord,
    utc_now,
)
from desktop_crm.domain.version_vector import SERVER_REPLICA_ID, VersionVector

DEFAULT_OWNER_IDS: tuple[str, ...] = ("demo-user",)

# Every demo record starts as the server's first version; vectors are immutable, so one
# instance serves them all.
_FIRST_VERSION = VersionVector({SERVER_REPLICA_ID: 1})

# Fast draws ----------------------------------------------------------------------------------
# random.Random's choice/randrange/choices cost 1–3 µs each (Python-level rejection sampling);
# scaling one C-level ``random()`` is ~10× cheaper and just as deterministic per seed.

T = TypeVar("T")


def _pick(rng: Random, seq: Sequence[T]) -> T:
    return seq[int(rng.random() * len(seq))]


def _range(rng: Random, start: int, stop: int | None = None, step: int = 1) -> int:
    """Like ``randrange`` (half-open), via ``random()``."""
    if stop is None:
        start, stop = 0, start
    return start + step * int(rng.random() * ((stop - start + step - 1) // step))


def _between(rng: Random, low: int, high: int) -> int:
    """Like ``randint`` (inclusive)."""
    return low + int(rng.random() * (high - low + 1))


class _Weighted(Generic[T]):
    """A weighted choice with precomputed cumulative weights."""

    __slots__ = ("_items", "_cumulative", "_total")

    def __init__(self, items: Sequence[T], weights: Sequence[float]) -> None:
        self._items = tuple(items)
        self._cumulative = tuple(accumulate(weights))
        self._total = self._cumulative[-1]

    def __call__(self, rng: Random) -> T:
        return self._items[bisect_right(self._cumulative, rng.random() * self._total)]


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


def _pairs(text: str) -> tuple[tuple[str, str], ...]:
    """``"a:x b:y"`` -> ``(("a", "x"), ("b", "y"))``: word lists with their pinyin."""
    return tuple((left, right) for left, _, right in (w.partition(":") for w in text.split()))


# Word lists --------------------------------------------------------------------------------

#: (city, province prefix for addresses, area code without trunk 0, subscriber digits, districts)
_CN_CITIES: tuple[tuple[str, str, str, int, tuple[str, ...]], ...] = (
    ("北京", "北京市", "10", 8, ("朝阳区", "海淀区", "东城区", "丰台区")),
    ("上海", "上海市", "21", 8, ("浦东新区", "徐汇区", "闵行区", "嘉定区")),
    ("广州", "广东省广州市", "20", 8, ("天河区", "越秀区", "番禺区")),
    ("深圳", "广东省深圳市", "755", 8, ("南山区", "福田区", "宝安区", "龙岗区")),
    ("杭州", "浙江省杭州市", "571", 8, ("西湖区", "滨江区", "余杭区")),
    ("苏州", "江苏省苏州市", "512", 8, ("工业园区", "吴中区", "昆山市")),
    ("南京", "江苏省南京市", "25", 8, ("鼓楼区", "江宁区", "玄武区")),
    ("成都", "四川省成都市", "28", 8, ("高新区", "武侯区", "锦江区")),
    ("武汉", "湖北省武汉市", "27", 8, ("江汉区", "洪山区", "东西湖区")),
    ("天津", "天津市", "22", 8, ("滨海新区", "南开区", "和平区")),
    ("重庆", "重庆市", "23", 8, ("渝北区", "江北区", "九龙坡区")),
    ("西安", "陕西省西安市", "29", 8, ("雁塔区", "未央区", "碑林区")),
    ("沈阳", "辽宁省沈阳市", "24", 8, ("和平区", "铁西区", "浑南区")),
    ("青岛", "山东省青岛市", "532", 8, ("市南区", "黄岛区", "崂山区")),
    ("厦门", "福建省厦门市", "592", 7, ("思明区", "湖里区", "集美区")),
    ("东莞", "广东省东莞市", "769", 8, ("松山湖", "长安镇", "虎门镇")),
    ("长沙", "湖南省长沙市", "731", 8, ("岳麓区", "芙蓉区", "雨花区")),
    ("宁波", "浙江省宁波市", "574", 8, ("鄞州区", "北仑区", "海曙区")),
)

#: Brand words with their pinyin (for e-mail domains).
_CN_BRANDS: tuple[tuple[str, str], ...] = _pairs(
    "华东:huadong 华南:huanan 金鹰:jinying 恒通:hengtong 宏达:hongda 新世纪:xinshiji 东方:dongfang "
    "长城:changcheng 瑞丰:ruifeng 汇川:huichuan 天成:tiancheng 博远:boyuan 中科:zhongke "
    "万向:wanxiang 永信:yongxin 海纳:haina 鼎盛:dingsheng 启明:qiming 精诚:jingcheng "
    "联创:lianchuang 明德:mingde 国泰:guotai 凯达:kaida 安泰:antai 星辰:xingchen 广和:guanghe "
    "嘉禾:jiahe 润华:runhua 正大:zhengda 协力:xieli 远航:yuanhang 同创:tongchuang"
)

#: industry key -> (Chinese business words, English business words)
_INDUSTRIES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "manufacturing": (
        ("精密机械", "机械设备", "模具", "自动化"),
        ("Precision Machinery", "Tooling"),
    ),
    "electronics": (("电子科技", "电子", "半导体", "光电"), ("Electronics", "Semiconductors")),
    "pharma": (("生物医药", "医疗器械", "制药"), ("Biotech", "Pharmaceuticals")),
    "logistics": (("物流", "供应链管理", "国际货运代理"), ("Logistics", "Freight")),
    "food": (("食品", "餐饮管理", "农业发展"), ("Foods", "Beverages")),
    "construction": (("建材", "建筑工程", "装饰工程"), ("Building Materials", "Construction")),
    "energy": (("新能源", "电力设备", "光伏科技"), ("Energy", "Solar")),
    "software": (("软件", "信息技术", "网络科技", "数据科技"), ("Software", "Data Systems")),
    "trade": (("贸易", "进出口", "商贸"), ("Trading", "Imports")),
    "chemicals": (("化工", "新材料", "涂料"), ("Chemicals", "Materials")),
    "automotive": (("汽车零部件", "汽车电子", "车辆配件"), ("Automotive Parts", "Mobility")),
    "textiles": (("纺织", "服饰", "家纺"), ("Textiles", "Apparel")),
}
_INDUSTRY_KEYS = tuple(_INDUSTRIES)

_CN_SUFFIXES = ("有限公司", "有限公司", "有限公司", "股份有限公司", "集团有限公司", "有限责任公司")

#: Common surnames with pinyin; earlier ones are more frequent (weights below).
_CN_SURNAMES: tuple[tuple[str, str], ...] = _pairs(
    "王:wang 李:li 张:zhang 刘:liu 陈:chen 杨:yang 黄:huang 赵:zhao 吴:wu 周:zhou 徐:xu 孙:sun "
    "马:ma 朱:zhu 胡:hu 郭:guo 何:he 林:lin 高:gao 罗:luo 郑:zheng 梁:liang 谢:xie 宋:song 唐:tang "
    "许:xu 邓:deng 冯:feng 韩:han 曹:cao 欧阳:ouyang 司马:sima"
)
_CN_SURNAME = _Weighted(_CN_SURNAMES, range(len(_CN_SURNAMES) * 2, 0, -2))

_CN_GIVEN: tuple[tuple[str, str], ...] = _pairs(
    "伟:wei 芳:fang 娜:na 敏:min 静:jing 丽:li 强:qiang 磊:lei 军:jun 洋:yang 勇:yong 艳:yan "
    "杰:jie 涛:tao 明:ming 超:chao 秀英:xiuying 霞:xia 平:ping 刚:gang 建华:jianhua 晓东:xiaodong "
    "志强:zhiqiang 海燕:haiyan 文:wen 浩:hao 宇:yu 欣怡:xinyi 子涵:zihan 俊:jun 婷:ting 鹏:peng "
    "斌:bin 雪:xue"
)

_INTL_FIRST = _words(
    "James Mary John Patricia Robert Jennifer Michael Linda David Elizabeth Sarah "
    "Thomas Emma Oliver Charlotte Lukas Anna Felix Sophie Maximilian Hannah Jonas Lea "
    "George Amelia Harry Isla Daniel Laura Kevin Julia Peter Claire"
)
_INTL_LAST = _words(
    "Smith Johnson Williams Brown Jones Miller Davis Wilson Taylor Clark Walker Hall "
    "Müller Schmidt Schneider Fischer Weber Meyer Wagner Becker Hoffmann Evans "
    "Thompson Wright Robinson O'Brien McDonald Schulz Koch Richter Patel Nguyen Kim"
)
_INTL_BRANDS = (
    "Northwind",
    "Contoso",
    "Fabrikam",
    "Blue Harbor",
    "Redwood",
    "Summit",
    "Alpine",
    "Rheinland",
    "Baltic",
    "Thames Valley",
    "Pacific Crest",
    "Lakeside",
    "Silverline",
    "Ironbridge",
    "Brightwater",
    "Oakfield",
    "Hanse",
    "Elbe",
    "Cascade",
    "Granite",
)

#: country -> (suffixes, currency, language, timezone, cities)
_INTL_COUNTRIES: dict[str, tuple[tuple[str, ...], str, str, str, tuple[str, ...]]] = {
    "US": (
        ("Inc.", "LLC", "Corp."),
        "USD",
        "en",
        "America/New_York",
        ("New York, NY", "San Francisco, CA", "Chicago, IL", "Austin, TX", "Boston, MA"),
    ),
    "GB": (
        ("Ltd", "Ltd", "plc"),
        "GBP",
        "en",
        "Europe/London",
        ("London", "Manchester", "Birmingham", "Leeds"),
    ),
    "DE": (
        ("GmbH", "GmbH", "AG", "GmbH & Co. KG"),
        "EUR",
        "de",
        "Europe/Berlin",
        ("Berlin", "München", "Hamburg", "Stuttgart"),
    ),
}
_INTL_COUNTRY_KEYS = tuple(_INTL_COUNTRIES)

_CN_TITLES = _words(
    "总经理 副总经理 采购经理 采购专员 技术总监 财务总监 销售经理 "
    "工程师 项目经理 行政主管 董事长 生产经理 质量经理"
)
_EN_TITLES = (
    "CEO",
    "Purchasing Manager",
    "Buyer",
    "CTO",
    "CFO",
    "Head of Operations",
    "Engineer",
    "Project Manager",
    "Office Manager",
    "Plant Manager",
    "Quality Lead",
    "Sales Director",
)
_DECISION_ROLES = ("decision_maker", "influencer", "user", "gatekeeper", "champion", "")

_TAGS = ("VIP", "key account", "at risk", "reseller", "government", "export", "new", "partner")

_CN_OPPORTUNITY_WORDS = _words(
    "年度采购框架协议 生产线升级 设备更新项目 备件供应 系统集成 "
    "扩产项目 维保服务合同 试点项目 新工厂配套"
)
_EN_OPPORTUNITY_WORDS = (
    "Annual supply agreement",
    "Production line upgrade",
    "Spare parts",
    "System integration",
    "Service contract",
    "Pilot project",
    "Plant expansion",
)
_CALL_OUTCOMES = ("reached", "left voicemail", "no answer", "call back later", "interested")
_CN_SUMMARIES = _words(
    "电话沟通需求，客户要求发送报价。 拜访客户，介绍新产品线。 "
    "讨论交货期和付款条件。 客户反馈质量问题，已转技术支持。 "
    "确认样品测试结果。 商务谈判，价格待确认。 "
    "年度回访，客户满意。 介绍售后服务方案。"
)
_EN_SUMMARIES = (
    "Discussed requirements; they asked for a quote.",
    "Demo of the new product line.",
    "Negotiated delivery dates and payment terms.",
    "Follow-up on the sample test results.",
    "Quarterly review, customer satisfied.",
    "Price discussion, waiting for their budget.",
)

# Phone numbers -------------------------------------------------------------------------------

#: Chinese mobile prefixes (13x/15x/18x) phonenumbers knows as valid.
_CN_MOBILE_PREFIXES = _words(
    "130 131 132 133 134 135 136 137 138 139 150 151 152 153 155 156 157 158 159 180 "
    "181 182 183 185 186 187 188 189"
)
_US_AREA_CODES = ("212", "415", "650", "312", "617", "206", "512", "646", "202", "305")
_UK_MOBILE_PREFIXES = ("7400", "7412", "7516", "7723", "7800", "7834", "7900", "7956", "7968")
_DE_MOBILE = (("151", 8), ("160", 7), ("171", 7), ("176", 8))
_FULL_WIDTH = str.maketrans("0123456789+-()", "０１２３４５６７８９＋－（）")


def _digits(rng: Random, count: int) -> str:
    return str(int(rng.random() * 10**count)).zfill(count)


def _subscriber(rng: Random, count: int) -> str:
    """A local subscriber number: first digit 2–7 (0, 1, 8, 9 start special services)."""
    return str(_range(rng, 2, 8)) + _digits(rng, count - 1)


class _Number(NamedTuple):
    """A generated number: country calling code, national groups, trunk prefix."""

    cc: str
    groups: tuple[str, ...]  # national significant number split the usual way
    trunk: str  # "0" where national dialling adds a trunk prefix, else ""

    @property
    def e164(self) -> str:
        return "+" + self.cc + "".join(self.groups)


def _cn_mobile(rng: Random) -> _Number:
    rest = _digits(rng, 8)
    return _Number("86", (_pick(rng, _CN_MOBILE_PREFIXES), rest[:4], rest[4:]), "")


def _cn_landline(rng: Random, city: int) -> _Number:
    _, _, area, length, _ = _CN_CITIES[city]
    sub = _subscriber(rng, length)
    return _Number("86", (area, sub[:-4], sub[-4:]), "0")


def _us_number(rng: Random) -> _Number:
    exchange = str(_range(rng, 2, 10)) + _digits(rng, 2)
    return _Number("1", (_pick(rng, _US_AREA_CODES), exchange, _digits(rng, 4)), "")


def _uk_number(rng: Random, mobile: bool) -> _Number:
    if mobile:
        return _Number("44", (_pick(rng, _UK_MOBILE_PREFIXES), _digits(rng, 6)), "0")
    return _Number("44", ("20", _pick(rng, "378") + _digits(rng, 3), _digits(rng, 4)), "0")


def _de_number(rng: Random, mobile: bool) -> _Number:
    if mobile:
        prefix, length = _pick(rng, _DE_MOBILE)
        return _Number("49", (prefix, _digits(rng, length)), "0")
    return _Number("49", (_pick(rng, ("30", "89", "40")), _subscriber(rng, 8)), "0")


def _format(rng: Random, number: _Number, domestic: bool) -> str:
    """Write a number as a person might type it.

    ``domestic`` numbers (Chinese numbers here, where the replica's default region is CN) may be
    written without a country code; foreign ones always carry it (``+`` or ``00``), as they must
    to be read correctly from China.
    """
    groups = number.groups
    style = _range(rng, 10)
    if domestic and style < 6:
        national = number.trunk + groups[0]
        if style == 0:
            return national + "".join(groups[1:])
        if style == 1:
            return " ".join((national, *groups[1:]))
        if style == 2:
            return (
                "-".join((national, *groups[1:]))
                if not number.trunk
                else (national + "-" + "".join(groups[1:]))
            )
        if style == 3 and number.trunk:
            return f"({national}) " + " ".join(groups[1:])
        if style == 4 and rng.random() < 0.3:
            return (national + "".join(groups[1:])).translate(_FULL_WIDTH)
        return " ".join((national, *groups[1:]))
    prefix = "+" + number.cc if style % 3 else "00" + number.cc
    if style in (6, 9):
        return prefix + " " + " ".join(groups)
    if style == 7:
        return prefix + "-" + "-".join(groups)
    if style == 8:
        return f"({prefix}) " + " ".join(groups)
    if style == 3:
        return prefix + "".join(groups)
    return prefix + " " + groups[0] + " " + "".join(groups[1:])


def _phone(rng: Random, number: _Number, kind: PhoneKind, primary: bool, domestic: bool) -> Phone:
    raw = _format(rng, number, domestic)
    extension: str | None = None
    if kind is PhoneKind.WORK and rng.random() < 0.12:
        extension = str(_range(rng, 100, 9000))
        raw += _pick(rng, (" 转 ", " ext. ", " 转", " x")) + extension
    return Phone(raw=raw, kind=kind.value, primary=primary, e164=number.e164, extension=extension)


# Records -------------------------------------------------------------------------------------


def _id(rng: Random) -> str:
    """A random (version 4) UUID drawn from ``rng``, spelled like ``str(uuid.uuid4())``."""
    n = rng.getrandbits(122)
    return "%08x-%04x-4%03x-%04x-%012x" % (  # noqa: UP031 -- twice as fast as f-strings here
        n >> 90,
        (n >> 74) & 0xFFFF,
        (n >> 62) & 0xFFF,
        0x8000 | ((n >> 48) & 0x3FFF),
        n & 0xFFFF_FFFF_FFFF,
    )


@functools.lru_cache(maxsize=4096)
def _hours_before(now: datetime, hours: int) -> datetime:
    return now - timedelta(hours=hours)


def _meta(rng: Random, now: datetime, owner: str) -> RecordMeta:
    """Metadata of a record last changed on the server within the last 90 days."""
    return RecordMeta(
        id=_id(rng),
        version=_FIRST_VERSION,
        updated_at=_hours_before(now, _range(rng, 24 * 90)),
        updated_by=owner,
    )


class _AccountContext(NamedTuple):
    """What an account's children need to look consistent with it."""

    account: Account
    city: int  # index into _CN_CITIES, or -1 for international accounts
    domain: str


def _cn_account(rng: Random, now: datetime, owner: str) -> _AccountContext:
    city = _range(rng, len(_CN_CITIES))
    city_name, province, _, _, districts = _CN_CITIES[city]
    brand, brand_pinyin = _pick(rng, _CN_BRANDS)
    industry = _pick(rng, _INDUSTRY_KEYS)
    business = _pick(rng, _INDUSTRIES[industry][0])
    name = f"{city_name}{brand}{business}{_pick(rng, _CN_SUFFIXES)}"
    road = _pick(rng, ("人民", "建设", "科技", "工业", "创业"))
    address = f"{province}{_pick(rng, districts)}{road}路{_range(rng, 1, 999)}号"
    account = Account(
        name=name,
        industry=industry,
        status=_status(rng),
        owner_id=owner,
        country="CN",
        language="zh",
        timezone="Asia/Shanghai",
        currency="CNY",
        address=address,
        notes="",
        tags=_tags(rng),
        meta=_meta(rng, now, owner),
    )
    domain = brand_pinyin + _pick(rng, (".com.cn", ".cn", ".com", "-group.com"))
    return _AccountContext(account, city, domain)


def _intl_account(rng: Random, now: datetime, owner: str) -> _AccountContext:
    country = _pick(rng, _INTL_COUNTRY_KEYS)
    suffixes, currency, language, timezone, cities = _INTL_COUNTRIES[country]
    brand = _pick(rng, _INTL_BRANDS)
    industry = _pick(rng, _INDUSTRY_KEYS)
    name = f"{brand} {_pick(rng, _INDUSTRIES[industry][1])} {_pick(rng, suffixes)}"
    account = Account(
        name=name,
        industry=industry,
        status=_status(rng),
        owner_id=owner,
        country=country,
        language=language,
        timezone=timezone,
        currency=currency,
        address=f"{_range(rng, 1, 400)} {_pick(rng, ('Main', 'High', 'Park', 'Bahnhof'))} St, "
        + _pick(rng, cities),
        notes="",
        tags=_tags(rng),
        meta=_meta(rng, now, owner),
    )
    tld = {"US": ".com", "GB": ".co.uk", "DE": ".de"}[country]
    return _AccountContext(account, -1, brand.lower().replace(" ", "") + tld)


_STATUS_KEYS = tuple(s.key for s in DEFAULT_ACCOUNT_STATUSES)
_STATUS = _Weighted(_STATUS_KEYS, (30, 50, 15, 5))


def _status(rng: Random) -> str:
    return _STATUS(rng)


def _tags(rng: Random) -> list[str]:
    roll = rng.random()
    if roll < 0.6:
        return []
    return rng.sample(_TAGS, 1 if roll < 0.9 else 2)


def _account(rng: Random, now: datetime, owner_ids: Sequence[str]) -> _AccountContext:
    owner = _pick(rng, owner_ids)
    if rng.random() < 0.8:
        return _cn_account(rng, now, owner)
    return _intl_account(rng, now, owner)


def _contact(rng: Random, now: datetime, ctx: _AccountContext) -> Contact:
    account = ctx.account
    if ctx.city >= 0 and rng.random() < 0.95:
        surname, surname_py = _CN_SURNAME(rng)
        given, given_py = _pick(rng, _CN_GIVEN)
        name = surname + given
        local = _pick(rng, (f"{surname_py}{given_py}", f"{given_py}.{surname_py}", surname_py))
        title = _pick(rng, _CN_TITLES)
    else:
        first, last = _pick(rng, _INTL_FIRST), _pick(rng, _INTL_LAST)
        name = f"{first} {last}"
        ascii_last = last.replace("ü", "ue").replace("'", "").lower()
        local = _pick(rng, (f"{first.lower()}.{ascii_last}", f"{first[0].lower()}{ascii_last}"))
        title = _pick(rng, _EN_TITLES)
    emails: list[str] = []
    if rng.random() < 0.85:
        emails.append(f"{local}{_pick(rng, ('', '', str(_range(rng, 1, 99))))}@{ctx.domain}")
        if rng.random() < 0.1:
            emails.append(
                f"{local}{_range(rng, 1, 99)}@{_pick(rng, ('163.com', 'qq.com', 'gmail.com'))}"
            )
    contact = Contact(
        account_id=account.meta.id,
        name=name,
        title=title,
        decision_role=_pick(rng, _DECISION_ROLES),
        decision_weight=_range(rng, 0, 101, 5),
        emails=emails,
        phones=_phones(rng, ctx),
        consent_email=rng.random() < 0.6,
        consent_phone=rng.random() < 0.95,
        notes="",
        meta=_meta(rng, now, account.owner_id),
    )
    _record_consent(contact)
    return contact


def _record_consent(contact: Contact) -> None:
    """When and how the demo's answers were recorded, from what the contact already holds (no
    further random draws: the rest of the data stays as it was for every seed). Someone who
    refused both calls and e-mails asked not to be contacted at all (about 2 %)."""
    recorded = contact.meta.updated_at.date()
    if contact.consent_phone:
        contact.consent_phone_at, contact.consent_phone_source = recorded, "phone call"
    if contact.consent_email:
        contact.consent_email_at, contact.consent_email_source = recorded, "signed form"
    contact.do_not_contact = not (contact.consent_phone or contact.consent_email)


_PHONE_COUNT = _Weighted((1, 2, 3), (55, 35, 10))


def _phones(rng: Random, ctx: _AccountContext) -> list[Phone]:
    count = _PHONE_COUNT(rng)
    phones: list[Phone] = []
    country = ctx.account.country
    for position in range(count):
        primary = position == 0
        mobile = rng.random() < (0.75 if position == 0 else 0.35)
        kind = PhoneKind.MOBILE if mobile else PhoneKind.WORK
        if not mobile and position == 2 and rng.random() < 0.5:
            kind = PhoneKind.FAX
        if country == "CN" or (country not in _INTL_COUNTRIES and ctx.city >= 0):
            number = _cn_mobile(rng) if mobile else _cn_landline(rng, ctx.city)
        elif country == "US":
            number = _us_number(rng)
        elif country == "GB":
            number = _uk_number(rng, mobile)
        else:
            number = _de_number(rng, mobile)
        phones.append(_phone(rng, number, kind, primary, domestic=number.cc == "86"))
    return phones


_STAGE = _Weighted(DEFAULT_PIPELINE, (30, 20, 15, 10, 15, 10))


def _opportunity(rng: Random, now: datetime, account: Account) -> Opportunity:
    stage = _STAGE(rng)
    if account.country == "CN":
        name = f"{_pick(rng, _CN_OPPORTUNITY_WORDS)} {now.year + _range(rng, -1, 2)}"
    else:
        name = f"{_pick(rng, _EN_OPPORTUNITY_WORDS)} {now.year + _range(rng, -1, 2)}"
    amount = Decimal(_range(rng, 5, 5000) * 1000)
    if stage.is_closed:
        close: date | None = (now - timedelta(days=_range(rng, 1, 365))).date()
    elif stage.requires_expected_close or rng.random() < 0.5:
        close = (now + timedelta(days=_range(rng, 7, 270))).date()
    else:
        close = None
    return Opportunity(
        account_id=account.meta.id,
        name=name,
        stage=stage.key,
        amount=amount,
        currency=account.currency,
        probability=stage.default_probability,
        expected_close=close,
        owner_id=account.owner_id,
        meta=_meta(rng, now, account.owner_id),
    )


_ACTIVITY_KINDS = tuple(k.value for k in ActivityKind)
_ACTIVITY_KIND = _Weighted(_ACTIVITY_KINDS, (45, 20, 10, 15, 10))


def _activity(
    rng: Random,
    now: datetime,
    account: Account,
    contacts: Sequence[Contact],
    opportunities: Sequence[Opportunity],
) -> Activity:
    kind = _ACTIVITY_KIND(rng)
    start = now - timedelta(minutes=_range(rng, 365 * 24 * 60))
    start = start.replace(second=0, microsecond=0)
    contact = _pick(rng, contacts) if contacts and rng.random() < 0.8 else None
    opportunity = _pick(rng, opportunities) if opportunities and rng.random() < 0.4 else None
    direction = None
    if kind in (ActivityKind.CALL, ActivityKind.EMAIL):
        direction = _pick(rng, (Direction.INBOUND.value, Direction.OUTBOUND.value))
    duration = 0
    if kind == ActivityKind.CALL:
        duration = _range(rng, 1, 45)
    elif kind == ActivityKind.MEETING:
        duration = _pick(rng, (30, 60, 90, 120))
    elif kind == ActivityKind.VISIT:
        duration = _pick(rng, (60, 120, 180))
    follow_up: datetime | None = None
    done = False
    if rng.random() < 0.3:
        follow_up = start + timedelta(days=_range(rng, 1, 15), hours=_range(rng, 0, 8))
        # Most follow-ups in the past were done; a few are overdue, the recent ones are open.
        done = follow_up < now - timedelta(days=7) and rng.random() < 0.92
    summaries = _CN_SUMMARIES if account.country == "CN" else _EN_SUMMARIES
    return Activity(
        account_id=account.meta.id,
        kind=kind,
        start_at=start,
        contact_id=contact.meta.id if contact else None,
        opportunity_id=opportunity.meta.id if opportunity else None,
        direction=direction,
        outcome=_pick(rng, _CALL_OUTCOMES) if kind == "call" else "",
        duration_minutes=duration,
        participants=[contact.name] if contact else [],
        summary=_pick(rng, summaries),
        follow_up_at=follow_up,
        follow_up_done=done,
        author_id=account.owner_id,
        meta=_meta(rng, now, account.owner_id),
    )


def _reference_time(now: datetime | None) -> datetime:
    if now is None:
        return utc_now().replace(second=0, microsecond=0)
    return now if now.tzinfo else now.replace(tzinfo=UTC)


def generate(
    seed: int = 0,
    accounts: int = 100,
    owner_ids: Sequence[str] = DEFAULT_OWNER_IDS,
    contacts_per_account: tuple[int, int] = (1, 4),
    opportunities_per_account: tuple[int, int] = (0, 3),
    activities_per_account: tuple[int, int] = (0, 12),
    now: datetime | None = None,
) -> Iterator[SyncedRecord]:
    """Yield a demo data set: each account followed by its contacts, opportunities and
    activities (so every record comes after the account it belongs to).

    Ranges are inclusive. ``now`` anchors dates (a year of activities before it, follow-ups
    around it, expected closes after it); pass it for reproducible output — the default is the
    current minute.
    """
    if not owner_ids:
        raise ValueError("demo data needs at least one owner id")
    rng = Random(seed)
    ref = _reference_time(now)
    for _ in range(accounts):
        ctx = _account(rng, ref, owner_ids)
        account = ctx.account
        yield account
        contacts = [_contact(rng, ref, ctx) for _ in range(_between(rng, *contacts_per_account))]
        yield from contacts
        opportunities = [
            _opportunity(rng, ref, account)
            for _ in range(_between(rng, *opportunities_per_account))
        ]
        yield from opportunities
        for _ in range(_between(rng, *activities_per_account)):
            yield _activity(rng, ref, account, contacts, opportunities)


def generate_contacts(
    n: int,
    seed: int = 0,
    contacts_per_account: tuple[int, int] = (1, 7),
    owner_ids: Sequence[str] = DEFAULT_OWNER_IDS,
    now: datetime | None = None,
) -> Iterator[Account | Contact]:
    """The cheap generator for benchmarks: exactly ``n`` contacts, each account yielded just
    before its contacts (no opportunities or activities)."""
    rng = Random(seed)
    ref = _reference_time(now)
    made = 0
    while made < n:
        ctx = _account(rng, ref, owner_ids)
        yield ctx.account
        for _ in range(min(_between(rng, *contacts_per_account), n - made)):
            yield _contact(rng, ref, ctx)
            made += 1
