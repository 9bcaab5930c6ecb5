# Givefirst: one small image, run as a non-root user, data in a volume.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    GIVEFIRST_DATA_DIR=/data

WORKDIR /app
COPY requirements.lock ./
RUN pip install --require-hashes -r requirements.lock \
    && useradd --system --uid 10001 --home-dir /app givefirst \
    && mkdir -p /data \
    && chown 10001 /data
# Run from the source tree: templates, static files and migrations are found beside the code.
COPY app ./app
COPY migrations ./migrations
COPY static ./static

USER 10001
VOLUME ["/data"]
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4)"]
# `serve` applies pending migrations, then runs uvicorn with proxy headers from trusted proxies.
ENTRYPOINT ["python", "-m", "app.cli"]
CMD ["serve", "--host", "0.0.0.0", "--port", "8000"]
