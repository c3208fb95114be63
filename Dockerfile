# syntax=docker/dockerfile:1
# Multi-stage: build the wheel (and its dependencies' wheels) in one stage, install them into a
# slim runtime that runs as an unprivileged user. Production runs against a real Postgres with
# the pgvector extension: set DATABASE_URL (the embedded Postgres is for development).

FROM python:3.11-slim AS build
WORKDIR /src
COPY pyproject.toml README.md ./
COPY checkpoints/ checkpoints/
COPY graph/ graph/
COPY nodes/ nodes/
COPY server/ server/
COPY tools/ tools/
COPY turn/ turn/
RUN python -m pip wheel --no-cache-dir --wheel-dir /wheels ".[otel]"

FROM python:3.11-slim AS runtime
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PORT=8000 \
    HELPDESK_DATA_DIR=/home/helpdesk/data
RUN groupadd --system --gid 10001 helpdesk \
    && useradd --system --uid 10001 --gid helpdesk --create-home --home-dir /home/helpdesk helpdesk
COPY --from=build /wheels /wheels
# the version pyproject.toml builds (tests/deploy check they agree); the NLU models are fitted
# here once, so no start-up fits them (site-packages is read-only for the server's user)
RUN python -m pip install --no-cache-dir --no-index --find-links /wheels "helpdesk-agent[otel]==0.1.0" \
    && rm -rf /wheels && python -m tools.nlu.model
USER 10001:10001
WORKDIR /home/helpdesk
EXPOSE 8000
# /readyz answers 200 once the database is reachable and turns can run
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import os, sys, urllib.request; sys.exit(urllib.request.urlopen(f\"http://127.0.0.1:{os.environ.get('PORT', '8000')}/readyz\", timeout=2).status != 200)"]
ENTRYPOINT ["helpdesk", "serve"]
# the port comes from PORT (8000)
CMD ["--host", "0.0.0.0"]
