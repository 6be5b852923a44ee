"""The governance graph, declared once (see ``graph/declare.py`` for what derives from it).

Terms follow ``DOMAIN.md``. Every node has a string ``id`` unique across the whole graph
(organizers' ledgers number things per kind, so ids in the templates carry a kind prefix,
for example ``B-0001`` for a building). Places carry the extra label ``Place`` and hang on
one ``PART_OF`` tree: City <- District <- Subdistrict <- Community <- Grid <- Compound <-
Building <- Entrance (a compound with no grid hangs directly on its community). Relationships that change over time carry ``since``/``until`` dates;
"current on day D" means ``since <= D`` (or no since) and ``until`` is empty or ``>= D``.
"""

from __future__ import annotations

from functools import partial

from graph.captions import id_caption, name_caption
from graph.declare import (
    Choice,
    Column,
    ConditionalLabel,
    Derived,
    FieldType,
    InlineRel,
    NodeKind,
    RelKind,
)
from graph.pinyin import PYPINYIN_VERSION, name_initials

# ---------------------------------------------------------------- column helpers


def _id(zh: str, example: str) -> Column:
    return Column("id", zh, required=True, en_doc="unique id", zh_doc="唯一编号", example=example)


def _name(zh: str = "名称", example: str = "") -> Column:
    return Column("name", zh, required=True, en_doc="name", zh_doc="名称", example=example)


def _ref(name: str, zh: str, *labels: str, required: bool = True, example: str = "") -> Column:
    return Column(
        name,
        zh,
        FieldType.REF,
        required=required,
        ref=labels,
        en_doc=f"id of the {' or '.join(labels)}",
        zh_doc="引用编号",
        example=example,
    )


def _date(name: str, zh: str, required: bool = False, example: str = "") -> Column:
    return Column(name, zh, FieldType.DATE, required=required, example=example)


SINCE = _date("since", "起始日期", example="2021-03-01")
UNTIL = _date("until", "终止日期")


def _enum(
    name: str, zh: str, *choices: Choice, required: bool = True, indexed: bool = False, example: str = ""
) -> Column:
    return Column(
        name,
        zh,
        FieldType.ENUM,
        required=required,
        choices=choices,
        indexed=indexed,
        example=example or choices[0].zh,
    )


# ---------------------------------------------------------------- derived properties


def _caption(width: int, source: str = "name") -> Derived:
    """The Neo4j Browser kit's caption, at most ``width`` units wide (``graph/captions.py``; the
    kit's test holds each bubble's diameter in ``browser/style.grass`` to it)."""
    make = id_caption if source == "id" else name_caption
    return Derived(
        "caption",
        (source,),
        partial(make, width),
        en_doc=f"short caption for the Neo4j Browser kit, at most {width} units (half a Chinese character each)",
        zh_doc="Neo4j Browser 图示用的简短标注",
    )


NAME_INITIALS = Derived(
    "name_initials",
    ("name",),
    name_initials,
    indexed=True,
    personal=True,
    revision=f"1/pypinyin {PYPINYIN_VERSION}",
    en_doc="pinyin initials of the name (zsf for 张三丰; the surname's other readings after a space), for search",
    zh_doc="姓名拼音首字母(供检索)",
)


# ---------------------------------------------------------------- enumerations

POLITICAL_STATUS = (
    Choice("member", "中共党员", "party member", aliases=("党员", "正式党员", "中共正式党员", "中国共产党党员")),
    Choice("probationary", "中共预备党员", "probationary member", aliases=("预备党员", "中国共产党预备党员")),
    Choice("masses", "群众", "not a member"),
    Choice("other", "其他", "other"),
)
MEMBER_CODES = ("member", "probationary")

GENDER = (Choice("M", "男", "male", aliases=("男性",)), Choice("F", "女", "female", aliases=("女性",)))

ORG_LEVEL = (
    Choice("committee", "党委", "party committee", aliases=("党委员会", "大党委")),
    Choice("working_committee", "党工委", "party working committee", aliases=("党工作委员会", "大工委")),
    Choice("general_branch", "党总支", "general branch", aliases=("党总支部",)),
    Choice("branch", "党支部", "branch", aliases=("支部",)),
    Choice("group", "党小组", "party group"),
)

