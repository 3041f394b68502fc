"""Granite's users and groups over HTTP: creating them, the /home tree in JSON, and
<authorizable>.rw.html, for administrators only."""
from __future__ import annotations

import base64
import json

import pytest

from repository.accounts import Accounts

from .toolbox_helpers import bearer, html_field, make_tree, system, user

CREATE = "/libs/granite/security/post/authorizables"
ADMIN_UUID = "21232f29-7a57-35a7-8389-4a0e4a801fc3"  # what AEM shows for admin


@pytest.fixture
def admin(app):
    return bearer(app, "admin")


def create_user(client, auth, name, password="s3cret", **profile):
    form = {"createUser": "", "authorizableId": name, "rep:password": password}
    form.update({f"profile/{key}": value for key, value in profile.items()})
    return client.post(CREATE, data=form, headers=auth)


def create_group(client, auth, name):
    return client.post(CREATE, data={"createGroup": name, "authorizableId": name}, headers=auth)


def basic(name, password):
    return {"Authorization": "Basic " + base64.b64encode(f"{name}:{password}".encode()).decode()}


def accounts(app):
    return Accounts(system(app))


def user_names(app):
    return [u.name for u in accounts(app).list_users()]


def group_names(app):
    return [g.name for g in system(app).principals.list_groups()]


# -- creating -------------------------------------------------------------------------------------

def test_create_user_answers_201_with_the_authorizable_path_and_the_user_logs_in(app, client, admin):
    response = create_user(client, admin, "jdoe", email="jdoe@example.com", givenName="John")
    assert response.status_code == 201
    assert response.headers["Location"] == "/home/users/j/jdoe"
    page = response.get_data(as_text=True)
    assert html_field(page, "Path") == "/home/users/j/jdoe"
    assert html_field(page, "Status") == "201" and html_field(page, "Message") == "Created"
    info = accounts(app).get_user("jdoe")
    assert (info.email, info.profile) == ("jdoe@example.com", {"givenName": "John"})
    # Authenticated (a user with no rights sees no root: 404), where a bad password is a 401.
    assert client.get("/api/assets.json", headers=basic("jdoe", "s3cret")).status_code == 404
    assert client.get("/api/assets.json", headers=basic("jdoe", "wrong")).status_code == 401


def test_create_group_answers_201_with_its_path(app, client, admin):
    response = create_group(client, admin, "editors")
    assert response.status_code == 201
    assert html_field(response.get_data(as_text=True), "Path") == "/home/groups/e/editors"
    assert "editors" in group_names(app)


def test_the_json_variant_answers_slings_json(client, admin):
    response = client.post(CREATE + ".json", data={"createGroup": "", "authorizableId": "team"},
                           headers=admin)
    assert response.status_code == 201 and response.mimetype == "application/json"
    body = response.get_json()
    assert body["status.code"] == 201 and body["isCreate"] is True
    assert body["path"] == "/home/groups/t/team" and body["title"] == "Content created /home/groups/t/team"


def test_a_taken_name_is_a_409_whether_user_or_group(app, client, admin):
    create_user(client, admin, "jdoe")
    for response in (create_user(client, admin, "jdoe"), create_group(client, admin, "jdoe"),
                     create_group(client, admin, "administrators"),
                     create_user(client, admin, "everyone")):
        assert response.status_code == 409
        message = html_field(response.get_data(as_text=True), "Message")
        assert "already exists" in message or "built-in" in message
    response = client.post(CREATE + ".json", data={"createUser": "", "authorizableId": "jdoe",
                                                    "rep:password": "x"}, headers=admin)
    assert response.get_json()["error"]["class"].endswith("AuthorizableExistsException")


@pytest.mark.parametrize("form, message", [
    ({"authorizableId": "x", "rep:password": "pw"}, "createUser"),
    ({"createUser": "", "createGroup": "", "authorizableId": "x"}, "one of them"),
    ({"createUser": "", "rep:password": "pw"}, "authorizableId is missing"),
    ({"createUser": "", "authorizableId": "x"}, "rep:password is missing"),
    ({"createUser": "", "authorizableId": "x", "rep:password": ""}, "rep:password is missing"),
    ({"createUser": "", "authorizableId": "x", "rep:password": "pw", "color": "red"}, "color"),
    ({"createGroup": "", "authorizableId": "x", "profile/givenName": "X"}, "profile/givenName"),
    ({"createUser": "", "authorizableId": "a/b", "rep:password": "pw"}, "without '/'"),
    ({"createUser": "", "authorizableId": "x", "rep:password": "pw", "profile/age": "old",
      "profile/age@TypeHint": "Long"}, "is not a int value"),
    ({"createUser": "", "authorizableId": "x", "rep:password": "pw", "profile/a": "1",
      "profile/a@TypeHint": "Date"}, "TypeHint"),
])
def test_bad_input_to_create_is_a_400_and_creates_no_one(app, client, admin, form, message):
    response = client.post(CREATE + ".json", data=form, headers=admin)
    assert response.status_code == 400
    assert message in response.get_json()["error"]["message"]
    assert user_names(app) == ["admin"] and group_names(app) == ["administrators"]


