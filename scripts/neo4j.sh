#!/usr/bin/env bash
# A real Neo4j Community server for development and tests, without Docker.
#
#   scripts/neo4j.sh start    fetch the jars once, configure, start, wait until RETURN 1 answers
#   scripts/neo4j.sh stop     stop it cleanly (SIGTERM, then SIGKILL after 60 s)
#   scripts/neo4j.sh status   say whether it runs and answers; exit 0 if it does, 3 if not
#   scripts/neo4j.sh env      print the exports that point Gongzhi at it:
#                             eval "$(scripts/neo4j.sh env)"
#   scripts/neo4j.sh init     fetch the jars once, write the conf and set the password without
#                             starting (a home for `gongzhi load --bulk` before the first start)
#   scripts/neo4j.sh lib      fetch the jars once and print their folder (the bench runs
#                             neo4j-admin's import tool from it)
#
# Why this shape: the machines this project runs on (developers' and CI's) have Java and
# Maven but no Docker engine, and tests must run against the real server, never a mock.
# Maven fetches the Neo4j Community runtime jars (scripts/neo4j/pom.xml) into a cache
# outside git; the server's home (conf, data, logs) lives under var/neo4j, which is ignored.
#
# Environment (all optional):
#   NEO4J_BOLT_PORT  (7687)   NEO4J_HTTP_PORT (7474)   NEO4J_HEAP (1g)
#   NEO4J_PASSWORD   the password set before the first start; later starts use the one
#                    stored in var/neo4j/password (delete var/neo4j to start afresh)
#   GONGZHI_CACHE    ($HOME/.cache/gongzhi) where the jars are cached
#   NEO4J_START_TIMEOUT (120) seconds to wait for the server to answer
#   GONGZHI_NEO4J_HOME ($REPO/var/neo4j) the server's home (conf, data, logs); the same
#                    setting tells `gongzhi load --bulk` where the database to import into is
set -euo pipefail

NEO4J_VERSION=5.26.30
DEFAULT_PASSWORD=gongzhi-local-test

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$SCRIPT_DIR/.." && pwd)
POM="$SCRIPT_DIR/neo4j/pom.xml"
CACHE="${GONGZHI_CACHE:-$HOME/.cache/gongzhi}/neo4j-$NEO4J_VERSION"
LIB="$CACHE/lib"
HOME_DIR=$(realpath -m -- "${GONGZHI_NEO4J_HOME:-$REPO/var/neo4j}")
CONF_DIR="$HOME_DIR/conf"
LOG_DIR="$HOME_DIR/logs"
PID_FILE="$HOME_DIR/run/neo4j.pid"
PASSWORD_FILE="$HOME_DIR/password"
INIT_MARK="$HOME_DIR/.initialised"
BOLT_PORT="${NEO4J_BOLT_PORT:-7687}"
HTTP_PORT="${NEO4J_HTTP_PORT:-7474}"
HEAP="${NEO4J_HEAP:-1g}"
TIMEOUT="${NEO4J_START_TIMEOUT:-120}"

say() { printf 'neo4j.sh: %s\n' "$*" >&2; }
die() { say "error: $*"; exit 1; }

need_tools() {
    command -v java >/dev/null 2>&1 || die "java is not installed (Neo4j $NEO4J_VERSION needs Java 17 or 21)"
    local major
    major=$(java -version 2>&1 | sed -n 's/.*version "\([0-9]*\).*/\1/p' | sed -n 1p)
    [[ -n "$major" && "$major" -ge 17 ]] || die "java ${major:-?} found; Neo4j $NEO4J_VERSION needs Java 17 or 21"
    command -v curl >/dev/null 2>&1 || die "curl is not installed (used to check that the server answers)"
}

# The jars, fetched once into the cache; copied to a temporary folder first so that an
# interrupted download never looks like a complete one.
fetch_jars() {
    if [[ -d "$LIB" ]] && compgen -G "$LIB/neo4j-server-*.jar" >/dev/null; then
        return 0
    fi
    command -v mvn >/dev/null 2>&1 || die "mvn is not installed and the Neo4j jars are not cached in $LIB"
    say "fetching Neo4j $NEO4J_VERSION jars into $LIB (once)"
    mkdir -p "$CACHE"
    local tmp="$CACHE/lib.partial.$$"
    rm -rf "$tmp"
    if ! mvn -q -B -Dstyle.color=never -f "$POM" dependency:copy-dependencies \
        -DoutputDirectory="$tmp" -DincludeScope=runtime >&2; then
        rm -rf "$tmp"
        die "mvn could not fetch the Neo4j jars (see its output above)"
    fi
    rm -rf "$LIB"
    mv "$tmp" "$LIB"
}