ORG_KIND = (
    Choice("area", "区域", "area (street, community, grid, compound)"),
    Choice("employer", "单位", "employer"),
    Choice("firm", "物业企业", "property firm"),
    Choice("joint", "联合", "joint (several firms or employers)"),
)

EMPLOYER_KIND = (
    Choice("organ", "机关", "government organ"),
    Choice("enterprise", "企业", "enterprise"),
    Choice("institution", "事业单位", "public institution"),
    Choice("social", "社会组织", "social organization"),
)

SERVICE_MODE = (
    Choice("firm", "物业服务企业", "property firm contract"),
    Choice("self_managed", "党建引领自管", "party-led self-management"),
    Choice("guaranteed", "保障性管理", "basic guaranteed service"),
)

SEAT_ROLE = (
    Choice("chair", "主任", "chair"),
    Choice("vice_chair", "副主任", "vice chair"),
    Choice("member", "委员", "member"),
)

ROLE = (
    Choice("building_head", "楼栋长", "building head"),
    Choice("entrance_head", "单元长", "entrance head"),
    Choice("instructor", "党建工作指导员", "party-building instructor"),
    Choice("quality_supervisor", "物业服务质量监督员", "property-service quality supervisor"),
    Choice("liaison", "包联干部", "liaison cadre"),
    Choice("central_household", "党员中心户", "party-member central household"),
    Choice("secretary", "书记", "party secretary"),
    Choice("group_leader", "党小组长", "party group leader"),
)

#: Which labels each role may be appointed to.
ROLE_TARGETS: dict[str, tuple[str, ...]] = {
    "building_head": ("Building",),
    "entrance_head": ("Entrance",),
    "instructor": ("PropertyFirm",),
    "quality_supervisor": ("Compound",),
    "liaison": ("Compound", "Grid"),
    "central_household": ("Building", "Entrance"),
    "secretary": ("PartyOrg",),
    "group_leader": ("PartyOrg",),
}

PLACE_LABELS = (
    "Province",
    "City",
    "District",
    "Subdistrict",
    "Community",
    "Grid",
    "Compound",
    "Building",
    "Entrance",
)
COMMITTEE_LABELS = (
    "OwnersCommittee",
    "SelfManagementCommittee",
    "ResidentsCommittee",
    "EnvironmentPropertyCommittee",
)

# ---------------------------------------------------------------- nodes: places


def _place(
    label: str, table: str, zh: str, doc: str, parent: Column | None, *extra: Column, prefix: str, caption: int,
    other_parent: Column | None = None,
) -> NodeKind:
    """``other_parent``: a second parent column making the same PART_OF (exactly one is given)."""
    cols: tuple[Column, ...] = (_id(f"{zh}编号", f"{prefix}-0001"), _name(f"{zh}名称", f"示例{zh}"))
    rels: tuple[InlineRel, ...] = ()
    for p in (parent, other_parent):
        if p is not None:
            cols += (p,)
            rels += (InlineRel(p.name, "PART_OF"),)
    return NodeKind(label, table, zh, doc, cols + extra, rels, extra_labels=("Place",), derived=(_caption(caption),))


