# One image for web, worker and beat (docker-compose.yml).
FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
# WeasyPrint's libraries, as `python3 ee_portal/syslibs.py` (README "System requirements") asks
# for them, plus libharfbuzz-subset0 so that PDFs embed only the glyphs they use.
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
      libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b libfontconfig1 libglib2.0-0 \
      libharfbuzz-subset0 fonts-dejavu-core \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY pyproject.toml README.md ./
RUN pip install --no-cache-dir .
COPY . .
RUN python -I ee_portal/syslibs.py \
 && DJANGO_DEBUG=1 python manage.py collectstatic --noinput \
 && useradd --create-home --uid 1000 ee && mkdir -p /data/private && chown -R ee /data /app
USER ee
EXPOSE 8000
CMD ["gunicorn", "ee_portal.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3"]