password() {
    if [[ -f "$PASSWORD_FILE" ]]; then
        cat "$PASSWORD_FILE"
    else
        printf '%s' "${NEO4J_PASSWORD:-$DEFAULT_PASSWORD}"
    fi
}

write_conf() {
    mkdir -p "$CONF_DIR" "$LOG_DIR" "$HOME_DIR/run" "$HOME_DIR/data" "$HOME_DIR/import" "$HOME_DIR/plugins"
    cat >"$CONF_DIR/neo4j.conf" <<EOF
# Written by scripts/neo4j.sh on every start; edit the script, not this file.
server.default_listen_address=127.0.0.1
server.default_advertised_address=127.0.0.1
server.bolt.enabled=true
server.bolt.listen_address=127.0.0.1:$BOLT_PORT
server.bolt.advertised_address=127.0.0.1:$BOLT_PORT
server.http.enabled=true
server.http.listen_address=127.0.0.1:$HTTP_PORT
server.http.advertised_address=127.0.0.1:$HTTP_PORT
server.https.enabled=false
dbms.security.auth_enabled=true
dbms.usage_report.enabled=false
server.memory.heap.initial_size=$HEAP
server.memory.heap.max_size=$HEAP
server.memory.pagecache.size=512m
server.directories.data=$HOME_DIR/data
server.directories.logs=$LOG_DIR
server.directories.run=$HOME_DIR/run
server.directories.import=$HOME_DIR/import
server.directories.plugins=$HOME_DIR/plugins
server.directories.lib=$LIB
db.tx_log.rotation.retention_policy=2 files
EOF
}

