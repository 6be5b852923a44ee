// 共治 Gongzhi · Neo4j Browser 工具包的查询 / the queries of the Neo4j Browser kit
//
// 同一组查询也在 guide.html(浏览器指南)和 favorites.json / favorites.zip(收藏夹)中, 三处必须一致(tests/browser/test_kit.py 检查)。
// The same queries are in guide.html and favorites.json / favorites.zip, and tests/browser/test_kit.py keeps them equal.
//
// 参数 parameters (只用参数, 查询里不写死任何编号 / parameters only, never literal ids):
//   $asOf      日期 the day asked, e.g. date() for today
//   $area      地区编号 id of a city, district, street, community or grid, e.g. 'CM-0001'
//   $compound  小区编号 id of a compound, e.g. 'P-00001'
//   $member    党员编号 id of a party member, e.g. 'R-000001'
//   $firm      物业企业编号 id of a property firm, e.g. 'F-0001'
//
// Neo4j Browser 中 / in Neo4j Browser:
//   :param asOf => date()
//   :param area => 'CM-0001'
// cypher-shell (Neo4j 5):
//   cypher-shell -a bolt://127.0.0.1:7687 -u neo4j -p "$NEO4J_PASSWORD" \
//     -P "{asOf: date(), area: 'CM-0001', compound: 'P-00001', member: 'R-000001', firm: 'F-0001'}" \
//     -f browser/queries.cypher
//
// 党员姓名属于个人信息: 这些查询只返回编号和政治面貌, 从不返回姓名、电话、身份证号。
// Members' names are personal data: these queries return ids and political status, never names,
// phones or id numbers. "Current" on $asOf: since is empty or <= $asOf, until is empty or >= $asOf.
// A party member on $asOf had joined by then (joined_on empty or <= $asOf), and full on $asOf when
// recorded as full and past full_on (转正日期) if one is recorded, else probationary.

// 00 选择地区 · Areas to pick from
MATCH (a:Place)
WHERE a:Province OR a:City OR a:District OR a:Subdistrict OR a:Community OR a:Grid
OPTIONAL MATCH (a)-[:PART_OF]->(up:Place)
RETURN a.id AS `地区编号`, a.name AS `名称`,
  CASE WHEN a:Province THEN '省' WHEN a:City THEN '市' WHEN a:District THEN '县(市、区)' WHEN a:Subdistrict THEN '街道'
       WHEN a:Community THEN '社区' ELSE '网格' END AS `层级`,
  up.id AS `上级编号`
ORDER BY CASE WHEN a:Province THEN -1 WHEN a:City THEN 0 WHEN a:District THEN 1 WHEN a:Subdistrict THEN 2 WHEN a:Community THEN 3 ELSE 4 END,
  `地区编号`
LIMIT 1000
;

// 01 未建党小组的楼栋及居住党员 · Buildings without a party group, and the members living there
MATCH (:Place {id: $area})<-[:PART_OF*0..7]-(b:Building)
WHERE NOT EXISTS {
    MATCH (b)<-[r:COVERS]-(o:PartyOrg)
    WHERE o.level = 'group'
      AND (r.since IS NULL OR r.since <= $asOf) AND (r.until IS NULL OR r.until >= $asOf)
  }
  AND NOT (
    EXISTS { MATCH (b)<-[:PART_OF]-(:Entrance) }
    AND NOT EXISTS {
      MATCH (b)<-[:PART_OF]-(e:Entrance)
      WHERE NOT EXISTS {
        MATCH (e)<-[r:COVERS]-(o:PartyOrg)
        WHERE o.level = 'group'
          AND (r.since IS NULL OR r.since <= $asOf) AND (r.until IS NULL OR r.until >= $asOf)
      }
    }
  )
OPTIONAL MATCH (b)-[:PART_OF]->(c:Compound)
RETURN c.id AS `小区编号`, c.name AS `小区`, b.id AS `楼栋编号`, b.name AS `楼栋`,
  COUNT { MATCH (b)<-[:PART_OF]-(:Entrance) } AS `单元数`,
  COUNT { MATCH (b)<-[:PART_OF]-(e:Entrance)
          WHERE EXISTS { MATCH (e)<-[r:COVERS]-(o:PartyOrg)
                         WHERE o.level = 'group'
                           AND (r.since IS NULL OR r.since <= $asOf) AND (r.until IS NULL OR r.until >= $asOf) }
        } AS `已建党小组的单元数`,
  COUNT { MATCH (b)<-[:LIVES_IN]-(p:PartyMember) WHERE (p.joined_on IS NULL OR p.joined_on <= $asOf) AND p.political_status = 'member' AND (p.full_on IS NULL OR p.full_on <= $asOf) } AS `正式党员数`,
  COLLECT { MATCH (b)<-[:LIVES_IN]-(p:PartyMember) WHERE (p.joined_on IS NULL OR p.joined_on <= $asOf)
            RETURN {`党员编号`: p.id,
                    `政治面貌`: CASE WHEN p.political_status = 'member' AND (p.full_on IS NULL OR p.full_on <= $asOf) THEN '正式党员'
                                ELSE '预备党员' END} AS x
            ORDER BY p.id } AS `居住党员`
