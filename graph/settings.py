"""Settings: one typed object, read from the environment once and passed in.

Environment variables (all optional):

========================  ===========================================  ========================
variable                  meaning                                      default
========================  ===========================================  ========================
GONGZHI_STORE             ``embedded`` (networkx, no server),          ``embedded``
                          ``neo4j``, or ``federated`` (read-only:
                          the parts of GONGZHI_PARTS as one store,
                          graph/federated.py)
GONGZHI_PARTS             comma-separated parts of a federation: Neo4j  (empty)
                          URIs, or ``embedded:<data directory>``
GONGZHI_DATA_DIR          the embedded store's directory               ``./data``
NEO4J_URI                 ``bolt://``, ``neo4j://`` (routing, for      ``bolt://127.0.0.1:7687``
                          clusters) or ``neo4j+s://`` (Aura)
NEO4J_USER                Neo4j user                                   ``neo4j``
NEO4J_PASSWORD            Neo4j password                               (empty)
NEO4J_DATABASE            database name                                ``neo4j``
GONGZHI_BATCH_SIZE        rows per UNWIND statement                    ``5000``
GONGZHI_WRITE_CHUNK       items per Neo4j transaction of a larger      ``50000``
                          write (a load then commits chunk by chunk
                          under a load record, all or nothing)
GONGZHI_LOAD_STALE_SECONDS  a chunked load whose heartbeat is older    ``600``
                          is taken for dead and rolled back
GONGZHI_READ_CONCURRENCY  Neo4j reads one request may run at once      ``2``
                          (a roll-up's child areas); 1: one by one
GONGZHI_HOST              address ``gongzhi serve`` listens on         ``127.0.0.1``
GONGZHI_PORT              port ``gongzhi serve`` listens on            ``8000``
GONGZHI_AUTH_FILE         the API tokens (sha256 only)                 ``DATA_DIR/auth.json``
GONGZHI_AUDIT_FILE        the audit log of unmasked reads              ``DATA_DIR/audit.jsonl``
GONGZHI_MAX_FILE_MB       largest input file ``gongzhi load`` reads    ``200``
GONGZHI_MAX_UNZIPPED_MB   largest XLSX workbook, unpacked              ``1000``
GONGZHI_MAX_CELL_CHARS    longest cell (characters) of an input file   ``10000``
GONGZHI_MAX_ROWS          rows of one input file or sheet              ``1048576``
GONGZHI_NEO4J_HOME        the Neo4j server's home (``conf/neo4j.conf``  ``var/neo4j``
                          names its data directory) that
                          ``gongzhi load --bulk`` imports into; the
                          home ``scripts/neo4j.sh`` runs
GONGZHI_NEO4J_ADMIN       the ``neo4j-admin`` executable for            ``HOME/bin/neo4j-admin``,
                          ``load --bulk``                               else the jars of
                                                                       ``server.directories.lib``
========================  ===========================================  ========================
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="", extra="ignore", frozen=True)

    store: Literal["embedded", "neo4j", "federated"] = Field("embedded", alias="GONGZHI_STORE")
    parts: str = Field("", alias="GONGZHI_PARTS")
    data_dir: Path = Field(Path("data"), alias="GONGZHI_DATA_DIR")
    neo4j_uri: str = Field("bolt://127.0.0.1:7687", alias="NEO4J_URI")
    neo4j_user: str = Field("neo4j", alias="NEO4J_USER")
    neo4j_password: SecretStr = Field(SecretStr(""), alias="NEO4J_PASSWORD")
    neo4j_database: str = Field("neo4j", alias="NEO4J_DATABASE")
    batch_size: int = Field(5000, alias="GONGZHI_BATCH_SIZE", gt=0)
    #: A Neo4j write of more items than this is written in chunks of this many, each its own
    #: transaction (graph/neo4j_chunks.py). A first load costs about 3.7 KiB of transaction
    #: memory per item (BENCHMARKS.md), so 50,000 items stay near 200 MiB: a city loads into
    #: a server with a 2 GiB heap (70% of it for all transactions by default).
    write_chunk: int = Field(50_000, alias="GONGZHI_WRITE_CHUNK", gt=0)
    #: Seconds after its last heartbeat (one per chunk) that a chunked load on another host
    #: counts as dead; on the same host a load whose process is gone is dead at once.
    load_stale_seconds: float = Field(600.0, alias="GONGZHI_LOAD_STALE_SECONDS", gt=0)
    read_concurrency: int = Field(2, alias="GONGZHI_READ_CONCURRENCY", ge=1, le=64)
    #: Seconds one Neo4j read transaction may run before the server ends it (0: no limit). A
    #: request's deadline (api/graphql/limits.py) stops new store calls; this stops one running.
    query_timeout: float = Field(60.0, alias="GONGZHI_QUERY_TIMEOUT", ge=0)
    host: str = Field("127.0.0.1", alias="GONGZHI_HOST")
    port: int = Field(8000, alias="GONGZHI_PORT")
    auth_file: Path | None = Field(None, alias="GONGZHI_AUTH_FILE")
    audit_file: Path | None = Field(None, alias="GONGZHI_AUDIT_FILE")
    # the loader's input limits (loaders.read.InputLimits): hostile or broken files stay bounded
    max_file_mb: int = Field(200, alias="GONGZHI_MAX_FILE_MB", gt=0)
    max_unzipped_mb: int = Field(1000, alias="GONGZHI_MAX_UNZIPPED_MB", gt=0)
    max_cell_chars: int = Field(10_000, alias="GONGZHI_MAX_CELL_CHARS", gt=0)
    max_rows: int = Field(1_048_576, alias="GONGZHI_MAX_ROWS", gt=1)
    # where ``gongzhi load --bulk`` finds the stopped server's database and the import tool
    neo4j_home: Path = Field(Path("var/neo4j"), alias="GONGZHI_NEO4J_HOME")
    neo4j_admin: str = Field("", alias="GONGZHI_NEO4J_ADMIN")

    def with_(self, **changes: object) -> Settings:
        """A copy with some fields changed (by field name, not alias)."""
        return self.model_copy(update=changes)

    def as_env(self) -> dict[str, str]:
        """The environment that reads back as these settings (for worker processes)."""
        out: dict[str, str] = {}
        for name, field in Settings.model_fields.items():
            value = getattr(self, name)
            if value is None:
                continue
            out[str(field.alias)] = value.get_secret_value() if isinstance(value, SecretStr) else str(value)
        return out


#: The environment variable behind each field, for docs and the docker-compose check.
ENV_NAMES: dict[str, str] = {name: str(field.alias) for name, field in Settings.model_fields.items()}
