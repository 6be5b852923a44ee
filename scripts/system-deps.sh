#!/usr/bin/env bash
# What `make test` / `make run` need from the machine besides Python 3.11, installed when it is
# missing: through apt-get when run as root on Debian or Ubuntu; otherwise it stops, naming
# the exact command to run. Used by the Makefile and by .ci/run, so that a fresh machine needs
# two commands (`make test`, `make run`) and nothing read elsewhere.
#
#   bash scripts/system-deps.sh test   # + headless Chromium, its driver, a CJK font, Java, Maven, LibreOffice Calc
#   bash scripts/system-deps.sh run    # the virtualenv module only
#   bash scripts/system-deps.sh test --check   # list what is missing, install nothing (exit 1)
set -euo pipefail

what="${1:-test}"
check_only=""
[[ "${2:-}" == "--check" ]] && check_only=1

# Debian's package names, one per missing tool.
missing=()
command -v make >/dev/null 2>&1 || missing+=(make)
python3 -c 'import ensurepip, venv' 2>/dev/null || missing+=(python3-venv)
case "$what" in
    run) ;;
    test)
        # scripts/neo4j.sh: curl tells it when the server answers; Maven fetches the server's
        # jars, which run on Java 17 or 21
        command -v curl >/dev/null 2>&1 || missing+=(curl)
        command -v java >/dev/null 2>&1 || missing+=(default-jre-headless)
        command -v mvn >/dev/null 2>&1 || missing+=(maven)
        # headless Chromium and its driver for the browser tests (tests/dashboard, tests/browser)
        command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1 || missing+=(chromium)
        command -v chromedriver >/dev/null 2>&1 || missing+=(chromium-driver)
        # a CJK font, so that the Chinese pages show text, not boxes (grep without -q reads
        # all of fc-list's output: no SIGPIPE under pipefail)
        fc-list 2>/dev/null | grep -i "wenquanyi\|noto sans cjk\|noto serif cjk" >/dev/null || missing+=(fonts-wqy-zenhei)
        # LibreOffice Calc, headless: a test prints an exported ledger through it (tests/api/test_ledgers.py)
        command -v soffice >/dev/null 2>&1 || missing+=(libreoffice-calc-nogui)
        ;;
    *)
        echo "usage: $0 test|run [--check]" >&2
        exit 2
        ;;
esac

if ((${#missing[@]} == 0)); then
    exit 0
fi
command="apt-get update && apt-get install -y ${missing[*]}"
if [[ -n "$check_only" ]]; then
    echo "system-deps: make $what needs: ${missing[*]}"
    exit 1
fi
if [[ "$(id -u)" -eq 0 ]] && command -v apt-get >/dev/null 2>&1; then
    echo "system-deps: installing what make $what needs: ${missing[*]}" >&2
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}"
    exit 0
fi
{
    echo "system-deps: make $what needs packages this machine lacks: ${missing[*]}"
    if command -v apt-get >/dev/null 2>&1; then
        echo "install them with:"
        echo "    sudo sh -c '$command'"
    else
        echo "this is not a Debian/Ubuntu machine: install them (or their equivalents) with its package manager"
    fi
    echo "then run make $what again"
} >&2
exit 1