ORDER BY `楼栋编号`
;

// 02 地区内的小区 · Compounds of the area
MATCH (:Place {id: $area})<-[:PART_OF*0..6]-(c:Compound)
OPTIONAL MATCH (c)-[:PART_OF]->(g:Grid)
RETURN c.id AS `小区编号`, c.name AS `小区`, g.id AS `网格编号`, c.households AS `户数`,
  COUNT { MATCH (c)<-[:PART_OF]-(:Building) } AS `楼栋数`
ORDER BY `小区编号`
;

// 03 小区三方与党支部 · A compound's three parties and its party branch
MATCH (c:Compound {id: $compound})
OPTIONAL MATCH (c)-[:PART_OF]->(g:Grid)
OPTIONAL MATCH (c)-[:PART_OF*1..2]->(m:Community)
RETURN c.id AS `小区编号`, c.name AS `小区`, g.id AS `网格编号`, m.id AS `社区编号`, m.name AS `社区`,
  COLLECT { MATCH (m)<-[:BELONGS_TO]-(k:ResidentsCommittee)
            WHERE (k.since IS NULL OR k.since <= $asOf) AND (k.until IS NULL OR k.until >= $asOf)
            RETURN {`编号`: k.id, `名称`: k.name, `任期起`: k.since, `任期止`: k.until} AS x
            ORDER BY k.id } AS `居委会`,
  COLLECT { MATCH (c)<-[:BELONGS_TO]-(k:Committee)
            WHERE (k:OwnersCommittee OR k:SelfManagementCommittee)
              AND (k.since IS NULL OR k.since <= $asOf) AND (k.until IS NULL OR k.until >= $asOf)
            RETURN {`编号`: k.id, `名称`: k.name,
                    `类型`: CASE WHEN k:OwnersCommittee THEN '业委会' ELSE '自管委' END,
                    `任期起`: k.since, `任期止`: k.until} AS x
            ORDER BY k.id } AS `业委会或自管委`,
  COLLECT { MATCH (c)<-[s:SERVES]-(f:PropertyFirm)
            WHERE (s.since IS NULL OR s.since <= $asOf) AND (s.until IS NULL OR s.until >= $asOf)
            RETURN {`编号`: f.id, `名称`: f.name, `合同编号`: s.contract_no, `起始`: s.since, `终止`: s.until} AS x
            ORDER BY f.id } AS `物业服务企业`,
  COLLECT { MATCH (c)<-[s:SERVES]-(x)
            WHERE NOT x:PropertyFirm
              AND (s.since IS NULL OR s.since <= $asOf) AND (s.until IS NULL OR s.until >= $asOf)
            RETURN {`提供方编号`: x.id,
                    `方式`: CASE s.mode WHEN 'self_managed' THEN '党建引领自管' WHEN 'guaranteed' THEN '保障性管理'
                            ELSE s.mode END} AS y
            ORDER BY x.id } AS `其他管理方式`,
  COLLECT { UNWIND [c, g] AS t
            MATCH (t)<-[r:COVERS]-(o:PartyOrg)
            WHERE o.level IN ['branch', 'general_branch']
              AND (r.since IS NULL OR r.since <= $asOf) AND (r.until IS NULL OR r.until >= $asOf)
            RETURN DISTINCT {`编号`: o.id, `名称`: o.name,
                             `层级`: CASE o.level WHEN 'branch' THEN '党支部' ELSE '党总支' END,
                             `覆盖`: t.id} AS x
            ORDER BY x.`编号`, x.`覆盖` } AS `党支部`
;

