"""Celery tasks of the site around the apps: thin interfaces that call one service."""

from celery import shared_task

from . import clean_up as services


@shared_task(name="shell.clean_up")
def clean_up() -> None:
    services.clean_up()