PROVINCE = _place(
    "Province", "provinces", "省(自治区、直辖市)",
    "a province, autonomous region or municipality; what a deployment serving several cities rolls up to",
    None,
    Column("code", "行政区划代码", example="420000"),
    prefix="PV", caption=16,
)
CITY = _place(
    "City", "cities", "市", "a city; one deployment usually serves one",
    # a deployment of one city needs no province row
    _ref("province_id", "所属省", "Province", required=False, example="PV-0001"),
    Column("code", "行政区划代码", example="420600"),
    prefix="C", caption=16,
)
DISTRICT = _place(
    "District", "districts", "县(市、区)", "county, district or development zone",
    _ref("city_id", "所属市", "City", example="C-0001"),
    Column("code", "行政区划代码", example="420602"),
    prefix="D", caption=15,
)
SUBDISTRICT = _place(
    "Subdistrict", "subdistricts", "街道", "subdistrict ('street') or township",
    _ref("district_id", "所属县(市、区)", "District", example="D-0001"),
    prefix="S", caption=13,
)
COMMUNITY = _place(
    "Community", "communities", "社区", "community with a residents' committee",
    _ref("subdistrict_id", "所属街道", "Subdistrict", example="S-0001"),
    prefix="CM", caption=11,
)
GRID = _place(
    "Grid", "grids", "网格", "a patch of a community",
    _ref("community_id", "所属社区", "Community", example="CM-0001"),
    prefix="G", caption=10,
)
COMPOUND = _place(
    "Compound", "compounds", "小区", "residential compound, the unit of self-governance",
    # a grid, or for a compound with no grid its community (community_id): exactly one of the two
    _ref("grid_id", "所属网格", "Grid", required=False, example="G-0001"),
    Column("address", "地址", personal=False, example="襄城区檀溪路1号"),
    Column(
        "eligible_for_owners_committee",
        "具备成立业委会条件",
        FieldType.BOOL,
        required=True,
        en_doc="whether the compound meets the conditions to form an owners' committee",
        example="是",
    ),
    Column("households", "户数", FieldType.INT, example="320"),
    prefix="P", caption=9,
    other_parent=Column(
        "community_id",
        "直属社区",
        FieldType.REF,
        ref=("Community",),
        en_doc="id of the Community, only for a compound with no grid (give grid_id or community_id, not both)",
        zh_doc="无网格的小区直接所属的社区编号(与所属网格二选一)",
    ),
)
BUILDING = _place(
    "Building", "buildings", "楼栋", "building",
    _ref("compound_id", "所属小区", "Compound", example="P-0001"),
    Column("residents", "常住人口", FieldType.INT, example="96"),
    prefix="B", caption=7,
)
ENTRANCE = _place(
    "Entrance", "entrances", "单元", "entrance (stairwell section) of a building",
    _ref("building_id", "所属楼栋", "Building", example="B-0001"),
    prefix="E", caption=5,
)

# ---------------------------------------------------------------- nodes: people and organizations

PERSON = NodeKind(
    "Person",
    "persons",
    "人员",
    "a resident who matters to governance: members, heads, committee members, cadres",
    (
        _id("人员编号", "R-000001"),
        # indexed: search by the start of a name, a full phone or ID number (api/graphql/search.py)
        Column("name", "姓名", required=True, personal=True, indexed=True, example="张伟"),
        _enum("gender", "性别", *GENDER, required=False),
        Column("id_number", "身份证号", FieldType.ID_NUMBER, personal=True, indexed=True, example="420602198001011239"),
        Column("phone", "手机号", FieldType.PHONE, personal=True, indexed=True, example="13800001234"),
        # optional: a cadre sent down from the street may live outside every loaded area
        _ref("building_id", "居住楼栋", "Building", required=False, example="B-0001"),
        _ref("entrance_id", "居住单元", "Entrance", required=False, example="E-0001"),
        Column("is_owner", "是否业主", FieldType.BOOL, example="是"),
        _enum("political_status", "政治面貌", *POLITICAL_STATUS, indexed=True),
        Column("in_service", "是否在职", FieldType.BOOL, en_doc="in-service (employed) member", example="是"),
        # a PropertyFirm too: a firm's own members are who can form its branch (FIRM_PARTY_COVERAGE)
        _ref("employer_id", "工作单位", "Employer", "PropertyFirm", required=False, example="U-0001"),
        _date("joined_on", "入党日期"),
        Column("full_on", "转正日期", FieldType.DATE, en_doc="day the member became full (probationary until then)"),
        Column("skills", "特长", example="法律咨询"),
    ),
    inline_rels=(
        InlineRel("building_id", "LIVES_IN"),
        InlineRel("entrance_id", "LIVES_IN_ENTRANCE"),
        InlineRel("employer_id", "WORKS_AT", forward="workplace", back="staff"),
    ),
    conditional_labels=(ConditionalLabel("PartyMember", "political_status", MEMBER_CODES),),
    derived=(NAME_INITIALS, _caption(6, "id")),
)