// 04 小区关系图 · A compound as a graph (buildings, orgs, committees, firms, no persons)
MATCH (c:Compound {id: $compound})
CALL (c) {
    MATCH p = (c)-[:PART_OF*1..2]->(:Place)
    RETURN p
  UNION
    MATCH p = (c)<-[:PART_OF]-(:Building)
    RETURN p
  UNION
    MATCH p = (c)<-[:PART_OF*0..2]-(:Place)<-[r:COVERS]-(:PartyOrg)
    WHERE (r.since IS NULL OR r.since <= $asOf) AND (r.until IS NULL OR r.until >= $asOf)
    RETURN p
  UNION
    MATCH p = (c)-[:PART_OF]->(:Grid)<-[r:COVERS]-(:PartyOrg)
    WHERE (r.since IS NULL OR r.since <= $asOf) AND (r.until IS NULL OR r.until >= $asOf)
    RETURN p
  UNION
    MATCH p = (c)<-[:BELONGS_TO]-(k:Committee)
    WHERE (k.since IS NULL OR k.since <= $asOf) AND (k.until IS NULL OR k.until >= $asOf)
    RETURN p
  UNION
    MATCH p = (c)<-[s:SERVES]-()
    WHERE (s.since IS NULL OR s.since <= $asOf) AND (s.until IS NULL OR s.until >= $asOf)
    RETURN p
  UNION
    MATCH (c)-[:PART_OF*1..2]->(m:Community)
    MATCH p = (m)<-[:BELONGS_TO]-(k:ResidentsCommittee)
    WHERE (k.since IS NULL OR k.since <= $asOf) AND (k.until IS NULL OR k.until >= $asOf)
    RETURN p
}
RETURN p
;

// 05 地区内的党员 · Party members living in the area
MATCH (:Place {id: $area})<-[:PART_OF*0..7]-(b:Building)<-[:LIVES_IN]-(p:PartyMember)
WHERE (p.joined_on IS NULL OR p.joined_on <= $asOf)
WITH p, b,
  EXISTS { MATCH (p)-[r:MEMBER_OF]->(:PartyOrg)
           WHERE (r.since IS NULL OR r.since <= $asOf) AND (r.until IS NULL OR r.until >= $asOf) } AS membership,
  EXISTS { MATCH (p)-[r:REGISTERED_AT_RESIDENCE]->(:PartyOrg)
           WHERE (r.since IS NULL OR r.since <= $asOf) AND (r.until IS NULL OR r.until >= $asOf) } AS residence
RETURN p.id AS `党员编号`,
  CASE WHEN p.political_status = 'member' AND (p.full_on IS NULL OR p.full_on <= $asOf) THEN '正式党员'
       ELSE '预备党员' END AS `政治面貌`,
  b.id AS `楼栋编号`, membership AS `有组织关系`, residence AS `已编入居住地党组织`
ORDER BY residence, membership, `党员编号`
LIMIT 1000
;

// 06 党员的1+1 · A member's 1+1 (membership branch and residence-side branch)
MATCH (p:PartyMember {id: $member})
OPTIONAL MATCH (p)-[:LIVES_IN]->(b:Building)
OPTIONAL MATCH (b)-[:PART_OF]->(c:Compound)
OPTIONAL MATCH (c)-[:PART_OF]->(g:Grid)
OPTIONAL MATCH (p)-[:LIVES_IN_ENTRANCE]->(e:Entrance)
WITH p, b, c, g, e,
  COLLECT { MATCH (p)-[r:MEMBER_OF]->(o:PartyOrg)
            WHERE (r.since IS NULL OR r.since <= $asOf) AND (r.until IS NULL OR r.until >= $asOf)
            WITH DISTINCT o, b, c, g, e ORDER BY o.id
            RETURN {`编号`: o.id, `名称`: o.name,
                    `层级`: CASE o.level WHEN 'committee' THEN '党委' WHEN 'working_committee' THEN '党工委'
                                   WHEN 'general_branch' THEN '党总支' WHEN 'branch' THEN '党支部'
                                   WHEN 'group' THEN '党小组' ELSE o.level END,
                    `覆盖地点`: COLLECT { MATCH (o)-[k:COVERS]->(t:Place)
                                         WHERE (k.since IS NULL OR k.since <= $asOf) AND (k.until IS NULL OR k.until >= $asOf)
                                         RETURN DISTINCT t.id AS x ORDER BY x },
                    `覆盖住处`: EXISTS { MATCH (o)-[k:COVERS]->(t:Place)
                                       WHERE (k.since IS NULL OR k.since <= $asOf) AND (k.until IS NULL OR k.until >= $asOf)
                                         AND ((o.level = 'group' AND (t = b OR t = e))
                                              OR (o.level <> 'group' AND (t = c OR t = g))) }} } AS membership,
  COLLECT { MATCH (p)-[r:REGISTERED_AT_RESIDENCE]->(o:PartyOrg)
            WHERE (r.since IS NULL OR r.since <= $asOf) AND (r.until IS NULL OR r.until >= $asOf)
            WITH DISTINCT o, b, c, g, e ORDER BY o.id
            RETURN {`编号`: o.id, `名称`: o.name,
                    `层级`: CASE o.level WHEN 'committee' THEN '党委' WHEN 'working_committee' THEN '党工委'
                                   WHEN 'general_branch' THEN '党总支' WHEN 'branch' THEN '党支部'
                                   WHEN 'group' THEN '党小组' ELSE o.level END,
                    `覆盖地点`: COLLECT { MATCH (o)-[k:COVERS]->(t:Place)
                                         WHERE (k.since IS NULL OR k.since <= $asOf) AND (k.until IS NULL OR k.until >= $asOf)
                                         RETURN DISTINCT t.id AS x ORDER BY x },
                    `覆盖住处`: EXISTS { MATCH (o)-[k:COVERS]->(t:Place)
                                       WHERE (k.since IS NULL OR k.since <= $asOf) AND (k.until IS NULL OR k.until >= $asOf)
                                         AND ((o.level = 'group' AND (t = b OR t = e))
                                              OR (o.level <> 'group' AND (t = c OR t = g))) }} } AS residence
