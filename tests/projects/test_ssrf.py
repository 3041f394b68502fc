"""URL imports never reach loopback, private, link-local, ... addresses unless the
allow-list names them. The refusal happens when the address is checked, before any
connection: ``guard_network`` records every connection the fetcher opens."""
from __future__ import annotations

import ipaddress

import pytest

from app.projects import fetch
from app.projects.fetch import FetchPolicy, FetchRefused, check_target, parse_allow, refusal

from .helpers import SAMPLE, md5, png


@pytest.fixture
def no_allow_list(app):
    app.config["PROJECTS_FETCH_ALLOW"] = []


def import_url(projects, project_id, url):
    asset = projects.create_asset(project_id, {**SAMPLE, "url": {"file_url": url,
                                                                 "filename": "x.jpg"}})
    assert asset["media_type"] == "processing"
    return projects.wait_for_import(asset["id"])


@pytest.mark.parametrize("host, reason", [
    ("127.0.0.1", "a loopback address"),
    ("10.0.0.1", "a private address"),
    ("169.254.169.254", "a link-local address"),
    ("[::1]", "a loopback address"),
    ("[::ffff:127.0.0.1]", "a loopback address"),
    ("0.0.0.0", "an unspecified address".replace("an ", "a ")),
    ("224.0.0.1", "a multicast address"),
    ("100.64.0.1", "which is not globally routable"),
])
def test_internal_addresses_are_refused_before_connecting(projects, project_id, no_allow_list,
                                                          guard_network, file_server, host,
                                                          reason):
    url = f"http://{host}:{file_server.port}/latest/meta-data/"
    asset = import_url(projects, project_id, url)
    assert asset["media_type"] == "placeholder"
    assert asset["md5_sum"] is None
    assert asset["media_error"].startswith(f"refused to fetch from {host.strip('[]')}")
    assert asset["media_error"].endswith(reason)
    assert guard_network.connections == []  # refused at address validation
    assert file_server.requests == []


def test_a_name_resolving_to_loopback_is_refused(projects, project_id, no_allow_list,
                                                 guard_network, file_server):
    asset = import_url(projects, project_id, f"http://localhost:{file_server.port}/a.png")
    assert asset["media_error"].startswith("refused to fetch from localhost: it resolves to ")
    assert guard_network.resolved == ["localhost"]
    assert guard_network.connections == []


def test_a_redirect_to_loopback_is_refused(app, projects, project_id, guard_network,
                                           file_server):
    app.config["PROJECTS_FETCH_ALLOW"] = ["127.0.0.1/32"]  # 127.0.0.2 is not allowed
    file_server.serve("/secret", b"internal", "text/plain")
    url = file_server.redirect("/go", f"http://127.0.0.2:{file_server.port}/secret")
    asset = import_url(projects, project_id, url)
    assert asset["media_type"] == "placeholder"
    assert asset["media_error"] == ("refused to fetch from 127.0.0.2: it resolves to "
                                    "127.0.0.2, a loopback address")
    # One connection, to the allowed first hop; none to the redirect's target.
    assert guard_network.connections == [("127.0.0.1", file_server.port)]
    assert [path for path, _ in file_server.requests] == ["/go"]


@pytest.mark.parametrize("location, error", [
    ("http://169.254.169.254/latest/meta-data/",
     "refused to fetch from 169.254.169.254: it resolves to 169.254.169.254, a link-local "
     "address"),
    ("http://10.0.0.1/", "refused to fetch from 10.0.0.1: it resolves to 10.0.0.1, a private "
                         "address"),
    ("file:///etc/passwd", "not a valid HTTP URL"),
    ("gopher://127.0.0.1:25/", "not a valid HTTP URL"),
])
def test_redirects_are_checked_on_every_hop(projects, project_id, guard_network, file_server,
                                            location, error):
    asset = import_url(projects, project_id, file_server.redirect("/hop", location))
    assert asset["media_error"] == error
    assert guard_network.connections == [("127.0.0.1", file_server.port)]


def test_the_allow_list_admits_loopback(projects, project_id, file_server):
    data = png()
    asset = import_url(projects, project_id, file_server.serve("/ok.png", data, "image/png"))
    assert (asset["media_type"], asset["md5_sum"]) == ("image", md5(data))


def test_the_connection_goes_to_the_checked_address(app, projects, project_id, guard_network,
                                                    file_server, monkeypatch):
    """DNS rebinding: the name is resolved once, checked, and that address is connected
    to; a second lookup (which could answer differently) never happens."""
    answers = iter([[ipaddress.ip_address("127.0.0.1")]])
    looked_up = []

    def resolve(host, port):
        looked_up.append(host)
        return next(answers)  # a second lookup would raise StopIteration

    monkeypatch.setattr(fetch, "resolve", resolve)
    data = png()
    file_server.serve("/r.png", data, "image/png")
    asset = import_url(projects, project_id, f"http://rebind.test:{file_server.port}/r.png")
    assert (asset["media_type"], asset["md5_sum"]) == ("image", md5(data))
    assert looked_up == ["rebind.test"]
    assert guard_network.connections == [("127.0.0.1", file_server.port)]
    assert file_server.requests == [("/r.png", f"rebind.test:{file_server.port}")]


def test_a_name_with_any_refused_address_is_refused(monkeypatch):
    monkeypatch.setattr(fetch, "resolve", lambda host, port: [
        ipaddress.ip_address("93.184.215.14"), ipaddress.ip_address("10.1.2.3")])
    with pytest.raises(FetchRefused, match="10.1.2.3, a private address"):
        check_target("http://mixed.example/", FetchPolicy())


@pytest.mark.parametrize("address, reason", [
    ("127.0.0.1", "loopback"), ("127.9.9.9", "loopback"), ("::1", "loopback"),
    ("10.0.0.1", "private"), ("172.16.0.1", "private"), ("192.168.1.1", "private"),
    ("fc00::1", "private"), ("169.254.169.254", "link-local"), ("fe80::1", "link-local"),
    ("224.0.0.1", "multicast"), ("ff02::1", "multicast"), ("0.0.0.0", "unspecified"),
    ("::", "unspecified"), ("::ffff:10.0.0.1", "private"), ("2002:a00:1::1", "private"),
    ("100.64.0.1", "not globally routable"), ("240.0.0.1", "private"),
    ("93.184.215.14", None), ("2606:4700::1111", None),
])
def test_address_rules(address, reason):
    assert refusal(ipaddress.ip_address(address)) == reason


def test_allow_list_entries_are_addresses_or_networks():
    allow = parse_allow("127.0.0.1, 10.20.0.0/16")
    assert refusal(ipaddress.ip_address("127.0.0.1"), allow) is None
    assert refusal(ipaddress.ip_address("10.20.3.4"), allow) is None
    assert refusal(ipaddress.ip_address("10.21.0.1"), allow) == "private"
    assert refusal(ipaddress.ip_address("::ffff:127.0.0.1"), allow) is None
    assert parse_allow(None) == () and parse_allow([]) == ()
    with pytest.raises(ValueError):
        parse_allow(["not-an-address"])