PARTY_ORG = NodeKind(
    "PartyOrg",
    "party_orgs",
    "党组织",
    "party organization at any level; covers places, firms or employers (see org_coverage)",
    (
        _id("党组织编号", "O-0001"),
        _name("党组织名称", "檀溪社区第一网格党支部"),
        _enum("level", "层级", *ORG_LEVEL, indexed=True, example="党支部"),  # the sample is a branch
        _enum("kind", "类型", *ORG_KIND, indexed=True),
        _ref("parent_id", "上级党组织", "PartyOrg", required=False),
        _date("established_on", "成立日期"),
    ),
    inline_rels=(InlineRel("parent_id", "SUBORDINATE_TO", back="children"),),
    derived=(_caption(10),),
)

EMPLOYER = NodeKind(
    "Employer",
    "employers",
    "单位",
    "government organ, enterprise or institution; located in a community",
    (
        _id("单位编号", "U-0001"),
        _name("单位名称", "襄阳市某局"),
        _enum("kind", "单位类型", *EMPLOYER_KIND),
        Column("credit_code", "统一社会信用代码", FieldType.CREDIT_CODE),
        _ref("community_id", "所在社区", "Community", example="CM-0001"),
    ),
    inline_rels=(InlineRel("community_id", "LOCATED_IN"),),
    derived=(_caption(8),),
)

PROPERTY_FIRM = NodeKind(
    "PropertyFirm",
    "property_firms",
    "物业服务企业",
    "property-service firm",
    (
        _id("企业编号", "F-0001"),
        _name("企业名称", "襄阳某物业服务有限公司"),
        Column("credit_code", "统一社会信用代码", FieldType.CREDIT_CODE, example="91420600MA0000000Q"),
        Column("mass_organization", "群团组织", en_doc="trade union or other mass organization, if any", example="工会"),
    ),
    derived=(_caption(8),),
)


def _committee(label: str, table: str, zh: str, doc: str, parent: Column, prefix: str, caption: int) -> NodeKind:
    return NodeKind(
        label,
        table,
        zh,
        doc,
        (
            _id(f"{zh}编号", f"{prefix}-0001"),
            _name(f"{zh}名称", f"示例{zh}"),
            parent,
            _date("since", "成立(当选)日期", example="2021-06-01"),
            _date("until", "任期届满日期", example="2026-05-31"),
        ),
        inline_rels=(InlineRel(parent.name, "BELONGS_TO"),),
        extra_labels=("Committee",),
        derived=(_caption(caption),),
    )


OWNERS_COMMITTEE = _committee(
    "OwnersCommittee", "owners_committees", "业委会", "owners' committee, elected for a term",
    _ref("compound_id", "所属小区", "Compound", example="P-0001"), "OC", 8,
)
SELF_MANAGEMENT_COMMITTEE = _committee(
    "SelfManagementCommittee", "self_management_committees", "自管委",
    "self-management committee where no owners' committee can be formed yet",
    _ref("compound_id", "所属小区", "Compound", example="P-0001"), "SM", 8,
)
RESIDENTS_COMMITTEE = _committee(
    "ResidentsCommittee", "residents_committees", "居委会", "residents' committee, one per community",
    _ref("community_id", "所属社区", "Community", example="CM-0001"), "RC", 8,
)
ENV_PROPERTY_COMMITTEE = _committee(
    "EnvironmentPropertyCommittee", "env_property_committees", "环境和物业管理委员会",
    "environment and property management committee of a residents' committee",
    _ref("residents_committee_id", "所属居委会", "ResidentsCommittee", example="RC-0001"), "EP", 7,
)


def _site(label: str, table: str, zh: str, doc: str, *where: str, prefix: str, caption: int) -> NodeKind:
    return NodeKind(
        label,
        table,
        zh,
        doc,
        (
            _id(f"{zh}编号", f"{prefix}-0001"),
            _name(f"{zh}名称", f"示例{zh}"),
            _ref("place_id", "所在位置", *where, example="CM-0001"),
            _date("since", "启用日期"),
        ),
        inline_rels=(InlineRel("place_id", "LOCATED_IN"),),
        derived=(_caption(caption),),
    )


