# The Gongzhi API, talking to the Neo4j of docker-compose.yml (see GONGZHI_STORE there).
FROM python:3.11-slim

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

USER gongzhi
EXPOSE 8000
CMD ["gongzhi", "serve", "--host", "0.0.0.0"]