# The password can only be set before the first start; afterwards it lives in the system
# database and var/neo4j/password remembers it for `env`.
init_password() {
    [[ -f "$INIT_MARK" ]] && return 0
    local pw
    pw=$(password)
    [[ ${#pw} -ge 8 ]] || die "NEO4J_PASSWORD must have at least 8 characters (Neo4j's minimum)"
    if ! NEO4J_HOME="$HOME_DIR" NEO4J_CONF="$CONF_DIR" java -cp "$LIB/*" org.neo4j.cli.AdminTool \
        dbms set-initial-password "$pw" >"$LOG_DIR/set-initial-password.log" 2>&1; then
        tail -n 20 "$LOG_DIR/set-initial-password.log" >&2 || true
        die "could not set the initial password"
    fi
    umask 077
    printf '%s' "$pw" >"$PASSWORD_FILE"
    touch "$INIT_MARK"
}

pid_alive() {
    [[ -f "$PID_FILE" ]] || return 1
    local pid
    pid=$(cat "$PID_FILE")
    [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null || return 1
    # a recycled pid, or another work tree's server, must not pass for ours
    # (grep without -q reads to the end: an early exit would SIGPIPE tr and, under
    # pipefail, fail the check for a server that is ours)
    tr '\0' '\n' <"/proc/$pid/cmdline" 2>/dev/null | grep -xF -- "--home-dir=$HOME_DIR" >/dev/null || return 1
}

port_in_use() {
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# The HTTP status of `RETURN 1` through the transactional endpoint: 200 once it answers.
probe() {
    curl -s -o /dev/null -w '%{http_code}' --max-time 5 \
        -u "neo4j:$(password)" -H 'Content-Type: application/json' \
        -d '{"statements":[{"statement":"RETURN 1"}]}' \
        "http://127.0.0.1:$HTTP_PORT/db/neo4j/tx/commit" 2>/dev/null || true
}

log_tail() {
    local f
    for f in "$LOG_DIR/console.log" "$LOG_DIR/neo4j.log" "$LOG_DIR/debug.log"; do
        if [[ -s "$f" ]]; then
            say "last lines of $f:"
            tail -n 25 "$f" >&2
        fi
    done
}

wait_ready() {
    local deadline=$((SECONDS + TIMEOUT)) code
    while ((SECONDS < deadline)); do
        code=$(probe)
        case "$code" in
            200) return 0 ;;
            401 | 403) die "the server on port $HTTP_PORT refuses the password in $PASSWORD_FILE (delete var/neo4j to start afresh)" ;;
        esac
        if ! pid_alive; then
            log_tail
            die "the server exited during start-up"
        fi
        sleep 1
    done
    log_tail
    die "the server did not answer RETURN 1 within ${TIMEOUT}s"
}

start() {
    need_tools
    if [[ -n "${NEO4J_PASSWORD:-}" && -f "$PASSWORD_FILE" && "$NEO4J_PASSWORD" != "$(cat "$PASSWORD_FILE")" ]]; then
        say "note: NEO4J_PASSWORD differs from the password this server was set up with; using $PASSWORD_FILE"
    fi
    if pid_alive; then
        wait_ready
        say "already running (pid $(cat "$PID_FILE")), bolt://127.0.0.1:$BOLT_PORT, http://127.0.0.1:$HTTP_PORT/browser/"
        return 0
    fi
    local port
    for port in "$BOLT_PORT" "$HTTP_PORT"; do
        port_in_use "$port" && die "port $port is taken by another process (set NEO4J_BOLT_PORT / NEO4J_HTTP_PORT, or stop it)"
    done
    fetch_jars
    write_conf
    init_password
    say "starting Neo4j $NEO4J_VERSION (home $HOME_DIR, heap $HEAP)"
    # setsid: the server outlives the shell that started it (make, CI steps, an editor's terminal)
    setsid java -Xms"$HEAP" -Xmx"$HEAP" \
        -XX:+UseG1GC -XX:-OmitStackTraceInFastThrow -XX:+DisableExplicitGC \
        -Djdk.nio.maxCachedBufferSize=1024 -Dio.netty.tryReflectionSetAccessible=true \
        -Dlog4j2.disable.jmx=true \
        --add-opens=java.base/java.nio=ALL-UNNAMED \
        --add-opens=java.base/java.io=ALL-UNNAMED \
        --add-opens=java.base/sun.nio.ch=ALL-UNNAMED \
        --enable-native-access=ALL-UNNAMED \
        -cp "$LIB/*" org.neo4j.server.CommunityEntryPoint \
        --home-dir="$HOME_DIR" --config-dir="$CONF_DIR" \
        </dev/null >>"$LOG_DIR/console.log" 2>&1 &
    echo $! >"$PID_FILE"
    wait_ready
    say "ready (pid $(cat "$PID_FILE")), bolt://127.0.0.1:$BOLT_PORT, browser http://127.0.0.1:$HTTP_PORT/browser/"
}

stop() {
    if ! pid_alive; then
        rm -f "$PID_FILE"
        say "not running"
        return 0
    fi
    local pid i
    pid=$(cat "$PID_FILE")
    kill -TERM "$pid"
    for ((i = 0; i < 60; i++)); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 1
    done
    if kill -0 "$pid" 2>/dev/null; then
        say "still running after 60 s; killing it"
        kill -KILL "$pid" 2>/dev/null || true
    fi
    rm -f "$PID_FILE"
    say "stopped"
}

status() {
    if pid_alive; then
        if [[ "$(probe)" == 200 ]]; then
            say "running and answering (pid $(cat "$PID_FILE")), bolt://127.0.0.1:$BOLT_PORT"
        else
            say "running (pid $(cat "$PID_FILE")) but not answering yet"
        fi
        return 0
    fi
    say "not running"
    return 3
}

env_exports() {
    printf 'export NEO4J_URI=bolt://127.0.0.1:%s NEO4J_USER=neo4j NEO4J_PASSWORD=%q\n' "$BOLT_PORT" "$(password)"
}

case "${1:-}" in
    start) start ;;
    stop) stop ;;
    status) status ;;
    env) env_exports ;;
    init)
        need_tools
        fetch_jars
        write_conf
        init_password
        say "initialised $HOME_DIR (not started)"
        ;;
    lib)
        fetch_jars
        printf '%s\n' "$LIB"
        ;;
    *)
        echo "usage: $0 start|stop|status|env|init|lib" >&2
        exit 2
        ;;
esac
