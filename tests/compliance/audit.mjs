// Runs the GraphQL-over-HTTP server audits of the npm package `graphql-http` against a
// running Gongzhi server and prints one JSON line per audit: {id, name, status, reason}.
//
//   node tests/compliance/audit.mjs <url> <token> <node_modules dir holding graphql-http>
//
// The audits are written by the graphql-http authors, not by this project; every request
// carries the bearer token (the API refuses requests without one).
import { createRequire } from "node:module";
import path from "node:path";

const [url, token, modules] = process.argv.slice(2);
const require = createRequire(path.join(path.resolve(modules), "noop.js"));
const { auditServer } = require("graphql-http");

const fetchFn = (input, init = {}) => {
  const headers = new Headers(init.headers || {});
  headers.set("authorization", `Bearer ${token}`);
  return fetch(input, { ...init, headers });
};

const results = await auditServer({ url, fetchFn });
for (const r of results) {
  console.log(JSON.stringify({ id: r.id, name: r.name, status: r.status, reason: r.reason ?? null }));
}
