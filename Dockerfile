# One application image for web, Celery worker and Celery beat (docker-compose.yml).
FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 DJANGO_SETTINGS_MODULE=config.settings.production
WORKDIR /app
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt
COPY . .
# collectstatic needs settings but no real secrets or database (nor the signing key: /dev/null).
RUN DJANGO_SECRET_KEY=build-only DJANGO_ALLOWED_HOSTS=localhost SITE_URL=http://localhost DATABASE_URL=sqlite:////tmp/build.sqlite3 \
    EMAIL_URL=consolemail:// REDIS_URL=redis://localhost:6379/0 NOTICE_SIGNING_KEY=/dev/null NOTICE_SIGNING_CERT=/dev/null \
    python manage.py collectstatic --noinput
RUN useradd --system --home /app app && chown -R app /app
USER app
EXPOSE 8000
CMD ["gunicorn", "config.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
