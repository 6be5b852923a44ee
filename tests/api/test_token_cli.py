"""``gongzhi token issue|revoke|list``, run as a user runs them, and the token file they keep."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

from api.auth import TokenFile, digest
from graph.settings import Settings
from graph.store import open_store
from loaders.load import load

GONGZHI = [sys.executable, "-m", "api.cli"]


def run(*args: str, env: dict[str, str], ok: bool = True) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run(
        [*GONGZHI, *args], capture_output=True, text=True, env={**os.environ, "GONGZHI_LANG": "en", **env}, timeout=120
    )
    if ok:
        assert proc.returncode == 0, proc.stderr
    return proc


def test_issue_list_revoke(street_dir: Path, tmp_path: Path) -> None:
    data = tmp_path / "data"
    load(open_store(Settings(GONGZHI_STORE="embedded", GONGZHI_DATA_DIR=data)), street_dir)  # type: ignore[call-arg]
    auth = tmp_path / "secret" / "tokens.json"
    env = {"GONGZHI_STORE": "embedded", "GONGZHI_DATA_DIR": str(data), "GONGZHI_AUTH_FILE": str(auth)}
    issued = run("token", "issue", "--user", "王芳", "--area", "CM-0001", "--role", "organizer", env=env)
    token = issued.stdout.strip()
    assert token.startswith("gz_") and "王芳" in issued.stderr
    # only the hash is kept, in a file only its owner may read
    text = auth.read_text()
    assert token not in text and digest(token) in text
    assert stat.S_IMODE(auth.stat().st_mode) == 0o600
    principal = TokenFile(auth).verify(token)
    assert principal is not None and (principal.user, principal.area, principal.role.value) == (
        "王芳",
        "CM-0001",
        "organizer",
    )
    listed = json.loads(run("token", "list", "--json", env=env).stdout)
    assert [(e["user"], e["area"], e["role"], e["revoked"]) for e in listed] == [("王芳", "CM-0001", "organizer", None)]
    assert "sha256" not in listed[0]
    run("token", "revoke", listed[0]["id"], env=env)
    assert TokenFile(auth).verify(token) is None
    assert json.loads(run("token", "list", "--json", env=env).stdout)[0]["revoked"]


def test_issue_refuses_what_is_not_an_area_or_a_role(street_dir: Path, tmp_path: Path) -> None:
    data = tmp_path / "data"
    load(open_store(Settings(GONGZHI_STORE="embedded", GONGZHI_DATA_DIR=data)), street_dir)  # type: ignore[call-arg]
    env = {"GONGZHI_STORE": "embedded", "GONGZHI_DATA_DIR": str(data)}
    bad_area = run("token", "issue", "--user", "x", "--area", "B-000001", env=env, ok=False)
    assert bad_area.returncode == 1 and "not an area" in bad_area.stderr
    missing = run("token", "issue", "--user", "x", "--area", "CM-9999", env=env, ok=False)
    assert missing.returncode == 1
    bad_role = run("token", "issue", "--user", "x", "--area", "CM-0001", "--role", "god", env=env, ok=False)
    assert bad_role.returncode == 2
    assert not (data / "auth.json").exists()
    unknown = run("token", "revoke", "nope", env=env, ok=False)
    assert unknown.returncode == 1
