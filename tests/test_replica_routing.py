"""Which answers read from the replica (config/replica.py), by their address: every page
that shows only published figures does, whoever asks; a page that can show unpublished
figures, or changes anything, does not. (tests/test_replica.py serves them from a real
replica; this needs none.)"""

import pytest
from django.test import RequestFactory
from django.urls import resolve

from config.replica import is_published_output

PUBLISHED = [
    "/publications/", "/publications/key.pub", "/publications/checkpoint", "/publications/proof/0",
    "/publications/consistency/1/2", "/publications/0/help-2023-11-public.json",
    "/publications/0/help-2023-11-public.json.minisig", "/coalition/", "/coalition/2023-11/",
    "/coalition/2023-11.json", "/coalition/2023-11.csv", "/api/v1/programmes",
    "/reports/help/2023-11/v1/?profile=public", "/reports/help/2023-11/v1.csv?profile=partner",
    "/reports/help/2023-11/v1.json?profile=public",
]
NOT_PUBLISHED = [
    "/", "/coalition/peers/", "/coalition/peers/new/", "/reports/help/2023-11/v1/",
    "/reports/help/2023-11/v1/?profile=internal", "/requests/month/help/2023-11/",
]


@pytest.mark.parametrize("path", PUBLISHED)
def test_a_page_of_published_figures_reads_from_the_replica(path):
    request = RequestFactory().get(path)
    request.resolver_match = resolve(request.path)
    assert is_published_output(request)


@pytest.mark.parametrize("path", NOT_PUBLISHED)
def test_a_page_that_can_show_unpublished_figures_reads_from_the_primary(path):
    request = RequestFactory().get(path)
    request.resolver_match = resolve(request.path)
    assert not is_published_output(request)


def test_a_form_sent_to_a_published_page_reads_from_the_primary():
    request = RequestFactory().post("/coalition/2023-11/")
    request.resolver_match = resolve(request.path)
    assert not is_published_output(request)
