"""Name pools for a Xiangyang-like city: places, compounds, employers, firms and people.

All pools are tuples (fixed order), so drawing from them with a seeded ``random.Random`` is
deterministic. Real district and street names are used where they exist; the rest are
composed from local place-name morphemes. The pools that are local to one city (place words,
roads, the city's name in employers' and firms' names) come in a ``CityNames``; the pools
below are Xiangyang's, and ``loaders.generator.cities`` derives the other cities' from them.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from itertools import accumulate

from loaders.generator.idents import BirthAreas


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


CITY = ("襄阳市", "420600")

#: (district, code, real street names). Development zones have no official county code; the
#: 42067x codes below are placeholders in the 4206xx range.
# fmt: off
DISTRICTS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("襄城区", "420602", ("檀溪街道", "古城街道", "真武山街道", "庞公街道", "隆中街道", "余家湖街道", "尹集街道", "卧龙街道")),
    ("樊城区", "420606", ("汉江街道", "王寨街道", "中原街道", "定中门街道", "清河口街道", "屏襄门街道", "米公街道", "柿铺街道", "太平店街道", "牛首街道", "天宝街道")),
    ("襄州区", "420607", ("张湾街道", "肖湾街道", "航空路街道", "六两河街道", "伙牌街道", "峪山街道", "龙王街道", "双沟街道", "黄集街道")),
    ("东津新区", "420671", ("东津街道", "鹿门街道", "魏岗街道", "汉江湾街道", "鹿鸣街道")),
    ("高新区", "420672", ("紫贞街道", "七里河街道", "团山街道", "米庄街道", "刘集街道", "东风街道", "汽车城街道")),
    ("鱼梁洲经济开发区", "420673", ("鱼梁洲街道", "沙洲街道")),
    ("襄阳经济技术开发区", "420674", ("长虹街道", "深圳工业园街道", "襄阳东站街道", "航天街道")),
    ("老河口市", "420682", ("光化街道", "酂阳街道", "洪山嘴街道", "李楼街道")),
)
# fmt: on

PLACE_MORPHEMES = _words("""
    檀溪 胜利街 铁佛寺 长虹路 春园路 人民路 大庆路 解放路 建华 新华 营盘 卧龙 隆中 闸口 荆州街 北街 南街 东街 西街 昭明台 鼓楼 夫人城 环城 真武山 万山 杨家河 余岗 庞公
    清河 汉江 米公 航空路 前进路 车城 友谊街 大李沟 七里河 团山 米庄 柿铺 王寨 新华路 邓城 樊西 中原路 定中门 屏襄门 施营 盛丰路 马道 陈坡 磨基山 汽车城 鹿门 习家池
    凤凰城 卧龙路 岘山 军民路 五一路 长征路 红光 光彩 和平 幸福 文化路 体育路 公园路 滨江 江华 民发 春晖 锦绣 新城 铁路 交通路 檀溪湖 三元 高庄 曹营 黄家营 刘家营 何家营
    唐湾 肖湾 张湾 六两河 伙牌 程河 襄阳东站 人民广场 丹江路 炮铺街 火星观 迎旭门 牌坊街 丰乐 晏公庙 瓦窑 朝阳 建设路 邓城大道 东风 紫贞 鹿鸣 汉水 观音阁 麒麟 南湖 襄水
    檀溪路 万达 民主 新村 胜丰 尹集 油坊岗 庙滩 石桥 黄龙 古驿 龙井 柳树 杨湾 柴营 梁营 邹营 冯营 田湾 徐庄 马庄 宋岗 仇家岗 余家湖 柳子港 莲花池 落花潭 玉溪 清平 金华
    """)
_SUFFIXES = _words("路 街 湾 营 桥 岗 坡 园 门 湖 岭 河 庄 苑")
_CORE = _words("""
    长春 东升 新兴 金桥 银河 青山 绿城 紫荆 牡丹 丽江 华中 春晓 南门 北关 古渡 太平 安居 康乐 宏伟 振兴 育才 红星 胜丰 荷花 梧桐 桂花 樱花 枫林 松鹤 杏林 晨光 曙光
    朝霞 彩虹 星光 明珠
    """)

ROADS = _words("""
    长虹路 人民路 春园路 大庆路 解放路 胜利街 建设路 前进路 航空路 檀溪路 中原路 环城东路 环城南路 新华路 丹江路 卧龙大道 邓城大道 汉江北路 七里河路 长征路 友谊街 民发路
    清河路 人民东路 襄阳大道 东风路 荆州街 北街 炮铺街 军民路 五一路 文化路 体育路 公园路 滨江大道 襄洲大道 内环北路 追日路 团山路 紫贞路 晨光路 庞公路
    """)

COMPOUND_PREFIX = _words("""
    锦绣 翠苑 阳光 金色 御景 书香 滨江 汉江 岘山 紫薇 桂园 幸福 和谐 丽景 东方 世纪 泰和 观澜 水岸 湖畔 江南 香榭 铂悦 盛世 天润 恒信 华夏 中央 未来 领秀 馨园 福苑
    康居 安居 怡景 雅居 清华 学府 明珠 翡翠 玫瑰 百合 梧桐 枫丹 凤凰 麒麟 檀溪 襄江 鹿门 隆中 卧龙 鱼梁 岘港 春晖 秋实 融侨 万象 锦苑 南湖 北岸 新天地 东津 紫荆 金桂
    银杏 丰泽 长虹 星河 橄榄 清水 望江
    """)
COMPOUND_SUFFIX = _words(
    "花园 小区 苑 家园 新村 名居 华庭 雅居 嘉园 公馆 城 佳苑 丽都 名都 华府 府 湾 公寓 雅苑 尚城"
)
DANWEI = _words("""
    市第一中学 市第四中学 市第五中学 市中心医院 铁路分局 自来水公司 供电局 棉纺厂 轴承厂 化纤厂 汽车配件厂 市粮食局 建设银行 中级法院 检察院 税务局 卫生局 电信局 邮政局 航空工业
    东风公司 市政公司 百货公司 糖酒公司 运输公司 印染厂 柴油机厂 电机厂 制药厂 师范学校 农机厂 水泥厂
    """)

ORGAN_BUREAUS = _words("""
    财政局 教育局 民政局 公安局 自然资源和规划局 住房和城乡建设局 交通运输局 水利和湖泊局 农业农村局 商务局 文化和旅游局 卫生健康委员会 应急管理局 审计局 市场监督管理局 统计局
    医疗保障局 城市管理执法委员会 生态环境局 人力资源和社会保障局 司法局 退役军人事务局 政务服务和大数据管理局 体育局 发展和改革委员会 经济和信息化局 科学技术局
    """)
INSTITUTIONS = _words(
    "中学 实验小学 小学 人民医院 中医医院 社区卫生服务中心 妇幼保健院 疾病预防控制中心 图书馆 文化馆 职业技术学校 幼儿园 不动产登记中心 档案馆"
)
BRANDS = _words("""
    华强 汉江 隆中 岘山 襄通 金鹰 三环 航宇 泽东 楚峰 荆楚 鹿门 襄水 万山 檀溪 卧龙 鼎盛 恒通 宏达 新力 长源 金洲 凯达 驰远 华远 瑞丰 博远 天元 中和 信诚 永兴 昌盛
    东升 汇丰源 安泰 祥和 正大 银河 锦程 海川 佳音 润泽 远航 新世纪 三江 九州 中天 明德 广源 德信 嘉禾 恒丰 同济 华鑫 康达 盛达 兴业 荣昌 致远 众邦
    """)
INDUSTRIES = _words(
    "汽车零部件 建筑工程 新材料 电子科技 物流 食品 纺织 化工 医药 机械制造 商贸 电力设备 信息技术 农业发展 环保科技 轴承 新能源 置业"
)
STATE_ENTERPRISES = _words("""
    国网襄阳供电公司 中国工商银行襄阳分行 中国建设银行襄阳分行 中国农业银行襄阳分行 中国银行襄阳分行 中国移动襄阳分公司 中国电信襄阳分公司 中国联通襄阳分公司 襄阳市水务集团有限公司
    襄阳公交集团有限公司 襄阳城市建设投资集团有限公司 东风汽车股份有限公司襄阳工厂 中国邮政集团有限公司襄阳市分公司 襄阳市燃气集团有限公司
    """)
SOCIAL_ORGS = _words(
    "慈善总会 志愿者协会 老年人协会 个体劳动者协会 律师协会 社会工作服务中心 商会 书法家协会"
)
MASS_ORGS = _words("工会 共青团支部 妇女委员会 工会、共青团支部")

SKILLS = _words(
    "法律咨询 医疗保健 家电维修 心理疏导 文艺演出 书法绘画 教育辅导 水电维修 理发 摄影 计算机 财务会计 驾驶 烹饪 调解纠纷 健身指导 志愿服务 外语"
)


@dataclass(frozen=True)
class CityNames:
    """One city of a generated dataset: its name, districts and local name pools.

    Every name drawn for the city draws from these pools, so that a second city's names say
    its own name (武汉市..., not 襄阳市...) while Xiangyang's draws stay what they always were.
    """

    name: str  # 襄阳市
    code: str  # 420600
    #: initials of the city's name: contract numbers start with them (XYWY-...)
    abbr: str
    #: (district, code, real street names), as ``DISTRICTS``
    districts: tuple[tuple[str, str, tuple[str, ...]], ...]
    #: the number of streets of each district at the city scale
    streets: tuple[int, ...]
    #: where residents' ID numbers say they were born
    birth_areas: BirthAreas
    #: where births in a development zone (a placeholder code whose fifth digit is 7) are registered
    births_in: str
    places: tuple[str, ...]
    roads: tuple[str, ...]
    compound_prefix: tuple[str, ...]
    brands: tuple[str, ...]
    state_enterprises: tuple[str, ...]
    #: the one community of the community scale, when the city has a real one to name
    first_community: str | None = None

    @property
    def short(self) -> str:
        """The name without 市, as firms and enterprises spell it (襄阳华强...)."""
        return self.name.removesuffix("市")


# ---------------------------------------------------------------- people

# fmt: off
SURNAMES: tuple[tuple[str, int], ...] = (
    ("王", 72), ("李", 71), ("张", 68), ("刘", 55), ("陈", 46), ("杨", 32), ("黄", 25), ("赵", 20), ("吴", 20),
    ("周", 19), ("徐", 15), ("孙", 14), ("马", 13), ("朱", 13), ("胡", 13), ("郭", 12), ("何", 12), ("高", 11),
    ("林", 10), ("罗", 10), ("郑", 9), ("梁", 9), ("谢", 8), ("宋", 7), ("唐", 7), ("许", 7), ("韩", 7), ("冯", 7),
    ("邓", 7), ("曹", 6), ("彭", 6), ("曾", 6), ("肖", 6), ("田", 6), ("董", 5), ("袁", 5), ("潘", 5), ("于", 5),
    ("蒋", 5), ("蔡", 5), ("余", 5), ("杜", 4), ("叶", 4), ("程", 4), ("苏", 4), ("魏", 4), ("吕", 4), ("丁", 4),
    ("任", 4), ("沈", 3), ("姚", 3), ("卢", 3), ("姜", 3), ("崔", 3), ("钟", 3), ("谭", 3), ("陆", 3), ("汪", 3),
    ("范", 3), ("金", 3), ("石", 3), ("廖", 3), ("贾", 3), ("夏", 3), ("韦", 2), ("付", 2), ("方", 2), ("白", 2),
    ("邹", 2), ("孟", 2), ("熊", 2), ("秦", 2), ("邱", 2), ("江", 2), ("尹", 2), ("薛", 2), ("闫", 2), ("段", 2),
    ("雷", 2), ("侯", 2), ("龙", 2), ("史", 2), ("黎", 2), ("贺", 2), ("顾", 2), ("毛", 2), ("郝", 2), ("龚", 2),
    ("邵", 2), ("万", 2), ("覃", 1), ("武", 1), ("戴", 1), ("孔", 1), ("向", 1), ("易", 1), ("庞", 1), ("习", 1),
    ("诸葛", 1), ("欧阳", 1),
)
# fmt: on
_SURNAME_CHARS = tuple(s for s, _ in SURNAMES)
_SURNAME_CUM = tuple(accumulate(w for _, w in SURNAMES))

GIVEN_MALE = _words("""
    伟 强 磊 军 勇 杰 涛 斌 超 明 刚 平 辉 鹏 华 飞 鑫 波 宁 浩 凯 健 俊 帆 帅 旭 宇 林 建 国 志 文 海 峰 彬 亮 成 立 春 德 兵 毅 龙 东 永 新 光 荣
    卫 红 民 庆 昌 生 金 祥 忠 福 力 诚 博 睿 泽 轩
    """)
GIVEN_FEMALE = _words(
    "芳 娜 敏 静 丽 艳 娟 霞 秀 玲 桂 英 萍 燕 红 梅 琳 洁 婷 雪 慧 莉 倩 颖 佳 丹 兰 凤 琴 云 华 芬 蓉 薇 月 春 晶 欣 怡 悦 璐 瑶 雯 珍 翠 荣 宁 淑"
)


def person_name(rng: random.Random, male: bool) -> str:
    surname = rng.choices(_SURNAME_CHARS, cum_weights=_SURNAME_CUM)[0]
    pool = GIVEN_MALE if male else GIVEN_FEMALE
    given = rng.choice(pool)
    if rng.random() < 0.72:
        given += rng.choice(pool)
    return surname + given


class Unique:
    """Draw names from generators without repeating one (falls back to numbered variants)."""

    def __init__(self) -> None:
        self.used: set[str] = set()

    def take(self, candidate: str) -> bool:
        if candidate in self.used:
            return False
        self.used.add(candidate)
        return True

    def pick(self, rng: random.Random, make: Callable[[random.Random], str], fallback: str) -> str:
        for _ in range(30):
            name = make(rng)
            if self.take(name):
                return name
        n = 2
        while not self.take(f"{fallback}{n}"):
            n += 1
        return f"{fallback}{n}"


def place_word(rng: random.Random, city: CityNames) -> str:
    if rng.random() < 0.6:
        return rng.choice(city.places)
    return rng.choice(_CORE) + rng.choice(_SUFFIXES)


def street_name(rng: random.Random, city: CityNames) -> str:
    return place_word(rng, city) + "街道"


def community_name(rng: random.Random, city: CityNames) -> str:
    return place_word(rng, city) + "社区"


def compound_name(rng: random.Random, city: CityNames, old: bool) -> str:
    if old and rng.random() < 0.6:
        return rng.choice(DANWEI) + "家属院"
    if old and rng.random() < 0.5:
        return rng.choice(city.places) + rng.choice(("小区", "新村", "宿舍"))
    return rng.choice(city.compound_prefix) + rng.choice(COMPOUND_SUFFIX)


def address(rng: random.Random, city: CityNames, district: str) -> str:
    return f"{district}{rng.choice(city.roads)}{rng.randint(1, 399)}号"


def employer_name(rng: random.Random, city: CityNames, kind: str, district: str) -> str:
    if kind == "organ":
        where = city.name if rng.random() < 0.5 else district
        return where + rng.choice(ORGAN_BUREAUS)
    if kind == "institution":
        inst = rng.choice(INSTITUTIONS)
        if inst == "中学":
            return f"{city.name}第{rng.randint(1, 45)}中学"
        return district + rng.choice(city.places) + inst if inst.endswith("小学") else district + inst
    if kind == "social":
        return (
            (city.name if rng.random() < 0.5 else district)
            + rng.choice(city.brands)
            + rng.choice(SOCIAL_ORGS)
        )
    if rng.random() < 0.08:
        return rng.choice(city.state_enterprises)
    head = rng.choice(("湖北", city.short, city.name))
    tail = rng.choice(("有限公司", "股份有限公司", "有限责任公司"))
    return head + rng.choice(city.brands) + rng.choice(INDUSTRIES) + tail


def firm_name(rng: random.Random, city: CityNames) -> str:
    brand = rng.choice(city.brands)
    pattern = rng.randrange(4)
    if pattern == 0:
        return f"{city.short}{brand}物业服务有限公司"
    if pattern == 1:
        return f"湖北{brand}物业管理有限公司"
    if pattern == 2:
        return f"{city.name}{brand}物业管理有限责任公司"
    return f"{brand}物业服务集团有限公司{city.short}分公司"
