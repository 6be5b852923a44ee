"""Why a suggested candidate fits: one stable code per reason, with Chinese and English text.

``{via}`` is the id that links the candidate to the gap (their building, the org whose
secretary they are, the compound a nearby branch covers, ...).
"""

from __future__ import annotations

REASONS: dict[str, tuple[str, str]] = {
    "resident_full_member": (
        "正式党员，居住在{via}",
        "full party member living in {via}",
    ),
    "resident_member": (
        "党员，居住在{via}",
        "party member living in {via}",
    ),
    "central_household": (
        "党员中心户，居住在{via}",
        "party-member central household, living in {via}",
    ),
    "nearby_branch": (
        "同社区党支部，已覆盖{via}，可延伸覆盖",
        "a branch of the same community, already covering {via}; can extend its coverage",
    ),
    "neighbour_group": (
        "相邻楼栋{via}的党小组，党员较少时可共建一个党小组",
        "the party group of neighbouring building {via}; few members can share one group",
    ),
    "covers_home": (
        "覆盖其居住小区(网格){via}的党支部，可编入",
        "the branch covering {via}, the compound or grid where the member lives; register there",
    ),
    "group_covers_home": (
        "覆盖其居住楼栋(单元){via}的党小组",
        "the party group covering {via}, the building or entrance where the member lives",
    ),
    "keep_residence": (
        "覆盖其居住地{via}，保留此居住地党组织登记",
        "covers {via}, where the member lives: keep this residence-side registration",
    ),
    "end_residence": (
        "不覆盖其居住地或与{via}重复，结束此居住地党组织登记",
        "does not cover where the member lives, or duplicates {via}: end this residence-side registration",
    ),
    "end_residence_elsewhere": (
        "不覆盖其居住地，编入居住地党组织后结束此登记",
        "does not cover where the member lives: end this registration once registered where they live",
    ),
    "end_membership": (
        "组织关系重复，结束此处的组织关系，保留{via}",
        "a second current membership: end this one and keep the one in {via}",
    ),
    "owner_member": (
        "小区业主中的党员，居住在{via}",
        "party member among the compound's owners, living in {via}",
    ),
    "dual_reported_owner_member": (
        "小区业主中的“双报到”党员，居住在{via}",
        "dual-reported party member among the compound's owners, living in {via}",
    ),
    "firm_full_member": (
        "本企业正式党员，3名以上可单独组建党支部",
        "a full member working at the firm; three or more can form the firm's own branch",
    ),
    "firm_member": (
        "本企业党员",
        "a party member working at the firm",
    ),
    "joint_org": (
        "联合党组织，已覆盖同片区物业企业{via}，可联合组建",
        "a joint party org already covering {via}, a firm serving the same community; can join",
    ),
    "reported_org_secretary": (
        "“双报到”党组织{via}书记，可兼任",
        "secretary of {via}, a dual-reported party org of the community; can serve concurrently",
    ),
    "serves_nearby": (
        "正在为同社区小区{via}提供物业服务，可连片引入",
        "already serving {via} in the same community; can take the compound on",
    ),
    "committee_chair": (
        "本小区业委会(自管委){via}主任",
        "chair of {via}, the compound's owners' or self-management committee",
    ),
    "residents_committee_member": (
        "社区居委会{via}成员(社区“两委”)",
        "member of {via}, the community's residents' committee",
    ),
    "community_secretary": (
        "社区党组织{via}书记(社区“两委”)",
        "secretary of {via}, the community's party org",
    ),
    "street_secretary": (
        "街道党组织{via}书记",
        "secretary of {via}, the street's party org",
    ),
    "liaison_nearby": (
        "已包联同社区{via}的干部",
        "a liaison cadre already serving {via} in the same community",
    ),
    "residents_committee": (
        "社区居委会，应下设环境和物业管理委员会",
        "the community's residents' committee, which is to set the sub-committee up",
    ),
    "compound_members": (
        "社区内小区，居住党员较多，可设红色驿站",
        "a compound of the community with many resident members; a place for a red station",
    ),
    "home_community": (
        "其居住地社区，应向该社区报到",
        "the community where the member lives, to report to",
    ),
    "employer_community": (
        "单位所在社区，应向该社区报到",
        "the community where the employer is located, to report to",
    ),
}


def why(reason: str, via: str | None) -> tuple[str, str]:
    zh, en = REASONS.get(reason, (reason, reason))
    v = via if via is not None else "-"
    return zh.format(via=v), en.format(via=v)
