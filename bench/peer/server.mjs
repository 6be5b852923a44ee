// The bench's peer: @neo4j/graphql served over plain node:http (bench/peer.py starts it).
//
// Usage: node server.mjs TYPEDEFS.graphql PORT   (NEO4J_URI, NEO4J_USER, NEO4J_PASSWORD)
//
// POST /graphql  {"query", "variables"} -> the GraphQL answer; the response header
//                x-statements says how many Cypher statements the request ran (every
//                transaction.run of the driver, counted by wrapping its sessions)
// GET  /ready    200 once the schema is built
// GET  /last     the Cypher of the last request's statements (for reading, not timed)
//
// The requests are sent one at a time by the bench, so one counter is enough.
import http from "node:http";
import { readFileSync } from "node:fs";
import { graphql } from "graphql";
import neo4j from "neo4j-driver";
import { Neo4jGraphQL } from "@neo4j/graphql";

const [typeDefsPath, port] = process.argv.slice(2);
const typeDefs = readFileSync(typeDefsPath, "utf8");
const driver = neo4j.driver(
  process.env.NEO4J_URI,
  neo4j.auth.basic(process.env.NEO4J_USER, process.env.NEO4J_PASSWORD),
);

let statements = [];

function countedTx(tx) {
  return new Proxy(tx, {
    get(target, prop) {
      if (prop === "run") {
        return (query, params, ...rest) => {
          statements.push(query);
          return target.run(query, params, ...rest);
        };
      }
      const value = Reflect.get(target, prop);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}

function countedSession(session) {
  return new Proxy(session, {
    get(target, prop) {
      if (prop === "executeRead" || prop === "executeWrite") {
        return (work, config) => target[prop]((tx) => work(countedTx(tx)), config);
      }
      if (prop === "run") {
        return (query, params, ...rest) => {
          statements.push(query);
          return target.run(query, params, ...rest);
        };
      }
      if (prop === "beginTransaction") {
        return (...args) => countedTx(target.beginTransaction(...args));
      }
      const value = Reflect.get(target, prop);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}

const counted = new Proxy(driver, {
  get(target, prop) {
    if (prop === "session") {
      return (...args) => countedSession(target.session(...args));
    }
    const value = Reflect.get(target, prop);
    return typeof value === "function" ? value.bind(target) : value;
  },
});

const schema = await new Neo4jGraphQL({ typeDefs, driver: counted }).getSchema();
let last = [];

function reply(res, status, body, headers = {}) {
  res.writeHead(status, { "content-type": "application/json", ...headers });
  res.end(body);
}

const server = http.createServer((req, res) => {
  if (req.method === "GET" && req.url === "/ready") return reply(res, 200, '{"ready":true}');
  if (req.method === "GET" && req.url === "/last") return reply(res, 200, JSON.stringify(last));
  if (req.method !== "POST" || req.url !== "/graphql") return reply(res, 404, '{"error":"not found"}');
  const chunks = [];
  req.on("data", (c) => chunks.push(c));
  req.on("end", async () => {
    let body;
    try {
      body = JSON.parse(Buffer.concat(chunks).toString("utf8"));
    } catch {
      return reply(res, 400, '{"error":"not JSON"}');
    }
    statements = [];
    const result = await graphql({
      schema,
      source: body.query,
      variableValues: body.variables ?? {},
      contextValue: {},
    });
    last = statements;
    reply(res, 200, JSON.stringify(result), { "x-statements": String(statements.length) });
  });
});

server.listen(Number(port), "127.0.0.1");
const stop = async () => {
  server.close();
  await driver.close();
  process.exit(0);
};
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