# -- the /home tree --------------------------------------------------------------------------------

def test_users_2_json_has_folders_by_first_character_then_users_as_aem_lists_them(app, client, admin):
    create_user(client, admin, "jdoe", email="jdoe@example.com")
    create_user(client, admin, "jane")
    response = client.get("/home/users.2.json", headers=admin)
    assert response.status_code == 200
    tree = response.get_json()
    assert tree["jcr:primaryType"] == "rep:AuthorizableFolder"
    assert sorted(k for k in tree if not k.startswith("jcr:")) == ["a", "j"]
    assert sorted(k for k in tree["j"] if not k.startswith("jcr:")) == ["jane", "jdoe"]
    jdoe = tree["j"]["jdoe"]
    assert jdoe["jcr:primaryType"] == "rep:User"
    assert jdoe["rep:authorizableId"] == jdoe["rep:principalName"] == "jdoe"
    assert "profile" not in jdoe  # a third level
    assert tree["a"]["admin"]["jcr:uuid"] == ADMIN_UUID
    assert "password" not in response.get_data(as_text=True)


def test_groups_2_json_lists_groups_with_their_members_jcr_uuids(app, client, admin):
    create_user(client, admin, "jdoe")
    create_group(client, admin, "editors")
    client.post("/home/groups/e/editors.rw.html", data={"addMembers": "jdoe"}, headers=admin)
    tree = client.get("/home/groups.2.json", headers=admin).get_json()
    users = client.get("/home/users.2.json", headers=admin).get_json()
    editors = tree["e"]["editors"]
    assert editors["jcr:primaryType"] == "rep:Group"
    assert editors["rep:members"] == [users["j"]["jdoe"]["jcr:uuid"]]
    assert tree["e"]["everyone"]["rep:principalName"] == "everyone"
    assert "rep:members" not in tree["a"]["administrators"]


def test_depth_selectors_choose_how_many_levels_of_children_show(client, admin):
    create_user(client, admin, "jdoe", givenName="John")
    assert client.get("/home.json", headers=admin).get_json() == \
        {"jcr:primaryType": "rep:AuthorizableFolder"}
    assert client.get("/home/users/j/jdoe.json", headers=admin).get_json().get("profile") is None
    one = client.get("/home/users/j/jdoe.1.json", headers=admin).get_json()
    assert one["profile"] == {"jcr:primaryType": "nt:unstructured", "givenName": "John"}
    everything = client.get("/home.infinity.json", headers=admin).get_json()
    assert everything["users"]["j"]["jdoe"]["profile"]["givenName"] == "John"
    tidy = client.get("/home/users/j/jdoe/profile.tidy.json", headers=admin)
    assert "\n  " in tidy.get_data(as_text=True) and tidy.get_json()["givenName"] == "John"


@pytest.mark.parametrize("url, status", [
    ("/home/users/j/nobody.json", 404),
    ("/home/users/x/jdoe.json", 404),
    ("/home/users/j/jdoe.html", 404),
    ("/home/users/j/jdoe.deep.json", 400),
    ("/home/users.-1.json", 400),
])
def test_a_missing_authorizable_or_a_bad_selector_is_a_4xx(client, admin, url, status):
    create_user(client, admin, "jdoe")
    response = client.get(url, headers=admin)
    assert response.status_code == status
    if url.endswith(".html"):
        assert html_field(response.get_data(as_text=True), "Status") == str(status)
    else:
        assert response.get_json()["status.code"] == status