WITH p, b, c, g, e, membership, residence,
  CASE WHEN size(membership) = 0 THEN 'missing_membership'
       WHEN size(membership) > 1 THEN 'multiple_membership'
       WHEN size(residence) = 0 AND any(x IN membership WHERE x.`覆盖住处`) THEN 'complete'
       WHEN size(residence) = 0 THEN 'missing_residence'
       WHEN size(residence) > 1 THEN 'multiple_residence'
       WHEN NOT any(x IN residence WHERE x.`覆盖住处`) THEN 'residence_mismatch'
       ELSE 'complete' END AS status
RETURN p.id AS `党员编号`,
  CASE WHEN p.political_status = 'member' AND (p.full_on IS NULL OR p.full_on <= $asOf) THEN '正式党员'
       ELSE '预备党员' END AS `政治面貌`,
  b.id AS `楼栋编号`, e.id AS `单元编号`, c.id AS `小区编号`, g.id AS `网格编号`,
  membership AS `组织关系所在党组织(单位侧)`, residence AS `居住地党组织(居住侧)`,
  status AS `状态`,
  CASE status WHEN 'complete' THEN '已落实1+1' WHEN 'missing_membership' THEN '无组织关系(数据错误, 请核实)'
       WHEN 'missing_residence' THEN '未编入居住地党组织' WHEN 'multiple_residence' THEN '编入了多个居住地党组织'
       ELSE '居住地党组织不覆盖其住处' END AS `说明`
;

// 07 地区内的物业企业 · Property firms serving the area
MATCH (:Place {id: $area})<-[:PART_OF*0..6]-(c:Compound)<-[s:SERVES]-(f:PropertyFirm)
WHERE (s.since IS NULL OR s.since <= $asOf) AND (s.until IS NULL OR s.until >= $asOf)
WITH f, collect(DISTINCT c.id) AS compounds
RETURN f.id AS `企业编号`, f.name AS `企业`, compounds AS `地区内在管小区`
ORDER BY `企业编号`
;

// 08 物业企业党建覆盖 · A property firm's party coverage
MATCH (f:PropertyFirm {id: $firm})
WITH f,
  COLLECT { MATCH (f)<-[r:COVERS]-(o:PartyOrg)
            WHERE (r.since IS NULL OR r.since <= $asOf) AND (r.until IS NULL OR r.until >= $asOf)
            WITH DISTINCT o ORDER BY o.id
            RETURN {`编号`: o.id, `名称`: o.name,
                    `类型`: CASE o.kind WHEN 'firm' THEN '企业自建' WHEN 'joint' THEN '联合组建' ELSE o.kind END,
                    `层级`: CASE o.level WHEN 'committee' THEN '党委' WHEN 'general_branch' THEN '党总支'
                            WHEN 'branch' THEN '党支部' WHEN 'group' THEN '党小组' ELSE o.level END} } AS orgs,
  COLLECT { MATCH (f)<-[h:HOLDS_ROLE]-(x:Person)
            WHERE h.role = 'instructor'
              AND (h.since IS NULL OR h.since <= $asOf) AND (h.until IS NULL OR h.until >= $asOf)
            RETURN {`人员编号`: x.id,
                    `政治面貌`: CASE x.political_status WHEN 'member' THEN '正式党员' WHEN 'probationary' THEN '预备党员'
                                WHEN 'masses' THEN '群众' ELSE x.political_status END,
                    `起始`: h.since} AS y
            ORDER BY x.id } AS instructors
