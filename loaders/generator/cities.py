"""The province of a dataset of several cities: Hubei and its prefecture-level cities.

City 0 is Xiangyang, drawn from the pools of ``names`` exactly as a dataset of one city always
was. The others have their real names and division codes, real urban districts, county-level
cities and development zones (zones have no official code: ``xxxx7x`` placeholders, as
Xiangyang's), and place words of their own; streets are generated from those words. Every
city has six to eight districts with Xiangyang's numbers of streets, district by district, so
that each is about the size of the city scale.
"""

from __future__ import annotations

from loaders.generator import names
from loaders.generator.idents import XIANGYANG_BIRTH_AREAS, BirthAreas


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


#: The province above the cities, when a dataset has more than one: (name, code).
PROVINCE = ("湖北省", "420000")

#: Words of Xiangyang's pools that name places in Xiangyang: other cities' pools leave them out.
XIANGYANG_ONLY = frozenset(_words("岘山 檀溪 襄江 鹿门 隆中 卧龙 鱼梁 岘港 东津 襄通 襄水 万山"))

#: Roads any Chinese city has; another city's roads are these and roads named after its places.
COMMON_ROADS = _words(
    "人民路 解放路 建设路 胜利街 前进路 新华路 长征路 友谊街 东风路 五一路 文化路 体育路 公园路 和平路 "
    "中山路 民主路 青年路 工业路 沿江大道 滨江大道"
)

XIANGYANG = names.CityNames(
    name=names.CITY[0],
    code=names.CITY[1],
    abbr="XY",
    districts=names.DISTRICTS,
    streets=tuple(len(streets) for _, _, streets in names.DISTRICTS),
    birth_areas=XIANGYANG_BIRTH_AREAS,
    births_in="420606",
    places=names.PLACE_MORPHEMES,
    roads=names.ROADS,
    compound_prefix=names.COMPOUND_PREFIX,
    brands=names.BRANDS,
    state_enterprises=names.STATE_ENTERPRISES,
    first_community="檀溪社区",
)


def _city(name: str, code: str, abbr: str, districts: str, places: str) -> names.CityNames:
    """Another city of the province from its districts ("name code" pairs) and place words."""
    words = districts.split()
    pairs = tuple(zip(words[::2], words[1::2], strict=True))
    assert 6 <= len(pairs) <= len(XIANGYANG.streets), name
    assert all(c.startswith(code[:4]) and len(c) == 6 for _, c in pairs), name
    local = _words(places)
    real = tuple(c for _, c in pairs if c[4] != "7")
    roads = COMMON_ROADS + tuple(w if w.endswith(("路", "街")) else w + "路" for w in local)
    return names.CityNames(
        name=name,
        code=code,
        abbr=abbr,
        districts=tuple((d, c, ()) for d, c in pairs),
        streets=XIANGYANG.streets[: len(pairs)],
        birth_areas=BirthAreas(real, (10,) * len(real)),
        births_in=real[0],
        places=local,
        roads=tuple(dict.fromkeys(roads)),
        compound_prefix=tuple(w for w in names.COMPOUND_PREFIX if w not in XIANGYANG_ONLY)
        + tuple(w for w in local if len(w) == 2),
        brands=tuple(w for w in names.BRANDS if w not in XIANGYANG_ONLY),
        state_enterprises=tuple(e.replace("襄阳", name.removesuffix("市")) for e in names.STATE_ENTERPRISES),
    )


