"""WhiteNoise's middleware, as the app runs it (finders, no autorefresh), lists every
static file and works out its headers each time it is made: in the tests, for every new
test client, about a third of the time of a short test. The files do not change during
a run, so the list made by the first middleware serves every later one made with the
same settings (`-p tests.static_files` in pytest.ini). What each serves is unchanged."""

import pytest


@pytest.hookimpl(trylast=True)  # after pytest-django has set Django up
def pytest_configure(config):
    from django.conf import settings
    from whitenoise.middleware import WhiteNoiseMiddleware

    add_files_from_finders = WhiteNoiseMiddleware.add_files_from_finders
    listed: dict[tuple, dict] = {}

    def add_files_from_finders_once(self) -> None:
        # Everything the headers and the list depend on, as this middleware was made.
        key = (self.static_prefix, self.max_age, self.allow_all_origins, self.charset, self.add_headers_function,
               self.index_file, tuple(sorted(self.media_types.types_map.items())),
               getattr(settings, "WHITENOISE_IMMUTABLE_FILE_TEST", None), tuple(settings.INSTALLED_APPS),
               tuple(map(str, settings.STATICFILES_DIRS)))
        if key not in listed:
            files, self.files = self.files, {}
            try:
                add_files_from_finders(self)
                listed[key] = self.files
            finally:
                self.files = files
        self.files.update(listed[key])

    WhiteNoiseMiddleware.add_files_from_finders = add_files_from_finders_once
