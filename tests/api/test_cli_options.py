"""The CLI's options as a user types them: ``--lang`` before or after the command, date
options in every format the loader reads, and usage errors in the chosen language."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from loaders.convert import DATE_EXAMPLES, parse_date
from tests.api.test_cli import run
from tests.api.test_names_not_codes import rows_of


@pytest.fixture(scope="module")
def loaded(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, str], str]:
    tmp = tmp_path_factory.mktemp("options")
    run("generate", tmp / "in", "--scale", "community", "--seed", "2")
    env = {"GONGZHI_STORE": "embedded", "GONGZHI_DATA_DIR": str(tmp / "data")}
    run("load", tmp / "in", env=env)
    return env, rows_of(tmp / "in", "communities")[1][0]


def test_lang_is_global_and_per_command(loaded: tuple[dict[str, str], str]) -> None:
    env, area = loaded
    zh = {**env, "GONGZHI_LANG": "zh"}
    assert "Usage" in run("--lang", "en", "--help", env=zh).stdout
    before = run("--lang", "en", "coverage", area, env=zh).stdout
    after = run("coverage", area, "--lang", "en", env=zh).stdout
    assert before == after and "indicator" in before and "指标" not in before
    assert "指标" in run("coverage", area, env=zh).stdout
    # per command wins over the global option
    assert "指标" in run("--lang", "en", "coverage", area, "--lang", "zh", env=zh).stdout
    bad = run("--lang", "fr", "stats", env=zh, ok=False)
    assert bad.returncode == 2 and "--lang" in bad.stderr and "zh|en" in bad.stderr


@pytest.mark.parametrize("text", DATE_EXAMPLES)
def test_as_of_accepts_what_the_loader_accepts(text: str, loaded: tuple[dict[str, str], str]) -> None:
    env, area = loaded
    answer = json.loads(run("coverage", area, "--as-of", text, "--json", env=env).stdout)
    assert answer["area"]["as_of"] == parse_date(text).isoformat()


@pytest.mark.parametrize(("lang", "words"), [("en", "is not a real date"), ("zh", "不是真实存在的日期")])
def test_a_bad_date_is_refused_in_the_chosen_language(lang: str, words: str, loaded: tuple[dict[str, str], str]) -> None:
    env, area = loaded
    for command in (("coverage", area), ("gaps", area, "-i", "BUILDING_GROUP"), ("member", "R-000001")):
        proc = run(*command, "--as-of", "2021/02/30", "--lang", lang, env=env, ok=False)
        assert proc.returncode == 2, proc.stderr
        assert words in proc.stderr and "--as-of" in proc.stderr and "2021/02/30" in proc.stderr
        assert len(proc.stderr.strip().splitlines()) == 1, proc.stderr
    other = run("coverage", area, "--as-of", "someday", "--lang", lang, env=env, ok=False)
    assert other.returncode == 2 and ("not a date" if lang == "en" else "不是日期") in other.stderr
    assert ("Invalid value" in other.stderr) is False


def test_choices_are_refused_in_the_chosen_language(loaded: tuple[dict[str, str], str], tmp_path: Path) -> None:
    env, _ = loaded
    zh = run("generate", tmp_path / "x", "--scale", "planet", "--lang", "zh", env=env, ok=False)
    en = run("generate", tmp_path / "x", "--scale", "planet", "--lang", "en", env=env, ok=False)
    assert zh.returncode == en.returncode == 2
    assert "--scale 的值应为" in zh.stderr and "--scale must be one of" in en.stderr
    assert not (tmp_path / "x").exists()