def test_a_name_with_dots_is_addressed_before_its_selectors(app, client, admin):
    create_user(client, admin, "john.doe")
    create_user(client, admin, "john.doe.1")
    assert client.get("/home/users/j/john.doe.json", headers=admin).get_json()[
        "rep:authorizableId"] == "john.doe"
    assert client.get("/home/users/j/john.doe.1.json", headers=admin).get_json()[
        "rep:authorizableId"] == "john.doe.1"
    response = client.post("/home/users/j/john.doe.rw.html", data={"profile/city": "Oslo"},
                           headers=admin)
    assert response.status_code == 200
    assert accounts(app).get_user("john.doe").profile == {"city": "Oslo"}


# -- changing authorizables --------------------------------------------------------------------------

def test_add_members_makes_the_member_act_with_the_groups_rights(app, client, admin):
    make_tree(app)
    create_user(client, admin, "jdoe")
    create_group(client, admin, "editors")
    client.post("/content/dam/photos.modifyAce.json",
                data={"principalId": "editors", "privilege@jcr:read": "granted"}, headers=admin)
    jdoe = bearer(app, "jdoe")
    assert client.get("/api/assets/photos.json", headers=jdoe).status_code == 404
    response = client.post("/home/groups/e/editors.rw.html", data={"addMembers": "jdoe"},
                           headers=admin)
    assert response.status_code == 200
    assert html_field(response.get_data(as_text=True), "Path") == "/home/groups/e/editors"
    assert client.get("/api/assets/photos.json", headers=jdoe).status_code == 200
    response = client.post("/home/groups/e/editors.rw.html", data={"removeMembers": "jdoe"},
                           headers=admin)
    assert response.status_code == 200
    assert client.get("/api/assets/photos.json", headers=jdoe).status_code == 404


def test_add_members_takes_several_members_and_groups(app, client, admin):
    for name in ("ann", "bob"):
        create_user(client, admin, name)
    create_group(client, admin, "editors")
    create_group(client, admin, "staff")
    response = client.post("/home/groups/s/staff.rw.html",
                           data={"addMembers": ["ann", "bob,editors"]}, headers=admin)
    assert response.status_code == 200
    assert system(app).principals.members_of("staff") == ["ann", "bob", "editors"]


@pytest.mark.parametrize("url, form, message", [
    ("/home/groups/e/editors.rw.html", {"addMembers": ["jdoe", "nobody"]}, "nobody"),
    ("/home/groups/e/editors.rw.html", {"removeMembers": "jdoe"}, "not a member"),
    ("/home/groups/e/editors.rw.html", {"addMembers": "editors"}, "cannot be a member"),
    ("/home/groups/e/editors.rw.html", {}, "addMembers or removeMembers"),
    ("/home/groups/e/editors.rw.html", {"profile/givenName": "E"}, "profile/givenName"),
    ("/home/groups/e/everyone.rw.html", {"addMembers": "jdoe"}, "everyone"),
    ("/home/users/j/jdoe.rw.html", {"addMembers": "ann"}, "addMembers"),
    ("/home/users/j/jdoe.rw.html", {}, "profile/<name>"),
    ("/home/users/j/jdoe.rw.html", {"profile/age": "x", "profile/age@TypeHint": "Long"}, "age"),
    ("/home/users/j/jdoe.rw.html", {"profile/a@Patch": "true"}, "@Patch"),
    ("/home/users/j/jdoe.rw.html", {"profile/a@TypeHint": "Long"}, "names no property"),
    ("/home/users/j/jdoe.rw.html", {"rep:password": ""}, "rep:password is empty"),
    ("/home/users/j/jdoe.frob.html", {"profile/a": "1"}, ".frob.html"),
    ("/home/users/j.rw.html", {"profile/a": "1"}, "folder"),
])
def test_bad_input_to_rw_html_is_a_400_and_changes_nothing(app, client, admin, url, form, message):
    create_user(client, admin, "jdoe", givenName="John")
    create_group(client, admin, "editors")
    response = client.post(url, data=form, headers={**admin, "Accept": "application/json"})
    assert response.status_code == 400
    assert message in response.get_json()["error"]["message"]
    assert system(app).principals.members_of("editors") == []
    assert accounts(app).get_user("jdoe").profile == {"givenName": "John"}