# fmt: off
CITIES: tuple[names.CityNames, ...] = (
    XIANGYANG,
    _city("武汉市", "420100", "WH",
          "江岸区 420102 江汉区 420103 硚口区 420104 汉阳区 420105 武昌区 420106 青山区 420107 洪山区 420111 东西湖区 420112",
          "汉正 江汉路 中山 积玉桥 首义 徐家棚 水果湖 珞珈山 关山 南湖 花桥 二七 球场 六角亭 宝丰 琴断口 鹦鹉洲 红钢城 吴家山 "
          "古田 黄鹤楼 东湖 晴川 龟山 月湖 汉口 青山 武泰闸 白沙洲 卓刀泉"),
    _city("黄石市", "420200", "HS",
          "黄石港区 420202 西塞山区 420203 下陆区 420204 铁山区 420205 大冶市 420281 黄石经济技术开发区 420271 黄石新港工业园区 420272",
          "黄石港 胜阳港 花湖 沈家营 石灰窑 澄月 西塞山 下陆 铁山 团城山 磁湖 东方山 黄荆山 陈家湾 八泉 临江 新下陆 东岳 金湖 罗家桥"),
    _city("十堰市", "420300", "SY",
          "茅箭区 420302 张湾区 420303 郧阳区 420304 丹江口市 420381 十堰经济技术开发区 420371 武当山旅游经济特区 420372",
          "茅箭 张湾 车城 五堰 二堰 三堰 柳林 红卫 花果 武当 丹江 郧阳 白浪 东风 百二河 犟河 茅塔 方山 牛头山 汉江"),
    _city("宜昌市", "420500", "YC",
          "西陵区 420502 伍家岗区 420503 点军区 420504 猇亭区 420505 夷陵区 420506 宜都市 420581 当阳市 420582 枝江市 420583",
          "西陵 夷陵 伍家岗 点军 猇亭 葛洲坝 三峡 云集 学院 西坝 窑湾 宝塔河 大公桥 万寿桥 北门 南门 桃花岭 东山 夜明珠 小溪塔"),
    _city("鄂州市", "420700", "EZ",
          "鄂城区 420704 华容区 420703 梁子湖区 420702 葛店经济技术开发区 420771 鄂州临空经济区 420772 红莲湖旅游度假区 420773",
          "古楼 凤凰 西山 莲花山 洋澜湖 樊口 葛店 华容 梁子湖 庙岭 燕矶 杨叶 滨湖 吴都 寒溪 南浦"),
    _city("荆门市", "420800", "JM",
          "东宝区 420802 掇刀区 420804 钟祥市 420881 京山市 420882 荆门高新区 420871 漳河新区 420872",
          "龙泉 泉口 象山 东宝 掇刀 白庙 漳河 石化 竹园 子陵 莫愁湖 石城 月亮湖 东方红 文峰 虎牙关"),
    _city("孝感市", "420900", "XG",
          "孝南区 420902 汉川市 420984 应城市 420981 安陆市 420982 孝感高新区 420971 孝感临空经济区 420972",
          "书院 新华 车站 广场 孝南 董永 槐荫 澴川 双峰山 仙女湖 老澴河 天仙 仁义 西湖 朱湖 城隍潭"),
    _city("荆州市", "421000", "JZ",
          "沙市区 421002 荆州区 421003 石首市 421081 洪湖市 421083 松滋市 421087 监利市 421088 荆州经济技术开发区 421071",
          "沙市 古城 关帝庙 荆北 东门 解放 崇文 胜利 朝阳 立新 联合 荆中 西城 郢城 纪南 长港 北京路 江津 宝塔 九龙渊"),
    _city("黄冈市", "421100", "HG",
          "黄州区 421102 麻城市 421181 武穴市 421182 团风县 421121 黄冈高新区 421171 龙感湖管理区 421172",
          "黄州 东坡 赤壁 西湖 南湖 路口 禹王 堵城 陈策楼 遗爱湖 宝塔 青砖湖 八一 安国寺 龙王山 李四光"),
    _city("咸宁市", "421200", "XN",
          "咸安区 421202 赤壁市 421281 嘉鱼县 421221 通城县 421222 崇阳县 421223 咸宁高新区 421271",
          "咸安 温泉 永安 浮山 向阳湖 官埠 蒲圻 陆水 淦河 潜山 桂花 月亮湾 十里 金桂湖 马桥 贺胜"),
    _city("随州市", "421300", "SZ",
          "曾都区 421303 广水市 421381 随县 421321 随州高新区 421371 大洪山风景名胜区 421372 曾都经济开发区 421373",
          "曾都 西城 东城 南郊 北郊 擂鼓墩 炎帝 厉山 大洪山 涢水 白云湖 神农 烈山 季梁 编钟 解放路"),
)
# fmt: on
