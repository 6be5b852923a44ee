/* 共治 coverage dashboard: talks only to the project's GraphQL API (graphql, same origin) with the
 * user's token (sessionStorage, sent as "Authorization: Bearer"). Every number on the page is the
 * API's; nothing is computed here except percentages for display and the colours.
 * Libraries (vendored, no CDN): ECharts (window.echarts), cytoscape.js (window.cytoscape). */
(function () {
  "use strict";

  const ENDPOINT = "graphql";
  const TOKEN_KEY = "gongzhi.token";
  const LANG_KEY = "gongzhi.lang";
  const GAP_PAGE = 20;
  const MAX_COMPOUNDS = 500;
  const MAX_MEMBERS = 100;
  const FONT = '"Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "WenQuanYi Zen Hei", "Microsoft YaHei", "PingFang SC", sans-serif';
  const EXPANDABLE = new Set(["City", "District", "Subdistrict", "Community", "Grid"]);

  // ------------------------------------------------------------------ texts

  const T = {
    zh: {
      title: "覆盖率看板", token: "访问令牌", tokenHint: "粘贴 gz_ 开头的令牌", connect: "连接", forget: "清除",
      asOf: "统计日期", asOfShort: "截至", areas: "区域", meanRate: "平均覆盖率",
      clickIndicator: "点击指标(柱条或表格行)查看缺口清单及建议人选", indicator: "指标", covered: "已覆盖",
      total: "总数", rate: "覆盖率", childRanking: "下级区域排名(由低到高)", rankBy: "排名依据", area: "区域",
      gapsOf: "缺口清单：", uncovered: "未覆盖", close: "关闭", more: "加载更多", compoundGraph: "小区关系图",
      compound: "小区", legend: "图例", welcome: "请先输入访问令牌",
      welcomeText: "令牌由管理员用 gongzhi token issue 签发；页面只通过 GraphQL 接口读取您辖区内的数据，令牌仅保存在本浏览器标签页中。",
      loading: "正在读取……", badToken: "令牌无效、已过期或已吊销，请重新输入。", noToken: "请输入访问令牌。",
      failed: "读取失败", rule: "规则", evidence: "说明", facts: "依据数据", suggestions: "建议人选",
      noSuggestions: "暂无建议人选", via: "经由", showGraph: "查看所在小区关系图", na: "无此类对象",
      noGaps: "没有缺口。", noChildren: "没有下级区域。", user: "用户", role: "角色",
      mean: "平均覆盖率", noCompounds: "本区域没有小区。", firstCompounds: "仅列出前 {n} 个小区，请选择更小的区域",
      buildings: "楼栋 {n} 栋：党小组和楼栋长均有 {ok}，缺一项 {part}，两项均缺 {bad}",
      graphTruncated: "楼栋较多，仅显示前 {n} 栋",
      partyMember: "党员", search: "检索", searchHint: "楼栋、小区、姓名或完整手机号", searchResults: "检索结果：", searchCount: "共 {n} 项",
      searchNone: "没有找到。", searchShort: "请至少输入一个字。",
      searchNoNames: "查看者按姓名检索不列出人员：可输入完整手机号或身份证号。",
      searchBy: { NAME: "按姓名及地名", INITIALS: "按姓名拼音首字母及地名", PHONE: "按手机号", ID_NUMBER: "按身份证号", PART_NUMBER: "按号码片段" },
      export: "导出 CSV", colKind: "类别", colName: "名称", colKey: "编号", colPhone: "手机", colWhere: "所在",
      colSection: "类别", colDetail: "说明", colItem: "对象", colStatus: "状态", colCandidates: "建议人选",
      buildingHint: "本楼栋的党员住户、党小组及组长、楼栋长，以及补齐缺口的建议人选(均为当前任职)",
      secMember: "党员住户", secGroup: "党小组", secLeader: "党小组长", secHead: "楼栋长",
      secCandGroup: "建议人选：党小组", secCandHead: "建议人选：楼栋长",
      none: "无", noMembers: "没有党员住户", noGroups: "没有党小组", noHead: "没有楼栋长", leaderOf: "{g} 的组长",
      membersTotal: "党员住户 {n} 人", firstMembers: "仅列出前 {n} 人",
      dateFormat: "日期请写成 YYYY-MM-DD，例如 2021-06-30", dateNoDay: "没有这一天：{d}",
      roles: { viewer: "查看者", organizer: "组织员", officer: "专干", admin: "管理员" },
    },
    en: {
      title: "Coverage dashboard", token: "API token", tokenHint: "paste a token starting with gz_", connect: "Connect",
      forget: "Forget", asOf: "As of", asOfShort: "as of", areas: "Areas", meanRate: "Mean rate",
      clickIndicator: "Click an indicator (bar or row) for its gaps and suggested candidates", indicator: "Indicator",
      covered: "Covered", total: "Total", rate: "Rate", childRanking: "Child areas, furthest behind first",
      rankBy: "Rank by", area: "Area", gapsOf: "Gaps: ", uncovered: "Uncovered", close: "Close", more: "Load more",
      compoundGraph: "Compound graph", compound: "Compound", legend: "Legend", welcome: "Enter your API token",
      welcomeText: "Tokens are issued by an administrator with gongzhi token issue. The page reads only the GraphQL API, only your jurisdiction; the token stays in this browser tab.",
      loading: "Loading…", badToken: "The token is invalid, expired or revoked: enter it again.",
      noToken: "Enter your API token.", failed: "Request failed", rule: "Rule", evidence: "Evidence", facts: "Facts",
      suggestions: "Suggested candidates", noSuggestions: "No suggestions", via: "via",
      showGraph: "Show its compound's graph", na: "none in this area", noGaps: "No gaps.",
      noChildren: "No child areas.", user: "User", role: "Role", mean: "Mean rate",
      noCompounds: "No compounds in this area.", firstCompounds: "Only the first {n} compounds: pick a smaller area",
      buildings: "{n} buildings: group and head {ok}, one missing {part}, both missing {bad}",
      buildings1: "1 building: group and head {ok}, one missing {part}, both missing {bad}",
      graphTruncated: "Many buildings: only the first {n} are drawn",
      partyMember: "party member", search: "Search", searchHint: "building, compound, name or full phone number", searchResults: "Search: ",
      searchCount: "{n} found", searchNone: "Nothing found.", searchShort: "Type at least one character.",
      searchNoNames: "A viewer's search by name lists no people: type a full phone or ID number.",
      searchBy: { NAME: "by name and place name", INITIALS: "by name, pinyin initials and place name", PHONE: "by phone number", ID_NUMBER: "by ID number", PART_NUMBER: "by part of a number" },
      export: "Export CSV", colKind: "Kind", colName: "Name", colKey: "Ledger id", colPhone: "Phone", colWhere: "Where",
      colSection: "Section", colDetail: "Detail", colItem: "Item", colStatus: "Status", colCandidates: "Suggested candidates",
      buildingHint: "The building's resident party members, its party groups and their leaders, its head, and the candidates to close its gaps (current)",
      secMember: "Resident member", secGroup: "Party group", secLeader: "Group leader", secHead: "Building head",
      secCandGroup: "Candidate: party group", secCandHead: "Candidate: building head",
      none: "none", noMembers: "No resident party members", noGroups: "No party group", noHead: "No building head",
      leaderOf: "leader of {g}", membersTotal: "{n} resident members", membersTotal1: "1 resident member",
      firstMembers: "only the first {n} are listed",
      dateFormat: "Write the date as YYYY-MM-DD, e.g. 2021-06-30", dateNoDay: "No such day: {d}",
      roles: { viewer: "viewer", organizer: "organizer", officer: "officer", admin: "admin" },
    },
  };

  const KIND = {
    City: ["市", "City"], District: ["县(市、区)", "District"], Subdistrict: ["街道", "Subdistrict"],
    Community: ["社区", "Community"], Grid: ["网格", "Grid"], Compound: ["小区", "Compound"],
    Building: ["楼栋", "Building"], Entrance: ["单元", "Entrance"], Person: ["人员", "Person"],
    PartyOrg: ["党组织", "Party org"], PropertyFirm: ["物业企业", "Property firm"], Employer: ["单位", "Employer"],
    OwnersCommittee: ["业委会", "Owners' committee"], SelfManagementCommittee: ["自管委", "Self-management committee"],
    ResidentsCommittee: ["居委会", "Residents' committee"],
    EnvironmentPropertyCommittee: ["环境和物业管理委员会", "Env. & property committee"],
    ServiceCentre: ["党群服务中心", "Service centre"], RedStation: ["红色驿站", "Red station"],
  };

  /** Short names for the charts; the API's full titles are shown in tooltips and the gap list. */
  const SHORT = {
    COMPOUND_BRANCH: ["小区(网格)党支部", "Compound branch"],
    BUILDING_GROUP: ["楼栋(单元)党小组", "Building party group"],
    MEMBER_ONE_PLUS_ONE: ["党员“1+1”管理", "Member 1+1"],
    DUAL_REPORTING_MEMBERS: ["在职党员双报到", "Member dual reporting"],
    DUAL_REPORTING_ORGS: ["单位党组织双报到", "Org dual reporting"],
    FIRM_PARTY_COVERAGE: ["物业企业两个覆盖", "Firm party coverage"],
    COMPOUND_OWNERS_COMMITTEE: ["业委会(自管委)", "Owners' committee"],
    BUILDING_HEAD: ["楼栋长(单元长)", "Building head"],
    COMMITTEE_PARTY_SHARE: ["业委会党员占比", "Committee party share"],
    COMPOUND_PROPERTY_SERVICE: ["物业服务覆盖", "Property service"],
    COMPOUND_QUALITY_SUPERVISOR: ["物业质量监督员", "Quality supervisor"],
    COMPOUND_LIAISON: ["两委包联", "Liaison cadre"],
    COMMUNITY_ENV_PROPERTY_COMMITTEE: ["环境和物业管理委员会", "Env. & property committee"],
    COMMUNITY_RED_STATION: ["一中心多站点", "Centre + red stations"],
  };

  const ROLE = {
    building_head: ["楼栋长", "building head"], entrance_head: ["单元长", "entrance head"],
    instructor: ["党建指导员", "instructor"], quality_supervisor: ["质量监督员", "quality supervisor"],
    liaison: ["包联干部", "liaison cadre"], central_household: ["党员中心户", "central household"],
    secretary: ["书记", "secretary"], group_leader: ["党小组长", "group leader"],
    chair: ["主任", "chair"], vice_chair: ["副主任", "vice chair"], member: ["委员", "member"],
  };

  const LEVEL = {
    committee: ["党委", "committee"], working_committee: ["党工委", "working committee"],
    general_branch: ["党总支", "general branch"], branch: ["党支部", "branch"], group: ["党小组", "group"],
  };

  const GRAPH_KINDS = [
    ["compound", "#2f6fb3", "小区", "Compound", false],
    ["b-ok", "#2e9d5b", "楼栋：有党小组和楼栋长", "Building: group and head", false],
    ["b-part", "#e6a23c", "楼栋：缺党小组或楼栋长", "Building: group or head missing", false],
    ["b-bad", "#d64541", "楼栋：两项均缺", "Building: both missing", false],
    ["branch", "#b03a2e", "党支部(党总支)", "Branch", true],
    ["group", "#ec7063", "党小组", "Party group", true],
    ["committee", "#8e44ad", "业委会 / 自管委 / 居委会", "Committees", true],
    ["firm", "#e67e22", "物业企业", "Property firm", true],
    ["firm-bad", "#fff", "物业企业：未实现两个覆盖", "Firm without party coverage", true],
    ["person", "#95a5a6", "人员", "Person", true],
    ["member", "#c0392b", "党员(红框)", "Party member (red ring)", true],
  ];

  // ------------------------------------------------------------------ GraphQL documents

  const PERSON = "fragment P on Person { id key name isPartyMember }";
  const NAMED = `fragment Named on Node { __typename id key
    ... on Place { name placeKind } ... on Person { name phone isPartyMember }
    ... on PartyOrg { name level } ... on Committee { name } ... on PropertyFirm { name }
    ... on Employer { name } ... on ServiceCentre { name } ... on RedStation { name } }`;

  const Q = {
    me: "query Me { me { user role area { id key name placeKind } } }",
    children: `query Children($id: ID!, $after: String) { node(id: $id) { ... on Place {
      children(first: 100, after: $after) { totalCount pageInfo { hasNextPage endCursor }
        nodes { id key name placeKind } } } } }`,
    coverage: `query Coverage($area: ID!, $asOf: Date) { coverage(area: $area, asOf: $asOf) {
      asOf meanRate area { id key name placeKind }
      indicators { indicator titleZh titleEn unitZh unitEn total covered uncovered rate }
      children { area { id key name placeKind } meanRate indicators { indicator total covered rate } } } }`,
    gaps: `query Gaps($area: ID!, $indicator: Indicator!, $asOf: Date, $after: String) {
      gaps(area: $area, indicator: $indicator, asOf: $asOf, first: ${GAP_PAGE}, after: $after, suggestions: 5) {
        indicator { indicator titleZh titleEn unitZh unitEn total covered uncovered rate }
        gaps { totalCount pageInfo { hasNextPage endCursor }
          nodes { status statusZh statusEn ruleZh ruleEn evidenceZh evidenceEn facts
            factList { key labelZh labelEn textZh textEn } item { ...Named }
            suggestions { kind reason whyZh whyEn rank candidate { ...Named } via { ...Named } } } } } }
      ${NAMED}`,
    compounds: `query Compounds($area: ID!, $asOf: Date, $after: String) {
      compounds(area: $area, asOf: $asOf, first: 100, after: $after) {
        totalCount pageInfo { hasNextPage endCursor } nodes { id key name } } }`,
    compound: `query CompoundGraph($id: ID!, $asOf: Date) {
      node(id: $id) { ... on Compound { id key name address households
        parent { id key name placeKind appointees(asOf: $asOf, role: LIAISON, first: 10) { edges { role node { ...P } } } }
        buildings(first: 100) { totalCount nodes { id key name
          head(asOf: $asOf) { ...P }
          partyGroups(asOf: $asOf) { id key name leader(asOf: $asOf) { ...P } } } }
        branches(asOf: $asOf) { id key name level secretary(asOf: $asOf) { ...P } }
        threeParties(asOf: $asOf) {
          residentsCommittee { id key name }
          ownersCommittee { ...C } selfManagementCommittee { ...C }
          propertyFirms { id key name partyOrgs(asOf: $asOf) { id key name level } instructors(asOf: $asOf) { ...P } } }
        appointees(asOf: $asOf, first: 20) { edges { role node { ...P } } } } }
      group: gaps(area: $id, indicator: BUILDING_GROUP, asOf: $asOf, first: 100, suggestions: 0) {
        gaps { totalCount nodes { item { key } } } }
      head: gaps(area: $id, indicator: BUILDING_HEAD, asOf: $asOf, first: 100, suggestions: 0) {
        gaps { totalCount nodes { item { key } } } }
      firm: gaps(area: $id, indicator: FIRM_PARTY_COVERAGE, asOf: $asOf, first: 20, suggestions: 0) {
        gaps { totalCount nodes { item { key } } } }
    }
    fragment C on Committee { id key name seats(asOf: $asOf, first: 30) { edges { role node { ...P } } } }
    ${PERSON}`,
    search: `query Search($text: String!) { search(text: $text, first: 20) { by
      persons { id key name phone isPartyMember building { id key name compound { id key name } } }
      buildings { id key name compound { id key name } }
      compounds { id key name parent { key name placeKind } } } }`,
    building: `query Building($id: ID!, $asOf: Date) { node(id: $id) { ... on Building { id key name
        compound { id key name }
        residents(partyMembersOnly: true, first: ${MAX_MEMBERS}) { totalCount nodes { ...P phone } }
        head(asOf: $asOf) { ...P phone }
        partyGroups(asOf: $asOf) { id key name leader(asOf: $asOf) { ...P phone } } } } }
      ${PERSON}`,
    // a building is not an area: its gaps are found in its compound's list (keys and cursors
    // only, cheap), then read with their candidates one item at a time from the cursor before it
    buildingGapKeys: `query BuildingGapKeys($area: ID!, $asOf: Date) {
      group: gaps(area: $area, indicator: BUILDING_GROUP, asOf: $asOf, first: 100, suggestions: 0) { ...K }
      head: gaps(area: $area, indicator: BUILDING_HEAD, asOf: $asOf, first: 100, suggestions: 0) { ...K } }
      fragment K on GapReport { gaps { edges { cursor node { item { key } } } } }`,
    buildingGap: `query BuildingGap($area: ID!, $indicator: Indicator!, $asOf: Date, $after: String) {
      gaps(area: $area, indicator: $indicator, asOf: $asOf, first: 1, after: $after, suggestions: 5) {
        gaps { nodes { status statusZh statusEn item { key }
          suggestions { rank whyZh whyEn candidate { ...Named } via { ...Named } } } } } }
      ${NAMED}`,
  };

  // ------------------------------------------------------------------ state

  const state = {
    lang: localStorage.getItem(LANG_KEY) === "en" ? "en" : "zh",
    token: sessionStorage.getItem(TOKEN_KEY) || "",
    me: null,
    area: null, // {id, key, name, placeKind}
    coverage: null,
    rankBy: "",
    indicator: null, // the indicator whose gaps are listed
    gaps: null, // {report, nodes, pageInfo}
    compounds: null,
    compound: null, // the graph's data
    search: null, // the last search's text and results
    building: null, // the building whose detail is shown
    asOf: "", // the as-of date field's last valid value ("" is the server's today)
    lastExport: null,
    seq: { coverage: 0, gaps: 0, compound: 0, compounds: 0, search: 0, building: 0 },
  };
  const charts = { indicators: null, children: null };
  let cy = null;

  const $ = (id) => document.getElementById(id);
  const t = (k, vars) => {
    let s = T[state.lang][k];
    if (s === undefined) s = T.zh[k] || k;
    if (vars) for (const [name, v] of Object.entries(vars)) s = s.replace("{" + name + "}", String(v));
    return s;
  };
  const pick = (pair, fallback) => (pair ? pair[state.lang === "en" ? 1 : 0] : fallback);
  const zhEn = (obj, field) => obj[field + (state.lang === "en" ? "En" : "Zh")];
  const kindName = (k) => pick(KIND[k], k || "");
  const roleName = (r) => pick(ROLE[r], r || "");
  const shortName = (ind) => pick(SHORT[ind.indicator], zhEn(ind, "title"));
  const label = (n) => (n ? n.name || n.key : "");
  const pct = (rate) => (rate === null || rate === undefined ? null : (rate * 100).toFixed(1) + "%");
  const rateClass = (rate) =>
    rate === null || rate === undefined ? "na" : rate < 0.6 ? "rate-bad" : rate < 0.9 ? "rate-warn" : "rate-ok";
  const rateColour = (rate) => (rate < 0.6 ? "#d64541" : rate < 0.9 ? "#e6a23c" : "#2e9d5b");

  /** An element with attributes and children; text is always set as text, never as HTML. */
  function el(tag, attrs, ...kids) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === null || v === undefined || v === false) continue;
      if (k === "class") e.className = v;
      else if (k === "text") e.textContent = v;
      else if (k.startsWith("on")) e.addEventListener(k.slice(2), v);
      else e.setAttribute(k, v === true ? "" : String(v));
    }
    for (const kid of kids.flat()) {
      if (kid === null || kid === undefined || kid === false) continue;
      e.append(kid instanceof Node ? kid : document.createTextNode(String(kid)));
    }
    return e;
  }

  // ------------------------------------------------------------------ the API

  class AuthError extends Error {}

  const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

  async function gql(query, variables) {
    // the server limits each token's requests in flight and per second (HTTP 429 with
    // Retry-After): a page that asks several things at once waits its turn, a few times at most
    for (let attempt = 0; ; attempt++) {
      const response = await post(query, variables);
      if (response.status !== 429 || attempt >= 4) return read(response);
      const after = Number(response.headers.get("Retry-After")) || 1;
      await sleep(Math.min(after, 5) * 1000);
    }
  }

  function post(query, variables) {
    if (!state.token) throw new AuthError(t("noToken"));
    return fetch(ENDPOINT, {
      method: "POST",
      headers: {
        "Content-Type": "application/json",
        Accept: "application/graphql-response+json, application/json",
        Authorization: "Bearer " + state.token,
      },
      body: JSON.stringify({ query, variables: variables || {} }),
      credentials: "omit",
      cache: "no-store",
    });
  }

  async function read(response) {
    if (response.status === 401) throw new AuthError(t("badToken"));
    let body;
    try {
      body = await response.json();
    } catch (_) {
      throw new Error(t("failed") + " (HTTP " + response.status + ")");
    }
    if (body.errors && body.errors.length) throw new Error(body.errors.map((e) => e.message).join("; "));
    if (!response.ok) throw new Error(t("failed") + " (HTTP " + response.status + ")");
    return body.data;
  }

  const busy = new Set();
  function status(message, kind) {
    const s = $("status");
    s.textContent = message || "";
    s.className = "status" + (kind ? " " + kind : "");
  }
  async function run(name, task) {
    busy.add(name);
    document.body.dataset.busy = "1";
    status(t("loading"), "busy");
    try {
      await task();
      // the last request to finish clears "loading", but leaves an error of another one shown
      if (busy.size === 1 && !$("status").classList.contains("error")) status("");
    } catch (err) {
      if (err instanceof AuthError) {
        showWelcome(true);
        status(err.message, "error");
      } else {
        status(t("failed") + ": " + err.message, "error");
      }
      console.error(err);
    } finally {
      busy.delete(name);
      if (!busy.size) delete document.body.dataset.busy;
    }
  }

  // ------------------------------------------------------------------ token and user

  function showWelcome(on) {
    $("welcome").hidden = !on;
    for (const id of ["overview", "children", "gaps", "compound", "search-results", "building"]) if (on) $(id).hidden = true;
    if (on) { state.search = null; state.building = null; }
  }

  function connect() {
    return run("me", async () => {
      const data = await gql(Q.me);
      state.me = data.me;
      renderWho();
      showWelcome(false);
      buildTree(state.me.area);
      if (state.me.area) await selectArea(state.me.area);
    });
  }

  function renderWho() {
    const me = state.me;
    $("who").textContent = me ? `${t("user")}: ${me.user} · ${t("role")}: ${T[state.lang].roles[me.role] || me.role}` : "";
  }

  // ------------------------------------------------------------------ the place tree

  function buildTree(root) {
    const tree = $("tree");
    tree.replaceChildren();
    if (root) tree.append(treeItem(root, true));
  }

  function treeItem(place, open) {
    const expandable = EXPANDABLE.has(place.placeKind);
    const li = el("li", { role: "treeitem", "data-key": place.key, "aria-expanded": expandable ? "false" : null });
    const twisty = el("button", {
      type: "button", class: "twisty" + (expandable ? "" : " leaf"), "aria-label": "expand", text: expandable ? "▸" : "",
      tabindex: expandable ? null : "-1",
    });
    const name = el("span", { class: "tree-label", tabindex: "0", "data-key": place.key, title: place.key },
      place.name, el("span", { class: "kind", text: kindName(place.placeKind) }));
    name.addEventListener("click", () => selectArea(place));
    name.addEventListener("keydown", (e) => { if (e.key === "Enter") selectArea(place); });
    twisty.addEventListener("click", () => toggle(li, place));
    li.append(el("div", { class: "tree-row" }, twisty, name));
    li._place = place;
    if (open && expandable) toggle(li, place);
    return li;
  }

  async function toggle(li, place) {
    if (!EXPANDABLE.has(place.placeKind)) return;
    const twisty = li.querySelector(".twisty");
    let sub = li.querySelector(":scope > ul");
    if (sub) {
      const opened = sub.hidden;
      sub.hidden = !opened;
      li.setAttribute("aria-expanded", String(opened));
      twisty.textContent = opened ? "▾" : "▸";
      return;
    }
    sub = el("ul", { role: "group" });
    li.append(sub);
    li.setAttribute("aria-expanded", "true");
    twisty.textContent = "▾";
    await run("children:" + place.key, async () => {
      let after = null;
      do {
        const data = await gql(Q.children, { id: place.id, after });
        const page = data.node && data.node.children;
        if (!page) break;
        for (const child of page.nodes) sub.append(treeItem(child, false));
        after = page.pageInfo.hasNextPage ? page.pageInfo.endCursor : null;
      } while (after);
      li.dataset.loaded = "1";
      markSelected();
    });
  }

  function markSelected() {
    for (const n of document.querySelectorAll(".tree-label.selected")) n.classList.remove("selected");
    if (!state.area) return;
    const n = document.querySelector(`.tree-label[data-key="${CSS.escape(state.area.key)}"]`);
    if (n) n.classList.add("selected");
  }

  // ------------------------------------------------------------------ an area's coverage

  async function selectArea(place) {
    state.area = place;
    state.indicator = null;
    state.gaps = null;
    $("gaps").hidden = true;
    markSelected();
    await Promise.all([loadCoverage(), loadCompounds()]);
  }

  function asOf() {
    return state.asOf || null;
  }

  function loadCoverage() {
    const seq = ++state.seq.coverage;
    return run("coverage", async () => {
      const data = await gql(Q.coverage, { area: state.area.id, asOf: asOf() });
      if (seq !== state.seq.coverage) return;
      state.coverage = data.coverage;
      if (state.rankBy && !(state.coverage && state.coverage.indicators.some((i) => i.indicator === state.rankBy))) {
        state.rankBy = "";
      }
      renderCoverage();
      renderChildren();
    });
  }

  function renderCoverage() {
    const c = state.coverage;
    $("overview").hidden = !c;
    if (!c) return;
    $("area-name").textContent = label(c.area);
    $("area-kind").textContent = c.area ? kindName(c.area.placeKind) + " · " + c.area.key : "";
    $("mean-rate").textContent = pct(c.meanRate) || "—";
    $("area-as-of").textContent = c.asOf;

    const body = $("indicator-table").querySelector("tbody");
    body.replaceChildren(...c.indicators.map((ind) => {
      const row = el("tr", {
        tabindex: "0", "data-indicator": ind.indicator, class: state.indicator === ind.indicator ? "active" : null,
        title: zhEn(ind, "title"),
      },
        el("td", { text: shortName(ind) }),
        el("td", { class: "covered", text: ind.covered }),
        el("td", { class: "total", text: ind.total }),
        el("td", { class: "rate " + rateClass(ind.rate), text: pct(ind.rate) || t("na") }));
      row.addEventListener("click", () => openIndicator(ind.indicator));
      row.addEventListener("keydown", (e) => { if (e.key === "Enter") openIndicator(ind.indicator); });
      return row;
    }));

    const inds = c.indicators.slice().reverse(); // ECharts draws the first category at the bottom
    const chart = charts.indicators || (charts.indicators = echarts.init($("indicator-chart")));
    chart.off("click");
    chart.on("click", (p) => openIndicator(inds[p.dataIndex].indicator));
    chart.setOption({
      textStyle: { fontFamily: FONT },
      animation: false,
      grid: { left: 8, right: 110, top: 8, bottom: 24, containLabel: true },
      tooltip: {
        trigger: "item",
        formatter: (p) => {
          const ind = inds[p.dataIndex];
          return `${escapeHtml(zhEn(ind, "title"))}<br>${t("covered")} ${ind.covered} / ${t("total")} ${ind.total}` +
            ` (${escapeHtml(zhEn(ind, "unit"))}) · ${pct(ind.rate) || t("na")}`;
        },
      },
      xAxis: { type: "value", min: 0, max: 100, axisLabel: { formatter: "{value}%" } },
      yAxis: { type: "category", data: inds.map(shortName), axisTick: { show: false },
        axisLabel: { width: 150, overflow: "truncate" } },
      series: [{
        type: "bar", barMaxWidth: 18, cursor: "pointer",
        data: inds.map((ind) => ({
          value: ind.rate === null ? null : +(ind.rate * 100).toFixed(4),
          itemStyle: { color: ind.rate === null ? "#ccc" : rateColour(ind.rate) },
          label: {
            show: true, position: "right", color: "#333",
            formatter: () => (ind.rate === null ? t("na") : `${pct(ind.rate)}  ${ind.covered}/${ind.total}`),
          },
        })),
        showBackground: true, backgroundStyle: { color: "rgba(0,0,0,0.04)" },
      }],
    }, true);
  }

  function escapeHtml(s) {
    return String(s).replace(/[&<>"']/g, (ch) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[ch]);
  }

  function renderRankBy() {
    const c = state.coverage;
    const sel = $("rank-by");
    const opts = [el("option", { value: "", text: t("mean") })];
    if (c) for (const ind of c.indicators) opts.push(el("option", { value: ind.indicator, text: shortName(ind) }));
    sel.replaceChildren(...opts);
    sel.value = state.rankBy;
  }

  /** The child areas in the API's order (furthest behind first by mean rate), or by one indicator's rate. */
  function rankedChildren() {
    const kids = (state.coverage && state.coverage.children) || [];
    const rate = (child) => {
      if (!state.rankBy) return child.meanRate;
      const ind = child.indicators.find((i) => i.indicator === state.rankBy);
      return ind ? ind.rate : null;
    };
    const rows = kids.map((child, i) => ({ child, rate: rate(child), i }));
    if (state.rankBy) {
      rows.sort((a, b) => (a.rate === null) - (b.rate === null) || (a.rate ?? 0) - (b.rate ?? 0) || a.i - b.i);
    }
    return rows;
  }

  function renderChildren() {
    const c = state.coverage;
    const rows = rankedChildren();
    $("children").hidden = !c || !rows.length;
    renderRankBy();
    if (!c || !rows.length) return;
    const body = $("child-table").querySelector("tbody");
    body.replaceChildren(...rows.map(({ child, rate }, i) => {
      const row = el("tr", { tabindex: "0", "data-area": child.area.key },
        el("td", { text: i + 1 }),
        el("td", {}, label(child.area), el("span", { class: "kind", text: " " + kindName(child.area.placeKind) })),
        el("td", { class: "rate " + rateClass(rate), text: pct(rate) || t("na") }));
      row.addEventListener("click", () => openChild(child.area));
      row.addEventListener("keydown", (e) => { if (e.key === "Enter") openChild(child.area); });
      return row;
    }));

    const shown = rows.slice().reverse(); // worst at the top
    const holder = $("child-chart");
    holder.style.height = Math.max(160, 34 * rows.length + 40) + "px";
    const chart = charts.children || (charts.children = echarts.init(holder));
    chart.resize();
    chart.off("click");
    chart.on("click", (p) => openChild(shown[p.dataIndex].child.area));
    chart.setOption({
      textStyle: { fontFamily: FONT },
      animation: false,
      grid: { left: 8, right: 70, top: 8, bottom: 24, containLabel: true },
      tooltip: { trigger: "item", formatter: (p) => escapeHtml(label(shown[p.dataIndex].child.area)) + ": " + (pct(shown[p.dataIndex].rate) || t("na")) },
      xAxis: { type: "value", min: 0, max: 100, axisLabel: { formatter: "{value}%" } },
      yAxis: { type: "category", data: shown.map((r) => label(r.child.area)), axisTick: { show: false },
        axisLabel: { width: 150, overflow: "truncate" } },
      series: [{
        type: "bar", barMaxWidth: 18, cursor: "pointer",
        data: shown.map((r) => ({
          value: r.rate === null ? null : +(r.rate * 100).toFixed(4),
          itemStyle: { color: r.rate === null ? "#ccc" : rateColour(r.rate) },
          label: { show: true, position: "right", color: "#333", formatter: () => pct(r.rate) || t("na") },
        })),
      }],
    }, true);
  }

  async function openChild(area) {
    // open the child's branch in the tree when it is drawn, then select the area
    const parentLi = document.querySelector(`li[data-key="${CSS.escape(state.area.key)}"]`);
    if (parentLi && !parentLi.querySelector(":scope > ul")) await toggle(parentLi, parentLi._place);
    else if (parentLi) {
      const sub = parentLi.querySelector(":scope > ul");
      if (sub.hidden) await toggle(parentLi, parentLi._place);
    }
    await selectArea(area);
  }

  // ------------------------------------------------------------------ gaps of one indicator

  function openIndicator(indicatorId) {
    state.indicator = indicatorId;
    state.rankBy = indicatorId;
    for (const row of document.querySelectorAll("#indicator-table tbody tr")) {
      row.classList.toggle("active", row.dataset.indicator === indicatorId);
    }
    renderChildren();
    return loadGaps(false);
  }

  function loadGaps(more) {
    const seq = ++state.seq.gaps;
    const after = more && state.gaps ? state.gaps.pageInfo.endCursor : null;
    return run("gaps", async () => {
      const data = await gql(Q.gaps, { area: state.area.id, indicator: state.indicator, asOf: asOf(), after });
      if (seq !== state.seq.gaps) return;
      const report = data.gaps;
      if (!report) return;
      const nodes = (more && state.gaps ? state.gaps.nodes : []).concat(report.gaps.nodes);
      state.gaps = { report, nodes, totalCount: report.gaps.totalCount, pageInfo: report.gaps.pageInfo };
      renderGaps();
      if (!more) $("gaps").scrollIntoView({ block: "start" });
    });
  }

  function renderGaps() {
    const g = state.gaps;
    $("gaps").hidden = !g;
    if (!g) return;
    const ind = g.report.indicator;
    $("gaps-title").textContent = zhEn(ind, "title");
    $("gaps-total").textContent = g.totalCount;
    $("gaps-total").title = `${ind.uncovered} / ${ind.total} ${zhEn(ind, "unit")}`;
    $("gaps-rule").textContent = g.nodes.length ? t("rule") + ": " + zhEn(g.nodes[0], "rule") : t("noGaps");
    const open = new Set([...document.querySelectorAll("#gap-list li.gap.open")].map((li) => li.dataset.item));
    $("gap-list").replaceChildren(...g.nodes.map((gap) => gapItem(gap, open.has(gap.item.key))));
    $("gaps-more").hidden = !g.pageInfo.hasNextPage;
  }

  function gapItem(gap, open) {
    const li = el("li", { class: "gap" + (open ? " open" : ""), "data-item": gap.item.key, "data-status": gap.status });
    const evidence = zhEn(gap, "evidence") || "";
    // a building's or entrance's compound, when the API names it and the area's list has it: "长虹嘉园 20栋"
    const where = gap.facts && typeof gap.facts.compound === "string" && state.compounds
      ? state.compounds.list.find((p) => p.key === gap.facts.compound) : null;
    const head = el("div", { class: "gap-head", tabindex: "0", role: "button", "aria-expanded": String(!!open) },
      el("span", { class: "item", text: (where && !label(gap.item).startsWith(where.name) ? where.name + " " : "") + label(gap.item) }),
      el("span", { class: "key", text: kindName(gap.item.__typename === "Person" ? "Person" : gap.item.placeKind || gap.item.__typename) + " " + gap.item.key }),
      el("span", { class: "brief", text: evidence }),
      el("span", { class: "status-code", title: gap.status, text: zhEn(gap, "status") }));
    const body = gapBody(gap);
    body.hidden = !open;
    const flip = () => {
      body.hidden = !body.hidden;
      li.classList.toggle("open", !body.hidden);
      head.setAttribute("aria-expanded", String(!body.hidden));
    };
    head.addEventListener("click", flip);
    head.addEventListener("keydown", (e) => { if (e.key === "Enter" || e.key === " ") { e.preventDefault(); flip(); } });
    li.append(head, body);
    return li;
  }

  function gapBody(gap) {
    const body = el("div", { class: "gap-body" });
    body.append(el("h4", { text: t("evidence") }), el("p", { class: "evidence", text: zhEn(gap, "evidence") }));
    body.append(el("h4", { text: t("rule") }), el("p", { class: "rule-text", text: zhEn(gap, "rule") }));
    // the evidence by name, as the API words it (queries/labels.py); the codes stay in data-key
    const facts = gap.factList || [];
    if (facts.length) {
      body.append(el("h4", { text: t("facts") }), el("table", { class: "facts-table" },
        el("tbody", {}, facts.map((f) => el("tr", { "data-key": f.key }, el("td", { text: zhEn(f, "label") }),
          el("td", { text: zhEn(f, "text") }))))));
    }
    body.append(el("h4", { text: t("suggestions") }));
    if (!gap.suggestions.length) body.append(el("p", { class: "muted", text: t("noSuggestions") }));
    else {
      body.append(el("ol", { class: "sugg" }, gap.suggestions.map((s) => el("li", {
        "data-candidate": s.candidate.key, "data-reason": s.reason,
      },
        el("span", { class: "who", text: label(s.candidate) }),
        el("span", { class: "key", text: ` (${kindName(s.candidate.__typename)} ${s.candidate.key})` }),
        s.candidate.phone ? el("span", { class: "phone", text: s.candidate.phone }) : null,
        " — ", zhEn(s, "why"),
        s.via ? el("span", { class: "muted", text: ` · ${t("via")} ${label(s.via)}` }) : null))));
    }
    const compound = gap.item.placeKind === "Compound" ? gap.item.key
      : gap.facts && typeof gap.facts.compound === "string" ? gap.facts.compound : null;
    if (compound) {
      body.append(el("p", {}, el("button", {
        type: "button", class: "quiet show-graph", text: t("showGraph"),
        onclick: () => showCompound(compound, true),
      })));
    }
    return body;
  }

  // ------------------------------------------------------------------ the compound graph

  function loadCompounds() {
    const seq = ++state.seq.compounds;
    const area = state.area;
    return run("compounds", async () => {
      let list;
      let total;
      if (area.placeKind === "Compound") {
        list = [area];
        total = 1;
      } else {
        list = [];
        let after = null;
        do { // at most MAX_COMPOUNDS in the list: a smaller area narrows it
          const page = (await gql(Q.compounds, { area: area.id, asOf: asOf(), after })).compounds;
          list.push(...page.nodes);
          total = page.totalCount;
          after = page.pageInfo.hasNextPage && list.length < MAX_COMPOUNDS ? page.pageInfo.endCursor : null;
        } while (after);
      }
      if (seq !== state.seq.compounds) return;
      state.compounds = { list, total };
      renderCompoundPick();
      $("compound").hidden = !list.length;
      if (list.length) await showCompound(list[0].key, false);
    });
  }

  function renderCompoundPick() {
    const sel = $("compound-pick");
    const c = state.compounds;
    if (!c) return;
    const opts = c.list.map((p) => el("option", { value: p.key, text: `${p.name} (${p.key})` }));
    if (c.total > c.list.length) opts.push(el("option", { disabled: true, text: t("firstCompounds", { n: c.list.length }) }));
    sel.replaceChildren(...opts);
    if (state.compound) sel.value = state.compound.node.key;
  }

  function showCompound(key, scroll) {
    const seq = ++state.seq.compound;
    return run("compound", async () => {
      const data = await gql(Q.compound, { id: key, asOf: asOf() });
      if (seq !== state.seq.compound || !data.node) return;
      state.compound = {
        node: data.node,
        noGroup: new Set(data.group ? data.group.gaps.nodes.map((n) => n.item.key) : []),
        noHead: new Set(data.head ? data.head.gaps.nodes.map((n) => n.item.key) : []),
        badFirms: new Set(data.firm ? data.firm.gaps.nodes.map((n) => n.item.key) : []),
      };
      const sel = $("compound-pick");
      if (![...sel.options].some((o) => o.value === key)) {
        sel.append(el("option", { value: key, text: `${data.node.name} (${key})` }));
      }
      sel.value = key;
      $("compound").hidden = false;
      renderGraph();
      if (scroll) $("compound").scrollIntoView({ block: "start" });
    });
  }

  function graphElements() {
    const { node: c, noGroup, noHead, badFirms } = state.compound;
    const nodes = new Map();
    const edges = [];
    const short = (n) => {
      // "长虹嘉园1栋党小组" -> "1栋党小组": the compound's name is in the middle of the graph
      const text = label(n);
      return c.name && text !== c.name && text.startsWith(c.name) && text.length > c.name.length + 1 ? text.slice(c.name.length) : text;
    };
    const add = (n, kind, extra) => {
      if (!n) return null;
      if (!nodes.has(n.key)) nodes.set(n.key, { data: { id: n.key, label: short(n), name: label(n), kind, ...extra }, classes: kind });
      return n.key;
    };
    const person = (p) => add(p, p.isPartyMember ? "member" : "person", { typeName: "Person" });
    const link = (a, b, role) => {
      if (!a || !b) return;
      const id = `${a}|${b}|${role}`;
      if (!edges.some((e) => e.data.id === id)) edges.push({ data: { id, source: a, target: b, role, label: roleName(role) } });
    };
    const centre = add(c, "compound", { typeName: "Compound" });
    let ok = 0, part = 0, bad = 0;
    for (const b of c.buildings.nodes) {
      const missing = (noGroup.has(b.key) ? 1 : 0) + (noHead.has(b.key) ? 1 : 0);
      const kind = missing === 0 ? "b-ok" : missing === 1 ? "b-part" : "b-bad";
      if (missing === 0) ok++; else if (missing === 1) part++; else bad++;
      const id = add(b, kind, { typeName: "Building", noGroup: noGroup.has(b.key), noHead: noHead.has(b.key) });
      link(centre, id, "building");
      if (b.head) link(person(b.head), id, "building_head");
      for (const g of b.partyGroups) {
        link(add(g, "group", { typeName: "PartyOrg" }), id, "covers");
        if (g.leader) link(person(g.leader), g.key, "group_leader");
      }
    }
    for (const br of c.branches) {
      link(add(br, "branch", { typeName: "PartyOrg", level: br.level }), centre, "covers");
      if (br.secretary) link(person(br.secretary), br.key, "secretary");
    }
    const tp = c.threeParties;
    if (tp) {
      if (tp.residentsCommittee) link(add(tp.residentsCommittee, "committee", { typeName: "ResidentsCommittee" }), centre, "residents_committee");
      for (const [cm, typeName] of [[tp.ownersCommittee, "OwnersCommittee"], [tp.selfManagementCommittee, "SelfManagementCommittee"]]) {
        if (!cm) continue;
        link(add(cm, "committee", { typeName }), centre, typeName === "OwnersCommittee" ? "owners_committee" : "self_management_committee");
        for (const e of cm.seats.edges) link(person(e.node), cm.key, e.role || "member");
      }
      for (const f of tp.propertyFirms) {
        const firm = add(f, badFirms.has(f.key) ? "firm-bad" : "firm", { typeName: "PropertyFirm" });
        link(firm, centre, "serves");
        for (const o of f.partyOrgs) link(add(o, "branch", { typeName: "PartyOrg", level: o.level }), firm, "covers");
        for (const p of f.instructors) link(person(p), firm, "instructor");
      }
    }
    for (const e of c.appointees.edges) link(person(e.node), centre, e.role);
    if (c.parent && c.parent.placeKind === "Grid") {
      for (const e of c.parent.appointees.edges) link(person(e.node), centre, "liaison");
    }
    return { elements: [...nodes.values(), ...edges], counts: { n: c.buildings.nodes.length, ok, part, bad } };
  }

  const EDGE_LABEL = {
    building: ["", ""], covers: ["覆盖", "covers"], serves: ["物业服务", "serves"],
    residents_committee: ["居委会", "residents' committee"], owners_committee: ["业委会", "owners' committee"],
    self_management_committee: ["自管委", "self-management"],
  };

  function renderGraph() {
    const { elements, counts } = graphElements();
    for (const e of elements) {
      if (e.data.source) e.data.label = EDGE_LABEL[e.data.role] ? pick(EDGE_LABEL[e.data.role]) : roleName(e.data.role);
    }
    if (cy) cy.destroy();
    // a compound of many buildings gets a taller graph: its ring is wider, its labels stay legible
    $("graph").style.height = Math.min(960, Math.max(560, 260 + counts.n * 16)) + "px";
    cy = cytoscape({
      container: $("graph"),
      elements,
      minZoom: 0.2,
      maxZoom: 3,
      style: graphStyle(),
      layout: { name: "preset" },
    });
    layoutGraph();
    hideOverlappingLabels();
    cy.on("tap", "node", (evt) => {
      showDetail(evt.target);
      if (evt.target.data("typeName") === "Building") showBuilding(evt.target.id());
    });
    cy.on("mouseover", "node", (evt) => evt.target.addClass("hover"));
    cy.on("mouseout", "node", (evt) => evt.target.removeClass("hover"));
    window.gongzhiDashboard.cy = cy;
    const c = state.compound.node;
    const facts = [t(counts.n === 1 && T[state.lang].buildings1 ? "buildings1" : "buildings", counts)];
    if (c.buildings.totalCount > c.buildings.nodes.length) facts.push(t("graphTruncated", { n: c.buildings.nodes.length }));
    $("graph-facts").replaceChildren(...facts.map((f) => el("p", { text: f })));
    $("graph-facts").dataset.ok = counts.ok;
    $("graph-facts").dataset.part = counts.part;
    $("graph-facts").dataset.bad = counts.bad;
    $("graph-detail").replaceChildren();
    renderLegend();
  }

  /** Deterministic: the compound in the middle, its buildings on a ring, what hangs on a building
   * outside it, the compound's own parties (branch, committees, firm, appointees) on an inner ring. */
  function layoutGraph() {
    const centre = cy.nodes(".compound");
    const buildings = cy.nodes(".b-ok, .b-part, .b-bad");
    const others = cy.nodes().difference(centre).difference(buildings);
    const nb = Math.max(buildings.length, 1);
    // each building gets an arc of 84 units on its ring: room for its label ("12栋") and its group's
    const R = Math.max(170, (nb * 84) / (2 * Math.PI));
    const pos = {};
    pos[centre.id()] = { x: 0, y: 0 };
    buildings.forEach((b, i) => {
      const a = (2 * Math.PI * i) / nb - Math.PI / 2;
      pos[b.id()] = { x: R * Math.cos(a), y: R * Math.sin(a), a };
    });
    // what is attached to buildings: groups and heads (and their leaders) fan out beyond them
    const placed = new Set([centre.id(), ...buildings.map((b) => b.id())]);
    const outer = new Map();
    buildings.forEach((b) => {
      b.neighborhood("node").forEach((n) => {
        if (placed.has(n.id()) || n.hasClass("compound")) return;
        if (!outer.has(n.id())) outer.set(n.id(), []);
        outer.get(n.id()).push(pos[b.id()].a);
      });
    });
    const ringStep = new Map();
    for (const [id, angles] of outer) {
      const a = angles.reduce((s, x) => s + x, 0) / angles.length;
      const node = cy.getElementById(id);
      const isGroup = node.hasClass("group");
      const r = R + (isGroup ? 80 : 48);
      const slot = Math.round(a * 100);
      const k = (ringStep.get(slot + (isGroup ? "g" : "h")) || 0);
      ringStep.set(slot + (isGroup ? "g" : "h"), k + 1);
      const da = isGroup ? 0 : 0.09;
      pos[id] = { x: (r + k * 26) * Math.cos(a + da), y: (r + k * 26) * Math.sin(a + da), a };
      placed.add(id);
    }
    // leaders of groups: beyond their group
    others.filter(".person, .member").forEach((n) => {
      if (placed.has(n.id())) return;
      const anchor = n.neighborhood("node").filter((m) => m.hasClass("group") && pos[m.id()]);
      if (anchor.length) {
        const p = pos[anchor[0].id()];
        pos[n.id()] = { x: p.x + 44 * Math.cos(p.a), y: p.y + 44 * Math.sin(p.a), a: p.a };
        placed.add(n.id());
      }
    });
    // the compound's parties and their people on inner rings
    const inner = others.filter((n) => !placed.has(n.id()) && n.neighborhood("node").some((m) => m.hasClass("compound")));
    const r1 = R * 0.42;
    inner.forEach((n, i) => {
      const a = (2 * Math.PI * i) / Math.max(inner.length, 1) - Math.PI / 2 + 0.3;
      pos[n.id()] = { x: r1 * Math.cos(a), y: r1 * Math.sin(a), a };
      placed.add(n.id());
    });
    // people of those parties (committee seats, secretaries, instructors): a small fan around them
    const fan = new Map();
    others.forEach((n) => {
      if (placed.has(n.id())) return;
      const anchor = n.neighborhood("node").filter((m) => placed.has(m.id()));
      const p = anchor.length ? pos[anchor[0].id()] : { x: 0, y: 0, a: 0 };
      const key = anchor.length ? anchor[0].id() : "";
      const k = fan.get(key) || 0;
      fan.set(key, k + 1);
      const a = p.a + (k % 2 ? 1 : -1) * (0.12 + 0.1 * Math.floor(k / 2));
      const r = Math.hypot(p.x, p.y) + 34 + 14 * (k % 3);
      pos[n.id()] = { x: r * Math.cos(a), y: r * Math.sin(a), a };
      placed.add(n.id());
    });
    cy.nodes().positions((n) => ({ x: pos[n.id()].x, y: pos[n.id()].y }));
    cy.fit(undefined, 20);
  }

  /** Like ECharts' labelLayout hideOverlap: labels are kept in order of importance (the compound,
   * buildings, branches and committees, groups, people) and one that would overlap a kept one is
   * hidden; its name shows when the node is tapped or hovered. In model coordinates, so the
   * result holds at every zoom. */
  function hideOverlappingLabels() {
    const rank = (n) => (n.hasClass("compound") ? 0 : n.hasClass("b-ok") || n.hasClass("b-part") || n.hasClass("b-bad") ? 1
      : n.hasClass("group") ? 3 : n.hasClass("person") || n.hasClass("member") ? 4 : 2);
    cy.nodes().removeClass("label-hidden");
    const nodes = cy.nodes().toArray().sort((a, b) => rank(a) - rank(b));
    const kept = [];
    const box = (n) => n.boundingBox({ includeNodes: false, includeEdges: false, includeLabels: true, includeOverlays: false });
    const boxes = new Map(nodes.map((n) => [n.id(), box(n)]));
    const overlaps = (a, b) => a.x1 < b.x2 && b.x1 < a.x2 && a.y1 < b.y2 && b.y1 < a.y2;
    for (const n of nodes) {
      const b = boxes.get(n.id());
      if (!b || !(b.w > 0)) continue;
      if (kept.some((k) => overlaps(k, b))) n.addClass("label-hidden");
      else kept.push(b);
    }
  }

  /** For the tests: pairs of shown node labels that overlap on screen, and the smallest font
   * size, in screen pixels, of a building label as drawn at the current zoom. */
  function labelReport() {
    const shown = cy.nodes().filter((n) => !n.hasClass("label-hidden") && n.data("label"));
    const boxes = shown.map((n) => n.renderedBoundingBox({ includeNodes: false, includeEdges: false, includeLabels: true, includeOverlays: false }));
    let overlaps = 0;
    for (let i = 0; i < boxes.length; i++) for (let j = i + 1; j < boxes.length; j++) {
      const a = boxes[i], b = boxes[j];
      if (a.w > 0 && b.w > 0 && a.x1 < b.x2 && b.x1 < a.x2 && a.y1 < b.y2 && b.y1 < a.y2) overlaps++;
    }
    const buildings = cy.nodes(".b-ok, .b-part, .b-bad");
    const hiddenBuildings = buildings.filter((n) => n.hasClass("label-hidden")).length;
    const fonts = buildings.map((n) => parseFloat(n.style("font-size")) * cy.zoom());
    return { overlaps, shown: shown.length, buildings: buildings.length, hiddenBuildings, minBuildingFont: Math.min(...fonts) };
  }

  function graphStyle() {
    return [
      { selector: "node", style: {
        label: "data(label)", "font-family": FONT, "font-size": 12, color: "#222", "min-zoomed-font-size": 7,
        "text-valign": "bottom", "text-margin-y": 3, "text-wrap": "ellipsis", "text-max-width": 96,
        width: 20, height: 20, "background-color": "#95a5a6", "border-width": 1, "border-color": "#fff",
        "text-background-color": "#fff", "text-background-opacity": 0.75, "text-background-padding": 1,
      } },
      { selector: ".compound", style: { shape: "round-hexagon", width: 58, height: 58, "background-color": "#2f6fb3", "font-size": 16, "font-weight": "bold" } },
      { selector: ".b-ok, .b-part, .b-bad", style: { shape: "round-rectangle", width: 36, height: 28, "font-size": 18, "font-weight": "bold", "text-max-width": 80 } },
      { selector: ".b-ok", style: { "background-color": "#2e9d5b" } },
      { selector: ".b-part", style: { "background-color": "#e6a23c" } },
      { selector: ".b-bad", style: { "background-color": "#d64541" } },
      { selector: ".branch", style: { shape: "star", width: 32, height: 32, "background-color": "#b03a2e" } },
      { selector: ".group", style: { shape: "triangle", width: 22, height: 22, "background-color": "#ec7063" } },
      { selector: ".committee", style: { shape: "round-diamond", width: 30, height: 30, "background-color": "#8e44ad" } },
      { selector: ".firm", style: { shape: "round-tag", width: 32, height: 32, "background-color": "#e67e22" } },
      { selector: ".firm-bad", style: { shape: "round-tag", width: 32, height: 32, "background-color": "#fff", "border-color": "#e67e22", "border-width": 3 } },
      { selector: ".person", style: { width: 13, height: 13, "background-color": "#95a5a6", "font-size": 11, color: "#555" } },
      { selector: ".member", style: { width: 13, height: 13, "background-color": "#95a5a6", "border-color": "#c0392b", "border-width": 2.5, "font-size": 11, color: "#555" } },
      { selector: ".label-hidden", style: { label: "" } },
      { selector: ".label-hidden:selected, .label-hidden.hover", style: { label: "data(label)", "z-index": 10 } },
      { selector: "edge", style: {
        width: 1.2, "line-color": "#c5ccd4", "curve-style": "straight", label: "data(label)", "font-size": 9, "min-zoomed-font-size": 8,
        "font-family": FONT, color: "#7b8794", "text-rotation": "autorotate", "text-background-color": "#fcfcfd",
        "text-background-opacity": 1, "text-background-padding": 1,
      } },
      { selector: "edge[role = 'building']", style: { "line-color": "#d7dde3", width: 1 } },
      { selector: "node:selected", style: { "border-color": "#2f6fb3", "border-width": 3 } },
    ];
  }

  function showDetail(n) {
    const d = n.data();
    const lines = [el("strong", { text: d.name }), el("br"), `${kindName(d.typeName)} ${d.id}`];
    if (d.level) lines.push(" · " + pick(LEVEL[d.level], d.level));
    if (d.typeName === "Building") {
      lines.push(el("br"), (d.noGroup ? "✗ " : "✓ ") + shortName({ indicator: "BUILDING_GROUP" }));
      lines.push(el("br"), (d.noHead ? "✗ " : "✓ ") + shortName({ indicator: "BUILDING_HEAD" }));
    }
    const roles = n.connectedEdges().map((e) => e.data("label")).filter((x) => x);
    if (d.typeName === "Person" && roles.length) lines.push(el("br"), [...new Set(roles)].join("、"));
    $("graph-detail").replaceChildren(...lines);
  }

  function renderLegend() {
    $("legend").replaceChildren(...GRAPH_KINDS.map(([kind, colour, zh, en, round]) => {
      const sw = el("span", { class: "swatch" + (round ? " round" : "") });
      sw.style.background = colour;
      if (kind === "member") { sw.style.background = "#95a5a6"; sw.style.border = "2px solid " + colour; }
      if (kind === "firm-bad") sw.style.border = "2px solid #e67e22";
      return el("li", {}, sw, state.lang === "en" ? en : zh);
    }));
  }

  // ------------------------------------------------------------------ search

  /** The API's search (api/graphql/search.py): people by a full phone or ID number (by name for
   * organizers and up), buildings and compounds by name; all within the token's area, masked as
   * the server masks them. */
  function runSearch() {
    const text = $("search").value.trim();
    const seq = ++state.seq.search;
    if (!text) {
      state.search = { text, by: null, rows: [], note: t("searchShort") };
      renderSearch();
      return Promise.resolve();
    }
    return run("search", async () => {
      const data = await gql(Q.search, { text });
      if (seq !== state.seq.search) return;
      state.search = { text, ...data.search };
      renderSearch();
      $("search-results").scrollIntoView({ block: "start" });
    });
  }

  function searchRows() {
    const s = state.search;
    if (!s || !s.persons) return [];
    const place = (b) => (b ? (b.compound && !b.name.startsWith(b.compound.name) ? b.compound.name + " " : "") + b.name : "");
    return [
      ...s.persons.map((p) => ({ kind: "Person", node: p, where: place(p.building), open: p.building ? () => showBuilding(p.building.key) : null })),
      ...s.buildings.map((b) => ({ kind: "Building", node: b, where: b.compound ? b.compound.name : "", open: () => showBuilding(b.key) })),
      ...s.compounds.map((c) => ({ kind: "Compound", node: c, where: c.parent ? c.parent.name : "", open: () => showCompound(c.key, true) })),
    ];
  }

  function renderSearch() {
    const s = state.search;
    $("search-results").hidden = !s;
    if (!s) return;
    const rows = searchRows();
    $("search-text").textContent = s.text;
    $("search-count").textContent = s.by ? t("searchCount", { n: rows.length }) + " · " + T[state.lang].searchBy[s.by] : "";
    const viewer = state.me && state.me.role === "viewer";
    $("search-note").textContent = s.note || (!rows.length ? t("searchNone") : "") +
      (s.by === "NAME" && viewer ? " " + t("searchNoNames") : "");
    $("search-table").querySelector("tbody").replaceChildren(...rows.map((r) => {
      const tr = el("tr", { tabindex: r.open ? "0" : null, "data-kind": r.kind, "data-key": r.node.key },
        el("td", { text: kindName(r.kind) + (r.node.isPartyMember ? " · " + t("partyMember") : "") }),
        el("td", { text: label(r.node) }), el("td", { text: r.node.key }),
        el("td", { text: r.node.phone || "" }), el("td", { text: r.where }));
      if (r.open) {
        tr.addEventListener("click", r.open);
        tr.addEventListener("keydown", (e) => { if (e.key === "Enter") r.open(); });
      }
      return tr;
    }));
  }

  // ------------------------------------------------------------------ a building's detail

  /** Who is there and who could close its gaps: resident members, groups and their leaders, the
   * head (current on the as-of date), and the API's suggested candidates for each missing one. */
  function showBuilding(key) {
    const seq = ++state.seq.building;
    return run("building", async () => {
      const data = await gql(Q.building, { id: key, asOf: asOf() });
      const b = data.node;
      if (seq !== state.seq.building || !b) return;
      let gaps = { group: null, head: null };
      if (b.compound) {
        const area = b.compound.id;
        const keys = await gql(Q.buildingGapKeys, { area, asOf: asOf() });
        const mine = async (report, indicator) => {
          const edges = report ? report.gaps.edges : [];
          const i = edges.findIndex((e) => e.node.item.key === b.key);
          if (i < 0) return null;
          const one = await gql(Q.buildingGap, { area, indicator, asOf: asOf(), after: i ? edges[i - 1].cursor : null });
          const node = one.gaps && one.gaps.gaps.nodes[0];
          return node && node.item.key === b.key ? node : null;
        };
        gaps = { group: await mine(keys.group, "BUILDING_GROUP"), head: await mine(keys.head, "BUILDING_HEAD") };
        if (seq !== state.seq.building) return;
      }
      state.building = { node: b, gaps };
      renderBuilding();
      $("building").scrollIntoView({ block: "start" });
    });
  }

  function buildingRows() {
    const { node: b, gaps } = state.building;
    const rows = [];
    const person = (section, p, detail) => rows.push({ section, name: label(p), key: p.key, phone: p.phone || "", detail, node: p });
    const members = b.residents;
    if (!members.nodes.length) rows.push({ section: "secMember", name: t("noMembers"), key: "", phone: "", detail: "" });
    for (const p of members.nodes) person("secMember", p, "");
    if (members.totalCount > members.nodes.length) {
      rows.push({ section: "secMember", name: "…", key: "", phone: "", detail: t("membersTotal", { n: members.totalCount }) + " · " + t("firstMembers", { n: members.nodes.length }) });
    }
    if (!b.partyGroups.length) rows.push({ section: "secGroup", name: t("noGroups"), key: "", phone: "", detail: gaps.group ? zhEn(gaps.group, "status") : "" });
    for (const g of b.partyGroups) {
      rows.push({ section: "secGroup", name: label(g), key: g.key, phone: "", detail: "" });
      if (g.leader) person("secLeader", g.leader, t("leaderOf", { g: label(g) }));
    }
    if (b.head) person("secHead", b.head, "");
    else rows.push({ section: "secHead", name: t("noHead"), key: "", phone: "", detail: gaps.head ? zhEn(gaps.head, "status") : "" });
    for (const [section, gap] of [["secCandGroup", gaps.group], ["secCandHead", gaps.head]]) {
      if (!gap) continue;
      if (!gap.suggestions.length) rows.push({ section, name: t("noSuggestions"), key: "", phone: "", detail: "" });
      for (const s of gap.suggestions) {
        const why = zhEn(s, "why") + (s.via ? ` · ${t("via")} ${label(s.via)}` : "");
        rows.push({ section, name: label(s.candidate), key: s.candidate.key, phone: s.candidate.phone || "", detail: why, node: s.candidate });
      }
    }
    return rows;
  }

  function renderBuilding() {
    const bd = state.building;
    $("building").hidden = !bd;
    if (!bd) return;
    const b = bd.node;
    $("building-name").textContent = (b.compound && !b.name.startsWith(b.compound.name) ? b.compound.name + " " : "") + b.name;
    $("building-kind").textContent = kindName("Building") + " · " + b.key;
    const n = b.residents.totalCount;
    $("building-status").textContent = [
      (n === 1 && T[state.lang].membersTotal1 ? t("membersTotal1") : t("membersTotal", { n })),
      (bd.gaps.group ? "✗ " : "✓ ") + shortName({ indicator: "BUILDING_GROUP" }),
      (bd.gaps.head ? "✗ " : "✓ ") + shortName({ indicator: "BUILDING_HEAD" }),
    ].join(" · ");
    $("building-graph").hidden = !b.compound;
    $("building-table").querySelector("tbody").replaceChildren(...buildingRows().map((r) =>
      el("tr", { "data-section": r.section, "data-key": r.key || null, class: r.section.startsWith("secCand") ? "cand" : null },
        el("td", { text: t(r.section) }), el("td", { text: r.name }), el("td", { text: r.key }),
        el("td", { text: r.phone }), el("td", { text: r.detail }))));
  }

  // ------------------------------------------------------------------ export of what is shown

  /** A CSV of one card exactly as it is on screen (the cells' text: names masked as the server
   * masked them, statuses by name), with a bilingual header "中文 / English"; UTF-8 with a BOM
   * so that spreadsheet programs read the Chinese. */
  function exportCard(target) {
    let header;
    let rows;
    if (target === "gap-list") {
      header = ["colItem", "colKey", "evidence", "colStatus", "colCandidates"].map(bilingual);
      rows = [...document.querySelectorAll("#gap-list li.gap")].map((li) => [
        li.querySelector(".gap-head .item").textContent, li.querySelector(".gap-head .key").textContent,
        li.querySelector(".gap-head .brief").textContent, li.querySelector(".gap-head .status-code").textContent,
        [...li.querySelectorAll(".sugg li")].map((s) => s.textContent).join("；"),
      ]);
    } else {
      const table = $(target);
      header = [...table.querySelectorAll("thead th")].map((th) => (th.dataset.i18n ? bilingual(th.dataset.i18n) : th.textContent));
      rows = [...table.querySelectorAll("tbody tr")].map((tr) => [...tr.cells].map((td) => td.textContent));
    }
    const csv = [header, ...rows].map((r) => r.map(csvCell).join(",")).join("\r\n") + "\r\n";
    const blob = new Blob(["\ufeff" + csv], { type: "text/csv;charset=utf-8" });
    const url = URL.createObjectURL(blob);
    const day = asOf() || (state.coverage && state.coverage.asOf) || "";
    const a = el("a", { href: url, download: `gongzhi-${target}-${(state.area && state.area.key) || "area"}${day ? "-" + day : ""}.csv` });
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10000);
    state.lastExport = { target, header, rows };
  }

  const bilingual = (k) => (T.zh[k] === T.en[k] ? T.zh[k] : `${T.zh[k]} / ${T.en[k]}`);

  function csvCell(v) {
    let s = String(v === null || v === undefined ? "" : v);
    // a cell a spreadsheet would run as a formula is written as text
    if (/^[=+\-@\t\r]/.test(s)) s = "'" + s;
    return /[",\r\n]/.test(s) ? '"' + s.replace(/"/g, '""') + '"' : s;
  }

  // ------------------------------------------------------------------ the as-of date

  /** YYYY-MM-DD whatever the browser's locale; "" is "today" (the server's). Returns the
   * message for a date that is not one, or null. */
  function dateProblem(text) {
    if (!text) return null;
    const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
    if (!m) return t("dateFormat");
    const d = new Date(Date.UTC(+m[1], +m[2] - 1, +m[3]));
    if (d.getUTCFullYear() !== +m[1] || d.getUTCMonth() !== +m[2] - 1 || d.getUTCDate() !== +m[3]) return t("dateNoDay", { d: text });
    return null;
  }

  /** Checks the field; on a good date (or none) reloads what is shown as of it. */
  function asOfChanged() {
    const field = $("as-of");
    field.value = field.value.trim();
    const problem = dateProblem(field.value);
    $("as-of-error").textContent = problem || "";
    $("as-of-error").hidden = !problem;
    field.setAttribute("aria-invalid", problem ? "true" : "false");
    if (problem) return;
    state.asOf = field.value;
    if (!state.area) return;
    loadCoverage();
    if (state.indicator) loadGaps(false);
    if (state.compound) showCompound(state.compound.node.key, false);
    if (state.building) showBuilding(state.building.node.key);
  }

  // ------------------------------------------------------------------ language

  function applyLanguage() {
    document.documentElement.lang = state.lang === "en" ? "en" : "zh-CN";
    document.title = state.lang === "en" ? "Gongzhi · Coverage dashboard" : "共治 · 覆盖率看板";
    for (const n of document.querySelectorAll("[data-i18n]")) n.textContent = t(n.dataset.i18n);
    for (const n of document.querySelectorAll("[data-i18n-placeholder]")) n.placeholder = t(n.dataset.i18nPlaceholder);
    for (const n of document.querySelectorAll("[data-i18n-title]")) n.title = t(n.dataset.i18nTitle);
    $("lang").textContent = state.lang === "en" ? "中文" : "EN";
    for (const n of document.querySelectorAll(".tree-label")) {
      const li = n.closest("li");
      if (li && li._place) n.querySelector(".kind").textContent = kindName(li._place.placeKind);
    }
    renderWho();
    if (state.coverage) { renderCoverage(); renderChildren(); }
    if (state.gaps) renderGaps();
    if (state.compound) { renderCompoundPick(); renderGraph(); }
    if (state.search) renderSearch();
    if (state.building) renderBuilding();
    const problem = dateProblem($("as-of").value.trim());
    $("as-of-error").textContent = problem || "";
  }

  // ------------------------------------------------------------------ wiring

  function init() {
    window.gongzhiDashboard = { state, charts, cy: null, gql, labelReport: () => (cy ? labelReport() : null),
      drawCompound: (data) => { state.compound = data; renderGraph(); }, version: 2 };
    $("token").value = state.token ? state.token : "";
    $("token-form").addEventListener("submit", (e) => {
      e.preventDefault();
      state.token = $("token").value.trim();
      if (state.token) sessionStorage.setItem(TOKEN_KEY, state.token);
      else sessionStorage.removeItem(TOKEN_KEY);
      connect();
    });
    $("token-clear").addEventListener("click", () => {
      state.token = "";
      state.me = null;
      sessionStorage.removeItem(TOKEN_KEY);
      $("token").value = "";
      $("tree").replaceChildren();
      renderWho();
      showWelcome(true);
      status("");
    });
    $("lang").addEventListener("click", () => {
      state.lang = state.lang === "en" ? "zh" : "en";
      localStorage.setItem(LANG_KEY, state.lang);
      applyLanguage();
    });
    $("as-of").addEventListener("change", asOfChanged);
    $("search-form").addEventListener("submit", (e) => { e.preventDefault(); runSearch(); });
    $("search-close").addEventListener("click", () => { state.search = null; renderSearch(); });
    $("building-close").addEventListener("click", () => { state.building = null; renderBuilding(); });
    $("building-graph").addEventListener("click", () => {
      if (state.building && state.building.node.compound) showCompound(state.building.node.compound.key, true);
    });
    for (const b of document.querySelectorAll("button.export")) b.addEventListener("click", () => exportCard(b.dataset.export));
    $("rank-by").addEventListener("change", (e) => { state.rankBy = e.target.value; renderChildren(); });
    $("gaps-close").addEventListener("click", () => {
      state.indicator = null;
      state.gaps = null;
      $("gaps").hidden = true;
      for (const row of document.querySelectorAll("#indicator-table tbody tr.active")) row.classList.remove("active");
    });
    $("gaps-more").addEventListener("click", () => loadGaps(true));
    $("compound-pick").addEventListener("change", (e) => showCompound(e.target.value, false));
    window.addEventListener("resize", () => {
      for (const c of Object.values(charts)) if (c) c.resize();
      if (cy) cy.resize();
    });
    applyLanguage();
    if (state.token) connect();
    else showWelcome(true);
  }

  init();
})();
