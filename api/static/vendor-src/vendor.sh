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
mkdir -p "$out/echarts" "$out/cytoscape"
m="$work/node_modules"
# ECharts: the "common" build (bar, line, pie, scatter, grid, tooltip ...) bundles zrender and tslib.
cp "$m/echarts/dist/echarts.common.min.js" "$out/echarts/"
cp "$m/echarts/LICENSE" "$m/echarts/NOTICE" "$out/echarts/"
cp "$m/echarts/licenses/LICENSE-d3" "$out/echarts/"
cp "$m/zrender/LICENSE" "$out/echarts/LICENSE-zrender"
cp "$m/tslib/LICENSE.txt" "$out/echarts/LICENSE-tslib"
# cytoscape.js: no runtime dependencies.
cp "$m/cytoscape/dist/cytoscape.min.js" "$m/cytoscape/LICENSE" "$out/cytoscape/"
# What was copied, from which package versions (checked by tests/dashboard/test_static.py).
node -e '
const lock = require(process.argv[2]).packages;
const v = (n) => lock["node_modules/" + n].version;
const out = {echarts: v("echarts"), zrender: v("zrender"), tslib: v("tslib"), cytoscape: v("cytoscape")};
require("fs").writeFileSync(process.argv[1], JSON.stringify(out, null, 2) + "\n");
' "$out/VERSIONS.json" "$here/package-lock.json"
(cd "$out" && find . -type f ! -name SHA256SUMS | sort | xargs sha256sum > SHA256SUMS)
echo "vendored into $out:"
cat "$out/VERSIONS.json"
