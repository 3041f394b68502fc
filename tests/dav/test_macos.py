"""macOS Finder's metadata files: ignored (accepted, not stored) or stored, as set."""
from __future__ import annotations

from .conftest import Dav
from .test_locks import lock, token_of


def test_ignored_metadata_is_accepted_and_not_stored(dav):
    dav.make("f/")
    for name in ["._photo.jpg", ".DS_Store"]:
        assert dav.request("PUT", f"/dav/f/{name}", data=b"finder data").status_code == 201
        assert not dav.repository.exists(("f", name))
        assert dav.request("GET", f"/dav/f/{name}").status_code == 404
        assert dav.request("DELETE", f"/dav/f/{name}").status_code == 404


def test_finder_may_lock_write_and_unlock_ignored_metadata(dav):
    dav.make("f/")
    response = lock(dav, "/dav/f/._photo.jpg", depth="0")
    assert response.status_code == 201
    token = token_of(response)
    put = dav.request("PUT", "/dav/f/._photo.jpg", data=b"x", headers={"If": f"(<{token}>)"})
    assert put.status_code == 204
    assert dav.request("UNLOCK", "/dav/f/._photo.jpg",
                       headers={"Lock-Token": f"<{token}>"}).status_code == 204
    assert not dav.repository.exists(("f", "._photo.jpg"))
    assert dav.request("PROPFIND", "/dav/f/._photo.jpg", headers={"Depth": "0"}).status_code == 404


def test_ignored_metadata_is_not_listed_even_when_stored_by_another_api(dav):
    dav.make("f/", "f/._a.jpg", "f/a.jpg")
    assert dav.names("/dav/f/") == ["/dav/f/a.jpg"]


def test_a_user_who_may_not_write_the_folder_cannot_write_ignored_metadata(dav, dav_for):
    dav.make("f/")
    reader = dav_for("admin", scopes=["assets.read"])
    assert reader.request("PUT", "/dav/f/._a.jpg", data=b"x").status_code == 403


def test_stored_metadata_is_a_file_like_any_other(make_app, token_auth):
    dav = Dav(make_app(DAV_MACOS_METADATA="store"), token_auth)
    dav.make("f/")
    assert dav.request("PUT", "/dav/f/._photo.jpg", data=b"finder data").status_code == 201
    assert dav.request("GET", "/dav/f/._photo.jpg").get_data() == b"finder data"
    assert dav.names("/dav/f/") == ["/dav/f/._photo.jpg"]


def test_a_bad_setting_stops_the_app_with_a_message(make_app):
    import pytest

    with pytest.raises(ValueError, match="DAV_MACOS_METADATA"):
        make_app(DAV_MACOS_METADATA="hide")
