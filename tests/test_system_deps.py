"""scripts/system-deps.sh, which `make test`, `make run` and .ci/run call first: on a machine that
lacks Chromium, its driver, a CJK font (...), it installs them through apt-get as root, and
otherwise stops naming the exact command. Run here on a PATH that has none of them, with a
stand-in apt-get that records what it was asked."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "scripts" / "system-deps.sh"
TEST_PACKAGES = ("make", "curl", "default-jre-headless", "maven", "chromium", "chromium-driver", "fonts-wqy-zenhei",
                 "libreoffice-calc-nogui")


def bare_machine(tmp_path: Path) -> tuple[dict[str, str], Path]:
    """A PATH with only bash, a python3 that has venv, grep, id and a recording apt-get, in a
    directory an ordinary user can enter (pytest's own are root's only)."""
    tmp_path = Path(tempfile.mkdtemp(prefix="system-deps-", dir=tmp_path.anchor + "tmp"))
    os.chmod(tmp_path, 0o755)
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for tool in ("bash", "grep", "id"):
        found = shutil.which(tool)
        assert found, tool
        (bin_dir / tool).symlink_to(found)
    # a python3 with venv (the real one may live where an ordinary user cannot read)
    (bin_dir / "python3").write_text(f'#!{shutil.which("bash")}\nexit 0\n', encoding="utf-8")
    (bin_dir / "python3").chmod(0o755)
    # the script itself, copied where that user can read it (a clone may sit in a private dir)
    shutil.copy(SCRIPT, tmp_path / SCRIPT.name)
    (tmp_path / SCRIPT.name).chmod(0o755)
    log = tmp_path / "apt-get.log"
    apt = bin_dir / "apt-get"
    apt.write_text(f'#!{shutil.which("bash")}\necho "$*" >> {log}\n', encoding="utf-8")
    apt.chmod(0o755)
    return {"PATH": str(bin_dir), "HOME": str(tmp_path)}, log


def run(env: dict[str, str], *args: str, as_user: bool = False) -> subprocess.CompletedProcess[str]:
    bash = shutil.which("bash")
    assert bash
    home = Path(env.get("HOME", ""))
    script = home / SCRIPT.name if (home / SCRIPT.name).is_file() else SCRIPT
    command = [bash, str(script), *args]
    if as_user and os.geteuid() == 0:
        setpriv = shutil.which("setpriv")
        assert setpriv, "setpriv (util-linux) runs the script as an ordinary user"
        command = [setpriv, "--reuid=65534", "--regid=65534", "--clear-groups", *command]
    return subprocess.run(command, env=env, capture_output=True, text=True, timeout=60)


def test_an_ordinary_user_is_told_the_exact_command(tmp_path: Path) -> None:
    env, log = bare_machine(tmp_path)
    done = run(env, "test", as_user=True)
    assert done.returncode == 1
    assert f"sudo sh -c 'apt-get update && apt-get install -y {' '.join(TEST_PACKAGES)}'" in done.stderr
    assert not log.exists(), "nothing is installed without root"
    assert "make test again" in done.stderr


def test_root_installs_through_apt_get(tmp_path: Path) -> None:
    env, log = bare_machine(tmp_path)
    if os.geteuid() != 0:  # the check of what an ordinary user sees still runs above
        done = run(env, "test")
        assert done.returncode == 1 and "sudo sh -c" in done.stderr
        return
    done = run(env, "test")
    assert done.returncode == 0, done.stderr
    assert log.read_text(encoding="utf-8").splitlines() == ["update -qq", f"install -y -qq {' '.join(TEST_PACKAGES)}"]


def test_run_needs_less_and_a_complete_machine_nothing(tmp_path: Path) -> None:
    env, log = bare_machine(tmp_path)
    done = run(env, "run", "--check")
    assert done.returncode == 1 and done.stdout.strip() == "system-deps: make run needs: make"
    # this machine runs the suite: it has everything, so the script does nothing here
    here = run(dict(os.environ), "test")
    assert here.returncode == 0 and not here.stdout and not here.stderr
    assert not log.exists()
