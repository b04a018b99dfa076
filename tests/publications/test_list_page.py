"""The list of signed publications names each document as a reader says it: the
programme by its name, the month in words, the kind of figures, in the page's language
(not the slug, YYYY-MM and profile code of the signature's trusted comment)."""

import datetime as dt

from django.test import Client

from intake.models import Programme
from tests.conftest import text_of

from .conftest import publish


def test_each_publication_is_named_by_programme_month_and_kind_of_figures_in_the_pages_language(key_file):
    Programme.objects.create(slug="desertion-help", name="Desertion help", name_ru="Помощь в оставлении части",
                             first_month=dt.date(2023, 1, 1))
    publish("a,b\n1,2\n")

    english = text_of(Client().get("/publications/"))
    russian = text_of(Client().get("/publications/", HTTP_ACCEPT_LANGUAGE="ru"))

    assert "Desertion help · November 2023 · version 1 · Public figures" in english
    assert "Помощь в оставлении части · ноябрь 2023 г. · версия 1 · Открытые данные" in russian
