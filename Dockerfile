# Production image of the 287(g) Program Portal.
#
#   docker build -t portal-287g .
#   docker compose up -d          (see docker-compose.yml; copy .env.example to .env first)
#
# One image serves every role: the default command runs gunicorn; docker-compose.yml
# overrides it for the Celery worker and beat. Health checks live in docker-compose.yml.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1

WORKDIR /app

# System libraries of WeasyPrint (the quarterly oversight report's PDF): Pango, HarfBuzz
# and fonts. Without them the report page says so and still prints.
RUN apt-get update \
    && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b \
       libharfbuzz-subset0 fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*

# Dependencies first, so the layer is reused until pyproject.toml changes.
COPY pyproject.toml ./
COPY scripts/requirements.py ./scripts/requirements.py
RUN python scripts/requirements.py > /tmp/requirements.txt \
    && pip install --upgrade pip \
    && pip install -r /tmp/requirements.txt \
    && rm /tmp/requirements.txt

# The application, then its static files (hashed and compressed by WhiteNoise). The
# SECRET_KEY here exists only so the settings import at build time; it is not kept.
COPY . .
RUN DEBUG=false \
    SECRET_KEY=build-only-collectstatic-key-not-used-at-runtime \
    python manage.py collectstatic --noinput

# Run as an unprivileged user; var/ (media uploads, SQLite fallback) is its only writable path.
RUN groupadd --system --gid 10001 portal \
    && useradd --system --uid 10001 --gid portal --home-dir /app --shell /usr/sbin/nologin portal \
    && mkdir -p /app/var/media \
    && chown -R portal:portal /app/var
USER portal

EXPOSE 8000
CMD ["gunicorn", "portal.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--worker-class", "gthread", "--threads", "4", "--keep-alive", "30", "--access-logfile", "-", "--error-logfile", "-"]
