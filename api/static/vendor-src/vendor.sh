#!/usr/bin/env bash
# Rebuild api/static/vendor/ from the exact versions in package-lock.json: `npm ci`, then copy
# the built (minified) files and their licences. Run from anywhere; needs node and npm.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
out="$here/../vendor"
# npm ci in a scratch directory, so that no node_modules is ever left inside the package
# (package-data takes everything under api/static/).
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cp "$here/package.json" "$here/package-lock.json" "$work/"
(cd "$work" && npm ci --ignore-scripts --no-audit --no-fund)
rm -rf "$out"
mkdir -p "$out/echarts" "$out/cytoscape" "$out/graphiql" "$out/react"
m="$work/node_modules"
# ECharts: the "common" build (bar, line, pie, scatter, grid, tooltip ...) bundles zrender and tslib.
cp "$m/echarts/dist/echarts.common.min.js" "$out/echarts/"
cp "$m/echarts/LICENSE" "$m/echarts/NOTICE" "$out/echarts/"
cp "$m/echarts/licenses/LICENSE-d3" "$out/echarts/"
cp "$m/zrender/LICENSE" "$out/echarts/LICENSE-zrender"
cp "$m/tslib/LICENSE.txt" "$out/echarts/LICENSE-tslib"
# cytoscape.js: no runtime dependencies.
cp "$m/cytoscape/dist/cytoscape.min.js" "$m/cytoscape/LICENSE" "$out/cytoscape/"
# GraphiQL (the IDE of `gongzhi serve --dev`): its browser build bundles everything but React.
cp "$m/graphiql/graphiql.min.js" "$m/graphiql/graphiql.min.css" "$m/graphiql/LICENSE" "$out/graphiql/"
# The licences of what the bundle holds, by the package paths webpack left in it: each
# package's own LICENSE file from the lock tree, else its declared licence.
node -e '
const fs = require("fs"), path = require("path");
const [bundle, modules, target] = process.argv.slice(1);
const names = [...new Set([...fs.readFileSync(bundle, "utf8").matchAll(/node_modules\/((?:@[a-z0-9.-]+\/)?[a-z0-9._-]+)/g)].map((m) => m[1]))].sort();
const parts = ["Third-party packages bundled in graphiql.min.js (GraphiQL itself: LICENSE).\n"];
for (const name of names) {
  const dir = path.join(modules, name);
  let meta = {};
  try { meta = JSON.parse(fs.readFileSync(path.join(dir, "package.json"), "utf8")); } catch { meta = {}; }
  const file = fs.existsSync(dir) ? fs.readdirSync(dir).find((f) => /^(licen[cs]e|copying)/i.test(f)) : undefined;
  const head = `==== ${name} ${meta.version || ""} (${meta.license || "licence as published on npm"})`;
  parts.push(file ? `${head}\n${fs.readFileSync(path.join(dir, file), "utf8").trim()}\n` : `${head}\n(no licence file in the lock tree)\n`);
}
fs.writeFileSync(target, parts.join("\n"));
' "$m/graphiql/graphiql.min.js" "$m" "$out/graphiql/THIRD-PARTY-LICENSES"
# React 18 (the last major with browser builds): what GraphiQL runs on; react-dom bundles scheduler.
cp "$m/react/umd/react.production.min.js" "$m/react-dom/umd/react-dom.production.min.js" "$out/react/"
cp "$m/react/LICENSE" "$out/react/"
# What was copied, from which package versions (checked by tests/dashboard/test_static.py).
node -e '
const lock = require(process.argv[2]).packages;
const v = (n) => lock["node_modules/" + n].version;
const out = {echarts: v("echarts"), zrender: v("zrender"), tslib: v("tslib"), cytoscape: v("cytoscape"),
  graphiql: v("graphiql"), react: v("react"), "react-dom": v("react-dom")};
require("fs").writeFileSync(process.argv[1], JSON.stringify(out, null, 2) + "\n");
' "$out/VERSIONS.json" "$here/package-lock.json"
(cd "$out" && find . -type f ! -name SHA256SUMS | sort | xargs sha256sum > SHA256SUMS)
echo "vendored into $out:"
cat "$out/VERSIONS.json"