SERVICE_CENTRE = _site(
    "ServiceCentre", "service_centres", "党群服务中心", "the community's party-mass service centre",
    "Community", prefix="SC", caption=7,
)
RED_STATION = _site(
    "RedStation", "red_stations", "红色驿站", "a red station (service point) in a community",
    "Community", "Grid", "Compound", prefix="RS", caption=6,
)

NODE_KINDS: tuple[NodeKind, ...] = (
    PROVINCE,
    CITY,
    DISTRICT,
    SUBDISTRICT,
    COMMUNITY,
    GRID,
    COMPOUND,
    BUILDING,
    ENTRANCE,
    EMPLOYER,
    PROPERTY_FIRM,
    PARTY_ORG,
    PERSON,
    RESIDENTS_COMMITTEE,
    ENV_PROPERTY_COMMITTEE,
    OWNERS_COMMITTEE,
    SELF_MANAGEMENT_COMMITTEE,
    SERVICE_CENTRE,
    RED_STATION,
)

# ---------------------------------------------------------------- relationship tables

MEMBERSHIP = RelKind(
    "MEMBER_OF",
    "memberships",
    "组织关系",
    "the branch that holds a member's membership (the work-unit side of 1+1)",
    _ref("person_id", "党员编号", "Person", example="R-000001"),
    _ref("org_id", "党组织编号", "PartyOrg", example="O-0001"),
    (SINCE, UNTIL),
    key=("since",),
    dated=True,
    rules=("person must be a party member",),
    back="members",
)
RESIDENCE_REGISTRATION = RelKind(
    "REGISTERED_AT_RESIDENCE",
    "residence_registrations",
    "居住地党组织报到",
    "the residence-side branch or group that manages a member where they live (1+1)",
    _ref("person_id", "党员编号", "Person", example="R-000001"),
    _ref("org_id", "居住地党组织编号", "PartyOrg", example="O-0001"),
    (SINCE, UNTIL),
    key=("since",),
    dated=True,
    rules=("person must be a party member",),
    back="registeredMembers",
)
ORG_COVERAGE = RelKind(
    "COVERS",
    "org_coverage",
    "党组织覆盖",
    "what a party org covers: a place, a property firm or an employer",
    _ref("org_id", "党组织编号", "PartyOrg", example="O-0001"),
    _ref("target_id", "覆盖对象编号", *PLACE_LABELS, "PropertyFirm", "Employer", example="P-0001"),
    (SINCE, UNTIL),
    key=("since",),
    dated=True,
    forward="covers", back="coveredBy",
)
DUAL_REPORT = RelKind(
    "REPORTED_TO",
    "dual_reports",
    "双报到",
    "a member or an employer's party org reporting to a community",
    _ref("reporter_id", "报到党员或党组织编号", "Person", "PartyOrg", example="R-000001"),
    _ref("community_id", "报到社区", "Community", example="CM-0001"),
    (SINCE, UNTIL),
    key=("since",),
    dated=True,
    rules=("a reporting person must be a party member",),
    back="reporters",
)
COMMITTEE_SEAT = RelKind(
    "SEATED_ON",
    "committee_seats",
    "委员会成员",
    "a seat on a committee, with its role and term",
    _ref("person_id", "人员编号", "Person", example="R-000001"),
    _ref("committee_id", "委员会编号", *COMMITTEE_LABELS, example="OC-0001"),
    (_enum("role", "职务", *SEAT_ROLE), SINCE, UNTIL),
    key=("role", "since"),
    dated=True,
    forward="seats", back="members",
)
PROPERTY_SERVICE = RelKind(
    "SERVES",
    "property_services",
    "物业服务",
    "who provides property service to a compound, in which mode (firm contract, self-managed, guaranteed)",
    _ref(
        "provider_id",
        "服务提供方编号",
        "PropertyFirm",
        "OwnersCommittee",
        "SelfManagementCommittee",
        "ResidentsCommittee",
        "Community",
        "Subdistrict",
        example="F-0001",
    ),
    _ref("compound_id", "小区编号", "Compound", example="P-0001"),
    (_enum("mode", "管理方式", *SERVICE_MODE), Column("contract_no", "合同编号"), SINCE, UNTIL),
    key=("since",),
    dated=True,
    rules=("mode 'firm' requires a PropertyFirm provider, and a PropertyFirm provider requires mode 'firm'",),
    forward="serves", back="servedBy",
)
APPOINTMENT = RelKind(
    "HOLDS_ROLE",
    "appointments",
    "岗位任命",
    "building and entrance heads, instructors, supervisors, liaison cadres, central households, secretaries",
    _ref("person_id", "人员编号", "Person", example="R-000001"),
    _ref(
        "target_id",
        "任职对象编号",
        *sorted({label for labels in ROLE_TARGETS.values() for label in labels}),
        example="B-0001",
    ),
    (_enum("role", "岗位", *ROLE, indexed=True), SINCE, UNTIL),
    key=("role", "since"),
    dated=True,
    rules=("the target's label must suit the role (see ROLE_TARGETS)",),
    forward="appointedTo", back="appointees",
)

