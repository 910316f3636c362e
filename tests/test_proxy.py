"""Behind our reverse proxy the client's address comes from X-Forwarded-For, and from nowhere
else: a client cannot name itself someone else."""

from __future__ import annotations

import pytest
from django.http import HttpResponse
from django.test import RequestFactory, override_settings

from civic311.proxy import TrustedProxyMiddleware, client_address, networks_parse

PROXY_NET = networks_parse(["172.16.0.0/12"])


def test_without_trusted_proxies_the_connection_is_the_client() -> None:
    got = client_address(remote_addr="203.0.113.9", forwarded_for="198.51.100.1", trusted=[])
    assert got == "203.0.113.9"


def test_a_client_connecting_directly_cannot_name_another_address() -> None:
    got = client_address(remote_addr="203.0.113.9", forwarded_for="198.51.100.1", trusted=PROXY_NET)
    assert got == "203.0.113.9"


def test_through_our_proxy_the_address_it_appended_is_the_client() -> None:
    # The client forged a first hop; our proxy appended the address it really saw.
    got = client_address(
        remote_addr="172.18.0.5", forwarded_for="10.9.9.9, 198.51.100.7", trusted=PROXY_NET
    )
    assert got == "198.51.100.7"


def test_chained_proxies_of_ours_are_skipped() -> None:
    got = client_address(
        remote_addr="172.18.0.5", forwarded_for="198.51.100.7, 172.18.0.9", trusted=PROXY_NET
    )
    assert got == "198.51.100.7"


@pytest.mark.parametrize("header", ["", "not-an-address", "198.51.100.7\x00, junk"])
def test_a_missing_or_malformed_header_falls_back_to_the_last_good_address(header: str) -> None:
    got = client_address(remote_addr="172.18.0.5", forwarded_for=header, trusted=PROXY_NET)
    assert got == "172.18.0.5"


@override_settings(TRUSTED_PROXIES=["172.16.0.0/12"])
def test_the_middleware_rewrites_remote_addr_for_everything_after_it() -> None:
    seen = {}

    def view(request):
        seen["addr"] = request.META["REMOTE_ADDR"]
        return HttpResponse()

    request = RequestFactory().get(
        "/", REMOTE_ADDR="172.18.0.5", HTTP_X_FORWARDED_FOR="198.51.100.7"
    )
    TrustedProxyMiddleware(view)(request)
    assert seen["addr"] == "198.51.100.7"
