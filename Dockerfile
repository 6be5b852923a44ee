# The Gongzhi API, talking to the Neo4j of docker-compose.yml (see GONGZHI_STORE there).
FROM python:3.11-slim AS app

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app
COPY pyproject.toml README.md ./
COPY graph ./graph
COPY api ./api
COPY loaders ./loaders
COPY queries ./queries
RUN pip install . && useradd --system --uid 10001 --home-dir /app gongzhi

# The one-shot `bulk-load` service of docker-compose.yml (profile `bulk`): `gongzhi load --bulk`
# needs neo4j-admin and a Java runtime next to Python. The tool comes from the very image the
# neo4j service runs; it imports into the neo4j-data volume (/data) as the neo4j user (7474).
FROM app AS bulk
USER root
RUN apt-get update \
    && apt-get install -y --no-install-recommends openjdk-17-jre-headless \
    && rm -rf /var/lib/apt/lists/*
COPY --from=neo4j:5.26-community /var/lib/neo4j/bin /var/lib/neo4j/bin
COPY --from=neo4j:5.26-community /var/lib/neo4j/lib /var/lib/neo4j/lib
RUN mkdir -p /var/lib/neo4j/conf /data \
    && printf 'server.directories.data=/data\nserver.directories.logs=/tmp/neo4j-logs\n' > /var/lib/neo4j/conf/neo4j.conf \
    && chown 7474:7474 /data
ENV GONGZHI_NEO4J_HOME=/var/lib/neo4j
USER 7474:7474

# The API (the default target).
FROM app
USER gongzhi
EXPOSE 8000
CMD ["gongzhi", "serve", "--host", "0.0.0.0"]