REL_KINDS: tuple[RelKind, ...] = (
    MEMBERSHIP,
    RESIDENCE_REGISTRATION,
    ORG_COVERAGE,
    DUAL_REPORT,
    COMMITTEE_SEAT,
    PROPERTY_SERVICE,
    APPOINTMENT,
)

#: Every table, node tables first, in the order a loader writes them.
TABLES: tuple[NodeKind | RelKind, ...] = (*NODE_KINDS, *REL_KINDS)


def node_kind(label: str) -> NodeKind:
    for k in NODE_KINDS:
        if k.label == label:
            return k
    raise KeyError(label)


def table(name: str) -> NodeKind | RelKind:
    for t in TABLES:
        if t.table == name:
            return t
    raise KeyError(name)


def inline_rel_targets(kind: NodeKind, rel: str) -> tuple[str, ...]:
    """The labels an inline relationship of ``kind`` may point at (over every column making it)."""
    labels = tuple(label for r in kind.inline_rels if r.type == rel for label in kind.column(r.column).ref)
    if not labels:
        raise KeyError(rel)
    return labels


def all_relationship_types() -> tuple[str, ...]:
    """Every relationship type of the model, inline and tabled, in declaration order."""
    seen: dict[str, None] = {}
    for k in NODE_KINDS:
        for r in k.inline_rels:
            seen[r.type] = None
    for rk in REL_KINDS:
        seen[rk.type] = None
    return tuple(seen)


def relationship_ends() -> dict[str, tuple[frozenset[str], frozenset[str]]]:
    """For each relationship type, every label its start and its end node may carry (extra
    and conditional labels included): the (label, type) pairs worth counting (``Degrees``)."""

    def labels_of(refs: tuple[str, ...]) -> set[str]:
        out: set[str] = set()
        for k in NODE_KINDS:
            if k.label in refs or any(x in refs for x in k.all_labels):
                out.update(k.all_labels)
        return out

    ends: dict[str, tuple[set[str], set[str]]] = {}
    for k in NODE_KINDS:
        for r in k.inline_rels:
            starts, stops = ends.setdefault(r.type, (set(), set()))
            starts.update(k.all_labels)
            stops.update(labels_of(k.column(r.column).ref))
    for rk in REL_KINDS:
        starts, stops = ends.setdefault(rk.type, (set(), set()))
        starts.update(labels_of(rk.from_column.ref))
        stops.update(labels_of(rk.to_column.ref))
    return {t: (frozenset(a), frozenset(b)) for t, (a, b) in ends.items()}


def base_labels() -> frozenset[str]:
    """One label per node kind (its table's): counting nodes by these counts each node once,
    whatever extra labels it carries (``Place``, ``PartyMember``, ``Committee``)."""
    return frozenset(k.label for k in NODE_KINDS)


def all_labels() -> tuple[str, ...]:
    seen: dict[str, None] = {}
    for k in NODE_KINDS:
        for label in k.all_labels:
            seen[label] = None
    return tuple(seen)