RETURN f.id AS `企业编号`, f.name AS `企业`,
  COLLECT { MATCH (f)-[s:SERVES]->(c:Compound)
            WHERE (s.since IS NULL OR s.since <= $asOf) AND (s.until IS NULL OR s.until >= $asOf)
            RETURN DISTINCT c.id AS x ORDER BY x } AS `在管小区`,
  orgs AS `党组织(组织覆盖)`, instructors AS `党建工作指导员`, f.mass_organization AS `群团组织`,
  COUNT { MATCH (f)<-[:WORKS_AT]-(p:PartyMember) WHERE (p.joined_on IS NULL OR p.joined_on <= $asOf) AND p.political_status = 'member' AND (p.full_on IS NULL OR p.full_on <= $asOf) } AS `本企业正式党员数`,
  CASE WHEN size(orgs) > 0 THEN '组织覆盖'
       WHEN size(instructors) > 0 OR size(coalesce(f.mass_organization, '')) > 0 THEN '工作覆盖'
       ELSE '未覆盖' END AS `覆盖情况`
;

// 09 下级地区统计 · Counts per child area (what the API's groupBy gives)
MATCH (:Place {id: $area})<-[:PART_OF]-(a:Place)
WHERE a:City OR a:District OR a:Subdistrict OR a:Community OR a:Grid OR a:Compound
RETURN a.id AS `下级编号`, a.name AS `名称`,
  CASE WHEN a:City THEN '市' WHEN a:District THEN '县(市、区)' WHEN a:Subdistrict THEN '街道' WHEN a:Community THEN '社区'
       WHEN a:Grid THEN '网格' ELSE '小区' END AS `层级`,
  COUNT { MATCH (a)<-[:PART_OF*0..5]-(c:Compound) } AS `小区数`,
  COUNT { MATCH (a)<-[:PART_OF*0..6]-(b:Building) } AS `楼栋数`,
  COUNT { MATCH (a)<-[:PART_OF*0..6]-(b:Building)
          WHERE NOT EXISTS {
              MATCH (b)<-[r:COVERS]-(o:PartyOrg)
              WHERE o.level = 'group'
                AND (r.since IS NULL OR r.since <= $asOf) AND (r.until IS NULL OR r.until >= $asOf)
            }
            AND NOT (
              EXISTS { MATCH (b)<-[:PART_OF]-(:Entrance) }
              AND NOT EXISTS {
                MATCH (b)<-[:PART_OF]-(e:Entrance)
                WHERE NOT EXISTS {
                  MATCH (e)<-[r:COVERS]-(o:PartyOrg)
                  WHERE o.level = 'group'
                    AND (r.since IS NULL OR r.since <= $asOf) AND (r.until IS NULL OR r.until >= $asOf)
                }
              }
            ) } AS `未建党小组的楼栋数`,
  COUNT { MATCH (a)<-[:PART_OF*0..6]-(:Building)<-[:LIVES_IN]-(p:PartyMember)
          WHERE p.joined_on IS NULL OR p.joined_on <= $asOf } AS `居住党员数`
ORDER BY `下级编号`
;

// 10 缺口台账(按小区) · Gaps ledger: buildings without a party group, one numbered row per compound
MATCH (:Place {id: $area})<-[:PART_OF*0..6]-(c:Compound)<-[:PART_OF]-(b:Building)
WHERE NOT EXISTS {
    MATCH (b)<-[r:COVERS]-(o:PartyOrg)
    WHERE o.level = 'group'
      AND (r.since IS NULL OR r.since <= $asOf) AND (r.until IS NULL OR r.until >= $asOf)
  }
  AND NOT (
    EXISTS { MATCH (b)<-[:PART_OF]-(:Entrance) }
    AND NOT EXISTS {
      MATCH (b)<-[:PART_OF]-(e:Entrance)
      WHERE NOT EXISTS {
        MATCH (e)<-[r:COVERS]-(o:PartyOrg)
        WHERE o.level = 'group'
          AND (r.since IS NULL OR r.since <= $asOf) AND (r.until IS NULL OR r.until >= $asOf)
      }
    }
  )
WITH c, b ORDER BY b.id
WITH c, collect(b.id) AS ids, collect(b.name) AS names
ORDER BY c.id
WITH collect({c: c, ids: ids, names: names}) AS rows
UNWIND range(0, size(rows) - 1) AS i
RETURN i + 1 AS `序号`, rows[i].c.id AS `小区编号`, rows[i].c.name AS `小区`,
  size(rows[i].ids) AS `未建党小组的楼栋数`, rows[i].ids AS `楼栋编号`, rows[i].names AS `楼栋`,
  $asOf AS `统计日期`
;
