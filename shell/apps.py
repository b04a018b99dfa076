from django.apps import AppConfig


class ShellConfig(AppConfig):
    """The site around intake and reports: it imports both, and neither imports it."""

    name = "shell"

    def ready(self) -> None:
        from . import (
            audit_actions,  # noqa: F401 - declares the app's audit actions
            time_policy,
        )

        time_policy.install()
