"""WebDAV uses the AEM API's users, credentials and scopes, and the app-wide CSRF check."""
from __future__ import annotations

from ..conftest import ADMIN_PASSWORD, basic
from .conftest import Dav


def test_no_credentials_is_401_with_a_challenge(dav):
    response = dav.request("PROPFIND", "/dav/", headers={"Depth": "0"}, auth=False)
    assert response.status_code == 401
    assert "Basic" in response.headers["WWW-Authenticate"]
    assert dav.request("PUT", "/dav/a.txt", data=b"x", auth=False).status_code == 401
    assert not dav.repository.exists(("a.txt",))


def test_basic_credentials_and_bearer_tokens_both_work(app, dav):
    with_password = Dav(app, basic("admin", ADMIN_PASSWORD))
    assert with_password.request("PUT", "/dav/a.txt", data=b"x").status_code == 201
    assert dav.request("GET", "/dav/a.txt").get_data() == b"x"
    wrong = Dav(app, basic("admin", "wrong"))
    assert wrong.request("GET", "/dav/a.txt").status_code == 401


def test_an_assets_read_token_may_read_but_not_write(dav, dav_for):
    dav.make("a.txt")
    reader = dav_for("admin", scopes=["assets.read"])
    assert reader.request("GET", "/dav/a.txt").status_code == 200
    assert reader.request("PROPFIND", "/dav/", headers={"Depth": "1"}).status_code == 207
    assert reader.request("PUT", "/dav/a.txt", data=b"y").status_code == 403
    assert reader.request("MKCOL", "/dav/f").status_code == 403
    assert dav.request("GET", "/dav/a.txt").get_data() == b"bytes"


def test_a_token_of_another_api_or_bound_to_a_tenant_is_403(dav_for):
    for token_options in [{"scopes": ["media.asset_manage"]},
                          {"scopes": ["media.asset_manage"], "tenant": "t1"}]:
        other = dav_for("admin", **token_options)
        response = other.request("PROPFIND", "/dav/", headers={"Depth": "0"})
        assert response.status_code == 403
        assert response.get_data(as_text=True).strip()


def test_a_write_with_basic_credentials_from_another_origin_is_refused(app):
    browser = Dav(app, {**basic("admin", ADMIN_PASSWORD), "Origin": "http://evil.example"})
    for method, path, data in [("PUT", "/dav/a.txt", b"x"), ("MKCOL", "/dav/f", None),
                               ("LOCK", "/dav/a.txt", None), ("PROPPATCH", "/dav/", None)]:
        assert browser.request(method, path, data=data).status_code == 403, method
    assert not browser.repository.exists(("a.txt",)) and not browser.repository.exists(("f",))
    # Reading is not protected, and WebDAV clients, which send no Origin, pass.
    assert browser.request("PROPFIND", "/dav/", headers={"Depth": "0"}).status_code == 207
    client = Dav(app, basic("admin", ADMIN_PASSWORD))
    assert client.request("PUT", "/dav/a.txt", data=b"x").status_code == 201
