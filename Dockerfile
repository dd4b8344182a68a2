# The whoknows API (and its command line) on Python 3.11. Built by docker-compose.yml; runs `whoknows serve`.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /srv/whoknows

# the package and nothing else (see .dockerignore): no tests, no local databases, no virtual environments
COPY pyproject.toml README.md LICENSE ./
COPY schema ./schema
COPY graph ./graph
COPY ingest ./ingest
COPY app ./app
RUN pip install . && rm -rf build ./*.egg-info

COPY docker/ingest.sh /usr/local/bin/whoknows-ingest
RUN chmod 0755 /usr/local/bin/whoknows-ingest \
    && useradd --system --uid 10001 --home-dir /srv/whoknows --shell /usr/sbin/nologin whoknows \
    && mkdir -p /exports /rejects && chown whoknows /rejects
USER whoknows

EXPOSE 8000
# /healthz: the process answers (the store's reachability is /readyz, which the orchestrator may also probe)
HEALTHCHECK --interval=15s --timeout=5s --start-period=20s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4)"]
# listening beyond the container needs real secrets (WHOKNOWS_JWT_SECRET, and WHOKNOWS_SESSION_SECRET with an
# identity provider's JWKS): `serve` refuses the public development placeholders there, naming what to set
CMD ["whoknows", "serve", "--host", "0.0.0.0", "--port", "8000"]
