"""Passwords are hashed with Argon2id, with parameters for a 2-core server; passwords
hashed before with PBKDF2 still log in and are re-hashed with Argon2 at that login."""

import pytest
from django.conf import global_settings
from django.contrib.auth.hashers import PBKDF2PasswordHasher, check_password

from config import settings as project_settings
from intake.models import User
from tests.conftest import PASSWORD

ARGON2_PREFIX = "argon2$argon2id$v=19$m=65536,t=3,p=2$"


@pytest.fixture(autouse=True)
def _real_password_hashing(settings):
    # conftest makes hashing fast for the other tests; these test the real settings.
    settings.PASSWORD_HASHERS = getattr(project_settings, "PASSWORD_HASHERS", global_settings.PASSWORD_HASHERS)


def test_a_new_password_is_hashed_with_argon2id_with_the_chosen_parameters(db):
    user = User.objects.create_user("new-account", PASSWORD)

    user.refresh_from_db()
    assert user.password.startswith(ARGON2_PREFIX)
    assert user.check_password(PASSWORD)
    assert not user.check_password(PASSWORD + "x")


def test_a_pbkdf2_password_still_logs_in_and_is_rehashed_with_argon2(client, db):
    hasher = PBKDF2PasswordHasher()
    user = User.objects.create(username="older-account", password=hasher.encode(PASSWORD, hasher.salt()))
    assert user.password.startswith("pbkdf2_sha256$")

    response = client.post("/login/", {"username": "older-account", "password": PASSWORD})

    assert response.status_code == 302 and response["Location"] == "/"
    user.refresh_from_db()
    assert user.password.startswith(ARGON2_PREFIX)
    assert check_password(PASSWORD, user.password)


def test_a_wrong_password_leaves_a_pbkdf2_hash_as_it_was(client, db):
    hasher = PBKDF2PasswordHasher()
    stored = hasher.encode(PASSWORD, hasher.salt())
    user = User.objects.create(username="older-account", password=stored)

    response = client.post("/login/", {"username": "older-account", "password": "not-the-password"})

    assert response.status_code == 200
    user.refresh_from_db()
    assert user.password == stored