def test_rw_html_on_a_user_sets_typed_profile_properties_as_slings_post_does(app, client, admin):
    create_user(client, admin, "jdoe", givenName="John", city="Oslo")
    response = client.post("/home/users/j/jdoe.rw.html", data={
        "profile/age": "29", "profile/age@TypeHint": "Long",
        "profile/vip": "true", "profile/vip@TypeHint": "Boolean",
        "profile/tags": ["a", "b"],
        "profile/scores": "1.5", "profile/scores@TypeHint": "Double[]",
        "profile/givenName@Delete": "", "profile/city": "",
        "profile/email": "jdoe@example.com",
    }, headers=admin)
    assert response.status_code == 200
    info = accounts(app).get_user("jdoe")
    assert info.profile == {"age": 29, "vip": True, "tags": ["a", "b"], "scores": [1.5]}
    assert info.email == "jdoe@example.com"
    profile = client.get("/home/users/j/jdoe/profile.json", headers=admin).get_json()
    assert profile["age"] == 29 and profile["email"] == "jdoe@example.com"


def test_rw_html_sets_a_users_password(client, admin):
    create_user(client, admin, "jdoe", password="old-one")
    response = client.post("/home/users/j/jdoe.rw.html", data={"rep:password": "new-one"},
                           headers=admin)
    assert response.status_code == 200
    assert client.get("/api/assets.json", headers=basic("jdoe", "old-one")).status_code == 401
    assert client.get("/api/assets.json", headers=basic("jdoe", "new-one")).status_code == 404


def test_delete_authorizable_deletes_the_user_and_its_tokens(app, client, admin):
    create_user(client, admin, "jdoe")
    jdoe = bearer(app, "jdoe")
    response = client.post("/home/users/j/jdoe", data={"deleteAuthorizable": ""}, headers=admin)
    assert response.status_code == 200
    assert user_names(app) == ["admin"]
    assert client.get("/api/assets.json", headers=jdoe).status_code == 401
    create_group(client, admin, "editors")
    assert client.post("/home/groups/e/editors.rw.html", data={"deleteAuthorizable": ""},
                       headers=admin).status_code == 200
    assert group_names(app) == ["administrators"]
    assert client.post("/home/users/a/admin", data={"deleteAuthorizable": ""},
                       headers=admin).status_code == 400
    assert user_names(app) == ["admin"]


# -- who may call ------------------------------------------------------------------------------------

def test_a_user_who_is_not_an_administrator_is_refused_403_everywhere(app, client, admin):
    create_group(client, admin, "editors")
    user(app, "alice")
    alice = bearer(app, "alice")
    assert create_user(client, alice, "mallory").status_code == 403
    assert create_group(client, alice, "gang").status_code == 403
    assert client.get("/home/users.2.json", headers=alice).status_code == 403
    assert client.get("/home/groups.2.json", headers=alice).status_code == 403
    response = client.post("/home/groups/e/editors.rw.html", data={"addMembers": "alice"},
                           headers=alice)
    assert response.status_code == 403
    assert "administrators" in html_field(response.get_data(as_text=True), "Message")
    assert user_names(app) == ["admin", "alice"]
    assert system(app).principals.members_of("editors") == []


def test_a_member_of_administrators_manages_users(app, client):
    user(app, "root", groups=("administrators",))
    assert create_user(client, bearer(app, "root"), "jdoe").status_code == 201


def test_an_admins_scoped_token_manages_no_one(app, client):
    scoped = bearer(app, "admin", "assets.write")
    assert create_user(client, scoped, "mallory").status_code == 403
    assert client.get("/home/users.2.json", headers=scoped).status_code == 403
    assert user_names(app) == ["admin"]


def test_without_credentials_it_is_a_401(app, client):
    response = client.post(CREATE, data={"createGroup": "", "authorizableId": "g"})
    assert response.status_code == 401 and "WWW-Authenticate" in response.headers
    assert client.get("/home/users.2.json").status_code == 401
    assert group_names(app) == ["administrators"]


def test_a_401_for_json_answers_in_slings_json(client):
    body = json.loads(client.get("/home/users.2.json").get_data())
    assert body["status.code"] == 401 and body["error"]["class"] == "javax.jcr.LoginException"


def test_too_many_failed_logins_answer_429_with_retry_after_in_slings_shape(make_app):
    client = make_app("strict", LOGIN_MAX_FAILURES_PER_ADDRESS=2,
                      LOGIN_MAX_FAILURES_PER_USER=2).test_client()
    for _ in range(2):
        assert client.get("/home/users.2.json", headers=basic("admin", "wrong")).status_code == 401
    response = client.get("/home/users.2.json", headers=basic("admin", "wrong"))
    assert response.status_code == 429 and int(response.headers["Retry-After"]) > 0
    assert response.get_json()["status.code"] == 429
