#!/usr/bin/env bash
# The Neo4j servers `make test` runs the suite against: one per pytest worker (pytest-xdist),
# each with a home of its own, because the tests clear the one database Community edition has
# and two workers on one server would wipe each other's data.
#
#   scripts/test-servers.sh start N   start servers 1..N (in parallel) and wait until each answers
#   scripts/test-servers.sh stop N    stop them
#   scripts/test-servers.sh env N     the exports: NEO4J_URI and NEO4J_PASSWORD of server 1, and
#                                     GONGZHI_TEST_NEO4J_URIS / _PASSWORDS / _BROWSERS (the
#                                     Browser's address), comma-separated, which
#                                     tests/conftest.py hands out by worker
#
# Server 1 is scripts/neo4j.sh's own (var/neo4j, NEO4J_BOLT_PORT/NEO4J_HTTP_PORT, default
# 7687/7474); server i > 1 lives in var/neo4j-i on those ports plus 100 * (i - 1), started
# with server 1's password. NEO4J_HEAP applies to each.
set -euo pipefail

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$SCRIPT_DIR/.." && pwd)
NEO4J_SH="$SCRIPT_DIR/neo4j.sh"

command="${1:-}"
count="${2:-1}"
[[ "$count" =~ ^[1-9][0-9]*$ ]] || { echo "usage: $0 start|stop|env N (N >= 1)" >&2; exit 2; }

bolt_base="${NEO4J_BOLT_PORT:-7687}"
http_base="${NEO4J_HTTP_PORT:-7474}"

# Run scripts/neo4j.sh for server $1 with the rest of the arguments.
server() {
    local i=$1
    shift
    if [[ "$i" == 1 ]]; then
        bash "$NEO4J_SH" "$@"
    else
        GONGZHI_NEO4J_HOME="${GONGZHI_NEO4J_HOME:-$REPO/var/neo4j}-$i" \
            NEO4J_BOLT_PORT=$((bolt_base + 100 * (i - 1))) \
            NEO4J_HTTP_PORT=$((http_base + 100 * (i - 1))) \
            NEO4J_PASSWORD="$first_password" \
            bash "$NEO4J_SH" "$@"
    fi
}

# "uri<TAB>password" of server $1, from scripts/neo4j.sh env
exports_of() {
    (
        eval "$(server "$1" env)"
        printf '%s\t%s\n' "$NEO4J_URI" "$NEO4J_PASSWORD"
    )
}

first_password=""
first_password=$(exports_of 1 | cut -f2)

case "$command" in
    start)
        pids=()
        for ((i = 1; i <= count; i++)); do
            server "$i" start &
            pids+=($!)
        done
        failed=0
        for pid in "${pids[@]}"; do
            wait "$pid" || failed=1
        done
        exit "$failed"
        ;;
    stop)
        failed=0
        for ((i = 1; i <= count; i++)); do
            server "$i" stop || failed=1
        done
        exit "$failed"
        ;;
    env)
        uris=()
        passwords=()
        browsers=()
        for ((i = 1; i <= count; i++)); do
            IFS=$'\t' read -r uri password < <(exports_of "$i")
            uris+=("$uri")
            passwords+=("$password")
            browsers+=("http://127.0.0.1:$((http_base + 100 * (i - 1)))/browser/")
        done
        printf 'export NEO4J_URI=%q NEO4J_USER=neo4j NEO4J_PASSWORD=%q\n' "${uris[0]}" "${passwords[0]}"
        printf 'export GONGZHI_TEST_NEO4J_URIS=%q GONGZHI_TEST_NEO4J_PASSWORDS=%q GONGZHI_TEST_NEO4J_BROWSERS=%q\n' \
            "$(IFS=,; echo "${uris[*]}")" "$(IFS=,; echo "${passwords[*]}")" "$(IFS=,; echo "${browsers[*]}")"
        ;;
    *)
        echo "usage: $0 start|stop|env N" >&2
        exit 2
        ;;
esac
