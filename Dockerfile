FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app
RUN useradd --create-home --uid 1000 rlsapp

COPY pyproject.toml ./
COPY rlsapp ./rlsapp
RUN pip install --no-cache-dir .

COPY manage.py gunicorn.conf.py ./
COPY templates ./templates
COPY static ./static
RUN DEBUG=false SECRET_KEY=collectstatic-only python manage.py collectstatic --noinput

USER rlsapp
EXPOSE 8000
CMD ["gunicorn", "rlsapp.wsgi", "--config", "gunicorn.conf.py", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
