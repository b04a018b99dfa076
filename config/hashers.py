"""How passwords are hashed: Argon2id, sized for a 2-core server."""

from django.contrib.auth.hashers import Argon2PasswordHasher


class Argon2Hasher(Argon2PasswordHasher):
    """RFC 9106's second recommended setting (3 passes over 64 MiB), with 2 lanes
    instead of 4 because the server has 2 cores: one hash then takes about 75 ms on
    the clock and 145 ms of CPU there, and needs 64 MiB while it runs. Django's
    defaults (8 lanes, 100 MiB) are for bigger machines. A password hashed with other
    parameters is re-hashed with these at its next login."""

    time_cost = 3
    memory_cost = 64 * 1024  # KiB
    parallelism = 2
