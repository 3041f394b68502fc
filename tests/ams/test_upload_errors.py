"""POST /assets refused: the page's 400s, 401 without a good Bearer token, 413 for a body
over MAX_CONTENT_LENGTH; each a JSON {"message": ...}, and nothing stored."""
from __future__ import annotations

import pytest


from ..conftest import ADMIN_PASSWORD, basic
from .helpers import NO_FILE, ONE_AT_A_TIME, PREFIXES, blob_files, file_part, png


@pytest.fixture
def nothing_stored(repository, blob_root):
    """Asserts, after the test, that no node under /ams and no blob file exist."""
    yield
    assert repository.list_children(("ams",)).total == 0
    assert blob_files(blob_root) == set()


@pytest.mark.parametrize("prefix", PREFIXES)
def test_two_files_answer_400_one_at_a_time(ams, prefix, nothing_stored):
    response = ams.post_files({"Filename": file_part(png(), "a.png"),
                               "Other": file_part(png(), "b.png")}, prefix)
    assert response.status_code == 400
    assert response.get_json() == ONE_AT_A_TIME


def test_two_files_in_one_part_name_answer_400(ams, nothing_stored):
    response = ams.post_files({"Filename": [file_part(png(), "a.png"),
                                            file_part(png(), "b.png")]})
    assert response.status_code == 400
    assert response.get_json() == ONE_AT_A_TIME


@pytest.mark.parametrize("prefix", PREFIXES)
def test_no_file_answers_400_attach_a_file(ams, prefix, nothing_stored):
    response = ams.post_files({}, prefix)
    assert response.status_code == 400
    assert response.get_json() == NO_FILE


def test_a_text_field_is_no_file(ams, nothing_stored):
    response = ams.post_files({"Filename": "iqmetrix.jpg"})
    assert response.status_code == 400
    assert response.get_json() == NO_FILE


def test_an_empty_file_input_is_no_file(ams, nothing_stored):
    response = ams.post_files({"Filename": file_part(b"", "")})
    assert response.status_code == 400
    assert response.get_json() == NO_FILE


def test_a_json_body_is_no_file(client, token_auth, nothing_stored):
    response = client.post("/v1/assets", json={"name": "x.png"}, headers=token_auth)
    assert response.status_code == 400
    assert response.get_json() == NO_FILE


def test_a_body_over_max_content_length_answers_413_json(app, ams, nothing_stored):
    app.config["MAX_CONTENT_LENGTH"] = 1000
    response = ams.post_files({"Filename": file_part(b"x" * 5000, "big.bin")})
    assert response.status_code == 413
    message = response.get_json()["message"]
    assert "1000 bytes" in message


# -- authentication ----------------------------------------------------------------------

@pytest.mark.parametrize("prefix", PREFIXES)
def test_post_without_a_token_answers_401_with_a_bearer_challenge(ams, prefix, nothing_stored):
    response = ams.post_files({"Filename": file_part(png(), "a.png")}, prefix, auth={})
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert isinstance(response.get_json()["message"], str)


def test_post_with_a_bad_token_answers_401(ams, nothing_stored):
    response = ams.post_files({"Filename": file_part(png(), "a.png")},
                              auth={"Authorization": "Bearer not-a-real-token"})
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert 'error="invalid_token"' in response.headers["WWW-Authenticate"]
    assert response.get_json()["message"]


def test_post_with_basic_credentials_answers_401(ams, nothing_stored):
    """AMS takes Bearer tokens only, even a valid user's password is refused."""
    response = ams.post_files({"Filename": file_part(png(), "a.png")},
                              auth=basic("admin", ADMIN_PASSWORD))
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_credentials_are_checked_before_a_big_body_is_read(app, ams, nothing_stored):
    """Credentials are checked before the body is read."""
    app.config["MAX_CONTENT_LENGTH"] = 1000
    response = ams.post_files({"Filename": file_part(b"x" * 5000, "big.bin")}, auth={})
    assert response.status_code == 401


def test_a_part_content_type_that_is_no_media_type_is_400(client, token_auth, nothing_stored):
    body = (b"--b0undary\r\nContent-Disposition: form-data; name=\"Filename\"; "
            b"filename=\"a.txt\"\r\nContent-Type: " + "text/图".encode()
            + b"\r\n\r\nnot an image\r\n--b0undary--\r\n")
    response = client.post("/v1/assets", data=body, headers={
        **token_auth, "Content-Type": "multipart/form-data; boundary=b0undary"})
    assert response.status_code == 400
    assert "is not a media type" in response.get_json()["message"]
