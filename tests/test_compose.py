"""docker-compose.yml and the Dockerfile agree with the settings the code reads.

No Docker engine runs the compose file in CI, so this checks its structure instead: the
services, the health-gated start, and that every GONGZHI_/NEO4J_ variable handed to the API
is one that ``graph.settings`` actually reads (a misspelt name would be silently ignored).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from graph.settings import ENV_NAMES, Settings

ROOT = Path(__file__).resolve().parent.parent
COMPOSE_TEXT = (ROOT / "docker-compose.yml").read_text(encoding="utf-8")
DOCKERFILE = (ROOT / "Dockerfile").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    data = yaml.safe_load(COMPOSE_TEXT)
    assert isinstance(data, dict)
    return data


def _ports(service: dict[str, Any]) -> set[int]:
    """Container ports of ``host:container`` or ``ip:host:container`` mappings."""
    return {int(str(p).rsplit(":", 1)[-1]) for p in service.get("ports", [])}


def test_services_and_volume(compose: dict[str, Any]) -> None:
    assert set(compose["services"]) == {"neo4j", "api", "bulk-load"}
    assert "neo4j-data" in compose["volumes"]


def test_neo4j_service(compose: dict[str, Any]) -> None:
    neo4j = compose["services"]["neo4j"]
    assert neo4j["image"] == "neo4j:5.26-community"
    assert neo4j["environment"]["NEO4J_AUTH"].startswith("neo4j/")
    assert _ports(neo4j) == {7474, 7687}
    assert "neo4j-data:/data" in neo4j["volumes"]
    test = " ".join(neo4j["healthcheck"]["test"])
    assert "RETURN 1" in test or "7474" in test


def test_api_service_waits_for_a_healthy_neo4j(compose: dict[str, Any]) -> None:
    api = compose["services"]["api"]
    assert api["build"]["dockerfile"] == "Dockerfile"
    assert api["depends_on"]["neo4j"]["condition"] == "service_healthy"
    env = api["environment"]
    assert env["GONGZHI_STORE"] == "neo4j"
    assert env["NEO4J_URI"] == "bolt://neo4j:7687"
    assert {"NEO4J_USER", "NEO4J_PASSWORD"} <= set(env)
    default_port = Settings.model_fields["port"].default
    assert _ports(api) == {default_port}


def test_the_bulk_load_is_a_one_shot_on_the_neo4j_volume(compose: dict[str, Any]) -> None:
    """``gongzhi load --bulk`` runs only when asked (profile ``bulk``), never with ``up``; it
    imports into the neo4j service's own volume, as the neo4j user, with the tool found
    through GONGZHI_NEO4J_HOME in the image's ``bulk`` stage."""
    bulk = compose["services"]["bulk-load"]
    assert bulk["profiles"] == ["bulk"]
    assert bulk["build"] == {"context": ".", "dockerfile": "Dockerfile", "target": "bulk"}
    assert "neo4j-data:/data" in bulk["volumes"]
    assert any(v.endswith(":/input:ro") for v in bulk["volumes"])
    assert bulk["command"][:3] == ["gongzhi", "load", "--bulk"]
    assert bulk["user"].startswith("7474")
    assert "depends_on" not in bulk  # the server must be stopped, not started first
    assert not bulk.get("ports")
    assert re.search(r"^FROM app AS bulk$", DOCKERFILE, re.M)
    assert re.search(r"^ENV GONGZHI_NEO4J_HOME=/var/lib/neo4j$", DOCKERFILE, re.M)
    assert bulk["environment"]["GONGZHI_NEO4J_HOME"] == "/var/lib/neo4j"


def test_every_gongzhi_and_neo4j_name_is_a_setting(compose: dict[str, Any]) -> None:
    known = set(ENV_NAMES.values())
    api_names = set(compose["services"]["api"]["environment"]) | set(compose["services"]["bulk-load"]["environment"])
    # ${NAME} or ${NAME:-default} interpolated from the host; $${...} is the container's own
    interpolated = set(re.findall(r"(?<!\$)\$\{([A-Z_][A-Z0-9_]*)", COMPOSE_TEXT))
    used = {n for n in api_names | interpolated if n.startswith(("GONGZHI_", "NEO4J_"))}
    assert used, "expected some settings to be passed"
    assert used <= known, sorted(used - known)


def test_dockerfile_runs_the_api() -> None:
    assert re.search(r"^FROM python:3\.11-slim\b", DOCKERFILE, re.M)
    assert re.search(r"^RUN pip install \.", DOCKERFILE, re.M)
    assert 'CMD ["gongzhi", "serve", "--host", "0.0.0.0"]' in DOCKERFILE
