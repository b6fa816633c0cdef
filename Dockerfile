# CareLoop's container image: slim, non-root, CJK fonts for the charts and PDFs, no build
# tools. Build: `docker build -t careloop .`; run with compose.yaml (docs/deploy.md).
ARG PYTHON_IMAGE=python:3.11-slim-bookworm

# Stage 1: install the wheel and its dependencies into a virtual environment. Every
# dependency ships binary wheels for linux/amd64 and arm64, so no compiler is needed here
# either; the stage exists so that pip's caches and the sources stay out of the image.
FROM ${PYTHON_IMAGE} AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /src
COPY pyproject.toml setup.py README.md LICENSE ./
COPY src ./src
RUN python -m venv /opt/careloop \
 && /opt/careloop/bin/pip install --upgrade pip \
 && /opt/careloop/bin/pip install .

# Stage 2: the runtime. Noto CJK so that charts and PDF reports draw Chinese; tzdata for
# the operator's local time; a system user without a login shell owns the data directory.
FROM ${PYTHON_IMAGE}
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      fonts-noto-cjk tzdata \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 --user-group --home-dir /var/lib/careloop \
      --create-home --shell /usr/sbin/nologin careloop
COPY --from=build /opt/careloop /opt/careloop
ENV PATH=/opt/careloop/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    TZ=Asia/Shanghai \
    CARELOOP_DATA_DIR=/var/lib/careloop \
    CARELOOP_HOST=0.0.0.0 \
    CARELOOP_PORT=8000
USER careloop
WORKDIR /var/lib/careloop
EXPOSE 8000
# Liveness only: readiness (database, migrations, queue) is the orchestrator's /readyz probe.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/livez', timeout=4)"]
ENTRYPOINT ["careloop"]
CMD ["serve", "--workers", "2"]
