"""What the Neo4j load tests share: a full dump of the database and a changed copy of a dataset.

A dump is every node (labels and properties, the load and undo records included; only the
version node is left out, since every write moves it on) and every relationship (type, ends,
properties), as sorted text with duplicates kept: "equal to the state before" means item for
item, and a relationship created twice shows.
"""

from __future__ import annotations

import csv
import shutil
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from neo4j import GraphDatabase, ManagedTransaction

from graph.schema import LOAD_LABEL, META_LABEL, UNDO_LABEL
from graph.settings import Settings

Dump = tuple[list[str], list[str]]


def dump(settings: Settings, *, records: bool = True) -> Dump:
    """Every node but the version node, and every relationship, as sorted text, read in one
    transaction. Neo4j reads at read-committed, so the two statements can straddle a commit:
    after killing a writer, ``settle`` first (its commit may still be landing).
    ``records=False`` leaves out the load and undo records too: what a reader's queries see."""
    auth = (settings.neo4j_user, settings.neo4j_password.get_secret_value())
    hidden = f"n:{META_LABEL}" if records else f"n:{META_LABEL} OR n:{LOAD_LABEL} OR n:{UNDO_LABEL}"

    def read(tx: ManagedTransaction) -> Dump:
        nodes = tx.run(f"MATCH (n) WHERE NOT ({hidden}) RETURN labels(n) AS labels, properties(n) AS props")
        node_text = sorted(repr((sorted(r["labels"]), sorted(r["props"].items()))) for r in nodes)
        rels = tx.run("MATCH (a)-[r]->(b) RETURN type(r) AS type, a.id AS a, b.id AS b, properties(r) AS props")
        rel_text = sorted(repr((r["type"], r["a"], r["b"], sorted(r["props"].items()))) for r in rels)
        return node_text, rel_text

    with GraphDatabase.driver(settings.neo4j_uri, auth=auth) as driver, driver.session() as session:
        return session.execute_read(read)


#: Every transaction but the one asking (``SHOW TRANSACTIONS`` lists itself).
OTHER_TRANSACTIONS = (
    "SHOW TRANSACTIONS YIELD transactionId, currentQuery "
    "WHERE NOT currentQuery STARTS WITH 'SHOW TRANSACTIONS' RETURN count(*) AS n"
)


def settle(settings: Settings, timeout: float = 60.0) -> None:
    """Wait until the server runs no transaction but this one. A client killed with SIGKILL
    may have sent its COMMIT already: the server still applies it (or rolls back one whose
    client vanished mid-statement) after the process is gone, so a read straight after the
    kill could count the labels before that commit and the relationships after it."""
    auth = (settings.neo4j_user, settings.neo4j_password.get_secret_value())
    deadline = time.monotonic() + timeout
    with GraphDatabase.driver(settings.neo4j_uri, auth=auth) as driver:
        while True:
            records, _, _ = driver.execute_query(OTHER_TRANSACTIONS)
            if records[0]["n"] == 0:
                return
            if time.monotonic() > deadline:
                raise AssertionError(f"the server still runs {records[0]['n']} transactions after {timeout:.0f} s")
            time.sleep(0.05)


def raw(settings: Settings, cypher: str, **params: Any) -> list[dict[str, Any]]:
    auth = (settings.neo4j_user, settings.neo4j_password.get_secret_value())
    with GraphDatabase.driver(settings.neo4j_uri, auth=auth) as driver:
        records, _, _ = driver.execute_query(cypher, params)
    return [r.data() for r in records]


def edit_csv(path: Path, change: Callable[[int, list[str]], list[str] | None]) -> None:
    """Rewrite ``path``'s rows through ``change`` (``None`` drops the row)."""
    with path.open(encoding="utf-8-sig", newline="") as f:
        header, *rows = list(csv.reader(f))
    kept = [r for r in (change(i, row) for i, row in enumerate(rows)) if r is not None]
    with path.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows([header, *kept])


def changed_copy(source: Path, out: Path) -> Path:
    """``source`` again with updates (every person's skills, every building's name) and, for
    ``--prune``, deletions (every fourth membership): a reload that updates, creates and
    deletes, so its undo holds before-images of all three."""
    shutil.copytree(source, out)
    edit_csv(out / "persons.csv", lambda i, row: [*row[:-1], f"特长{i % 7}"])
    edit_csv(out / "buildings.csv", lambda i, row: [row[0], f"新{row[1]}", *row[2:]])
    edit_csv(out / "memberships.csv", lambda i, row: None if i % 4 == 0 else row)
    return out
