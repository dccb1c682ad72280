"""Celery entry point: ``celery -A ujisim.celery_app worker -Q ujisim`` (needs UJISIM_REDIS_URL)."""

from ujisim.app import create_app

flask_app = create_app()
celery = flask_app.extensions["ujisim.jobs"].celery
