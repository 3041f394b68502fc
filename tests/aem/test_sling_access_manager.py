"""Sling's access manager over HTTP on /content/dam: modifyAce, deleteAce, acl.json and
eacl.json, on SQLite and PostgreSQL (entries are stored and evaluated in the database)."""
from __future__ import annotations

import json

import pytest

from repository.access import ADD_CHILD_NODES, ALL, READ, WRITE, Entry, privilege_bits
from tests.postgres_server import postgres_server, postgres_url  # noqa: F401 (fixtures)

from .toolbox_helpers import bearer, entries, html_field, make_tree, system, user


@pytest.fixture(params=[pytest.param("sqlite", marks=pytest.mark.sqlite),
                        pytest.param("postgresql", marks=pytest.mark.postgresql)])
def app(request, make_app):
    app = make_app() if request.param == "sqlite" else \
        make_app(DATABASE_URL=request.getfixturevalue("postgres_url"))
    make_tree(app)
    user(app, "alice")
    system(app).principals.create_group("editors")
    return app


@pytest.fixture
def admin(app):
    return bearer(app, "admin")


@pytest.fixture
def alice(app):
    return bearer(app, "alice")


def modify(client, auth, path, principal, extension="json", **privileges):
    form = {"principalId": principal} if principal is not None else {}
    form.update({f"privilege@{name.replace('_', ':', 1)}": value
                 for name, value in privileges.items()})
    return client.post(f"/content/dam{path}.modifyAce.{extension}", data=form, headers=auth)


# -- modifyAce ------------------------------------------------------------------------------------

def test_modify_ace_grants_a_privilege_and_the_user_may_then_use_it(client, admin, alice):
    assert client.get("/api/assets/photos.json", headers=alice).status_code == 404
    response = modify(client, admin, "/photos", "alice", jcr_read="granted")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    body = response.get_json()
    assert body["status.code"] == 200 and body["status.message"] == "OK"
    assert body["path"] == body["location"] == "/content/dam/photos"
    assert body["parentLocation"] == "/content/dam"
    assert body["changes"] == [{"type": "modified", "argument": "alice"}]
    assert client.get("/api/assets/photos.json", headers=alice).status_code == 200
    assert client.get("/api/assets/photos/private/secret.jpg.json", headers=alice).status_code == 200


def test_modify_ace_html_answers_slings_page_with_its_element_ids(app, client, admin):
    response = modify(client, admin, "/photos", "editors", "html", jcr_write="granted")
    assert response.status_code == 200 and response.mimetype == "text/html"
    page = response.get_data(as_text=True)
    assert html_field(page, "Status") == "200"
    assert html_field(page, "Path") == "/content/dam/photos"
    assert html_field(page, "ParentLocation") == "/content/dam"
    assert 'modified("editors")' in html_field(page, "ChangeLog")
    assert entries(app, "/photos") == [("editors", WRITE, 0)]


def test_the_answers_shape_follows_accept_over_the_extension(client, admin):
    as_json = client.post("/content/dam/photos.modifyAce.html",
                          data={"principalId": "alice", ":accept": "application/json"},
                          headers=admin)
    assert as_json.mimetype == "application/json" and as_json.get_json()["status.code"] == 200
    as_html = client.post("/content/dam/photos.modifyAce.json", data={"principalId": "alice"},
                          headers={**admin, "Accept": "text/html"})
    assert as_html.mimetype == "text/html"
    wildcard = client.post("/content/dam/photos.modifyAce.json", data={"principalId": "alice"},
                           headers={**admin, "Accept": "*/*"})
    assert wildcard.mimetype == "application/json"


def test_parameters_may_come_in_the_query_string_as_sling_reads_them(app, client, admin):
    response = client.post("/content/dam/photos.modifyAce.json?principalId=alice"
                           "&privilege@jcr:read=granted", headers=admin)
    assert response.status_code == 200
    assert entries(app, "/photos") == [("alice", READ, 0)]


def test_modify_ace_denies_and_clears_per_privilege(app, client, admin):
    modify(client, admin, "/photos", "alice", jcr_all="granted")
    modify(client, admin, "/photos", "alice", jcr_removeNode="denied", jcr_addChildNodes="none")
    expected_allow = ALL & ~privilege_bits(["jcr:removeNode", "jcr:addChildNodes"])
    assert entries(app, "/photos") == [("alice", expected_allow, privilege_bits(["jcr:removeNode"]))]
    response = client.post("/content/dam/photos.modifyAce.json",
                           data={"principalId": "alice", "privilege@jcr:all@Delete": "all"},
                           headers=admin)
    assert response.status_code == 200
    assert entries(app, "/photos") == []


def test_an_aggregate_is_applied_before_the_privileges_it_contains(app, client, admin):
    response = modify(client, admin, "/photos", "alice", jcr_all="denied", jcr_read="granted")
    assert response.status_code == 200
    assert entries(app, "/photos") == [("alice", READ, ALL & ~READ)]


def test_an_empty_rep_glob_makes_a_node_only_entry_beside_the_inherited_one(
        app, client, admin, alice):
    response = client.post("/content/dam/photos.modifyAce.json", headers=admin, data={
        "principalId": "alice", "privilege@jcr:addChildNodes": "granted",
        "restriction@rep:glob": ""})
    assert response.status_code == 200
    modify(client, admin, "/photos", "alice", jcr_read="granted")
    assert system(app).access.entries(("photos",)) == [
        Entry("alice", READ), Entry("alice", ADD_CHILD_NODES, node_only=True)]
    folder = {"Content-Type": "application/json"}
    assert client.post("/api/assets/photos/new", data='{"class":"assetFolder"}',
                       headers={**alice, **folder}).status_code == 201
    assert client.post("/api/assets/photos/private/new", data='{"class":"assetFolder"}',
                       headers={**alice, **folder}).status_code == 403
    assert client.get("/content/dam/photos.acl.json", headers=admin).get_json() == {
        "alice": {"principal": "alice", "order": 0, "privileges": {
            "jcr:read": {"allow": True}, "jcr:addChildNodes": {"allow": {"rep:glob": ""}}}}}
    effective = client.get("/content/dam/photos/private.eacl.json", headers=admin).get_json()
    assert effective["alice"]["privileges"] == {"jcr:read": {"allow": True}}
    response = client.post("/content/dam/photos.deleteAce.json", data={":applyTo": "alice"},
                           headers=admin)
    assert response.status_code == 200 and entries(app, "/photos") == []


def test_allow_and_deny_are_slings_other_names_for_granted_and_denied(app, client, admin):
    modify(client, admin, "/photos", "alice", jcr_read="allow", jcr_write="Deny")
    assert entries(app, "/photos") == [("alice", READ, WRITE)]


def test_the_tree_root_is_content_dam_itself(app, client, admin, alice):
    response = modify(client, admin, "", "alice", jcr_read="granted")
    assert response.status_code == 200 and response.get_json()["path"] == "/content/dam"
    assert entries(app, "/") == [("alice", READ, 0)]
    assert client.get("/api/assets/photos/cat.jpg.json", headers=alice).status_code == 200


def test_a_name_with_dots_is_the_node_before_the_selectors(app, client, admin):
    response = modify(client, admin, "/photos/cat.jpg", "alice", jcr_read="granted")
    assert response.status_code == 200
    assert response.get_json()["path"] == "/content/dam/photos/cat.jpg"
    assert entries(app, "/photos/cat.jpg") == [("alice", READ, 0)]


def test_a_user_holding_modify_access_control_may_change_entries_there(app, client, admin, alice):
    modify(client, admin, "/photos", "alice", jcr_read="granted",
           jcr_readAccessControl="granted", jcr_modifyAccessControl="granted")
    assert modify(client, alice, "/photos/private", "editors", jcr_read="granted").status_code == 200
    assert entries(app, "/photos/private") == [("editors", READ, 0)]
    assert client.get("/content/dam/photos.acl.json", headers=alice).status_code == 200


# -- refusals of modifyAce -------------------------------------------------------------------------

def test_without_modify_access_control_a_reader_is_refused_403_and_nothing_changes(
        app, client, admin, alice):
    modify(client, admin, "/photos", "alice", jcr_read="granted", jcr_write="granted")
    response = modify(client, alice, "/photos", "alice", jcr_all="granted")
    assert response.status_code == 403
    body = response.get_json()
    assert body["status.code"] == 403 and "jcr:modifyAccessControl" in body["error"]["message"]
    assert body["error"]["class"] == "javax.jcr.AccessDeniedException"
    assert entries(app, "/photos") == [("alice", READ | WRITE, 0)]


def test_a_node_the_caller_cannot_read_answers_404_as_if_missing(app, client, alice):
    response = modify(client, alice, "/photos", "alice", jcr_all="granted")
    assert response.status_code == 404
    assert entries(app, "/photos") == []
    assert client.get("/content/dam/photos.acl.json", headers=alice).status_code == 404
    assert client.get("/content/dam/photos.eacl.json", headers=alice).status_code == 404


def test_reading_entries_without_read_access_control_is_a_404_as_in_sling(client, admin, alice):
    modify(client, admin, "/photos", "alice", jcr_read="granted")
    assert client.get("/api/assets/photos.json", headers=alice).status_code == 200
    response = client.get("/content/dam/photos.acl.json", headers=alice)
    assert response.status_code == 404
    assert "jcr:readAccessControl" in response.get_json()["error"]["message"]


@pytest.mark.parametrize("form, message", [
    ({"privilege@jcr:read": "granted"}, "principalId was not submitted"),
    ({"principalId": "", "privilege@jcr:read": "granted"}, "principalId was not submitted"),
    ({"principalId": "nobody", "privilege@jcr:read": "granted"}, "no user or group named nobody"),
    ({"principalId": "alice", "privilege@jcr:fly": "granted"}, "unknown privilege 'jcr:fly'"),
    ({"principalId": "alice", "privilege@jcr:lockManagement": "granted"}, "unknown privilege"),
    ({"principalId": "alice", "privilege@jcr:read": "maybe"}, "granted, denied or none"),
    ({"principalId": "alice", "privilege@jcr:read": ["granted", "denied"]}, "both granted and denied"),
    ({"principalId": "alice", "privilege@jcr:read@Delete": "allow"}, "takes 'all'"),
    ({"principalId": "alice", "privilege@jcr:read": "granted", "restriction@rep:glob": "*.jpg"},
     "the only restriction supported is rep:glob with an empty value"),
    ({"principalId": "alice", "privilege@jcr:read": "granted", "restriction@rep:ntNames": "x"},
     "the only restriction supported"),
])
def test_bad_input_to_modify_ace_is_a_400_saying_what_to_fix_and_changes_nothing(
        app, client, admin, form, message):
    modify(client, admin, "/photos", "editors", jcr_read="granted")
    response = client.post("/content/dam/photos.modifyAce.json", data=form, headers=admin)
    assert response.status_code == 400
    body = response.get_json()
    assert body["status.code"] == 400 and message in body["error"]["message"]
    assert body["changes"] == []
    assert entries(app, "/photos") == [("editors", READ, 0)]


def test_an_unknown_privilege_names_slings_access_control_exception(client, admin):
    response = modify(client, admin, "/photos", "alice", jcr_fly="granted")
    assert response.get_json()["error"]["class"] == "javax.jcr.security.AccessControlException"


def test_a_missing_node_is_a_404(client, admin):
    response = modify(client, admin, "/nowhere", "alice", jcr_read="granted")
    assert response.status_code == 404
    assert "nowhere" in response.get_json()["error"]["message"]
    assert client.get("/content/dam/nowhere.acl.json", headers=admin).status_code == 404
    assert client.post("/content/dam/nowhere.deleteAce.json", data={":applyTo": "alice"},
                       headers=admin).status_code == 404


def test_a_post_with_an_unknown_selector_is_a_400_naming_it_and_creates_nothing(app, client, admin):
    response = client.post("/content/dam/photos.frobnicate.json", data={"principalId": "alice"},
                           headers=admin)
    assert response.status_code == 400
    assert ".frobnicate.json" in response.get_json()["error"]["message"]
    assert client.post("/content/dam/photos", headers=admin).status_code == 400
    assert [n.name for n in system(app).list_children(("photos",)).nodes] == ["cat.jpg", "private"]


def test_a_get_of_something_not_served_is_a_404(client, admin):
    assert client.get("/content/dam/photos.json", headers=admin).status_code == 404
    assert client.get("/content/dam/photos.acl.html", headers=admin).status_code == 404
    assert client.get("/content/damage.acl.json", headers=admin).status_code == 404


def test_an_unsupported_method_is_a_405_in_slings_shape(client, admin):
    response = client.put("/content/dam/photos.modifyAce.json", headers=admin)
    assert response.status_code == 405
    assert response.get_json()["status.code"] == 405


# -- who may call ---------------------------------------------------------------------------------

def test_without_credentials_it_is_a_401_with_a_challenge(app, client):
    response = client.post("/content/dam/photos.modifyAce.json",
                           data={"principalId": "alice", "privilege@jcr:read": "granted"})
    assert response.status_code == 401
    assert "Basic" in response.headers["WWW-Authenticate"]
    assert response.get_json()["status.code"] == 401
    assert client.get("/content/dam/photos.acl.json").status_code == 401
    assert entries(app, "/photos") == []


def test_an_admins_read_scoped_token_cannot_change_or_read_entries(app, client):
    reader = bearer(app, "admin", "assets.read")
    assert modify(client, reader, "/photos", "alice", jcr_read="granted").status_code == 403
    assert client.get("/content/dam/photos.acl.json", headers=reader).status_code == 404
    assert entries(app, "/photos") == []


@pytest.mark.parametrize("scopes, tenant", [(("media.asset_manage",), "t1"), (("projects.manage",), None)])
def test_a_token_of_another_api_is_refused_403(app, client, scopes, tenant):
    other = bearer(app, "admin", *scopes, tenant=tenant)
    assert modify(client, other, "/photos", "alice", jcr_read="granted").status_code == 403
    assert entries(app, "/photos") == []


# -- deleteAce ------------------------------------------------------------------------------------

def test_delete_ace_removes_the_entries_of_every_principal_applied_to(app, client, admin):
    modify(client, admin, "/photos", "alice", jcr_read="granted")
    modify(client, admin, "/photos", "editors", jcr_write="granted")
    response = client.post("/content/dam/photos.deleteAce.json",
                           data={":applyTo": ["alice", "editors"]}, headers=admin)
    assert response.status_code == 200
    assert response.get_json()["changes"] == [{"type": "deleted", "argument": "alice"},
                                             {"type": "deleted", "argument": "editors"}]
    assert entries(app, "/photos") == []


def test_delete_ace_of_a_principal_without_an_entry_changes_nothing(app, client, admin):
    modify(client, admin, "/photos", "alice", jcr_read="granted")
    response = client.post("/content/dam/photos.deleteAce.html", data={":applyTo": "editors"},
                           headers=admin)
    assert response.status_code == 200 and html_field(response.get_data(as_text=True),
                                                      "Status") == "200"
    assert entries(app, "/photos") == [("alice", READ, 0)]


@pytest.mark.parametrize("form, message", [
    ({}, "principalIds were not submitted"),
    ({":applyTo": ["alice", "nobody"]}, "no user or group named nobody"),
])
def test_bad_input_to_delete_ace_is_a_400_and_changes_nothing(app, client, admin, form, message):
    modify(client, admin, "/photos", "alice", jcr_read="granted")
    response = client.post("/content/dam/photos.deleteAce.json", data=form, headers=admin)
    assert response.status_code == 400 and message in response.get_json()["error"]["message"]
    assert entries(app, "/photos") == [("alice", READ, 0)]


def test_delete_ace_needs_modify_access_control(app, client, admin, alice):
    modify(client, admin, "/photos", "alice", jcr_read="granted", jcr_readAccessControl="granted")
    response = client.post("/content/dam/photos.deleteAce.json", data={":applyTo": "alice"},
                           headers=alice)
    assert response.status_code == 403
    assert entries(app, "/photos") == [("alice", READ | privilege_bits(["jcr:readAccessControl"]), 0)]


# -- acl.json and eacl.json -------------------------------------------------------------------------

def test_acl_json_lists_the_entries_set_on_the_node_in_slings_fields(client, admin):
    modify(client, admin, "/photos", "editors", jcr_all="granted")
    modify(client, admin, "/photos", "alice", jcr_read="granted", jcr_write="granted",
           jcr_readAccessControl="denied")
    modify(client, admin, "/photos/private", "alice", jcr_read="denied")
    response = client.get("/content/dam/photos.acl.json", headers=admin)
    assert response.status_code == 200 and response.mimetype == "application/json"
    assert response.get_json() == {
        "alice": {"principal": "alice", "order": 0,
                  "privileges": {"jcr:read": {"allow": True}, "jcr:write": {"allow": True},
                                 "jcr:readAccessControl": {"deny": True}}},
        "editors": {"principal": "editors", "order": 1,
                    "privileges": {"jcr:all": {"allow": True}}},
    }
    assert client.get("/content/dam/photos/cat.jpg.acl.json", headers=admin).get_json() == {}


def test_eacl_json_shows_the_entries_in_effect_and_where_they_are_declared(client, admin):
    modify(client, admin, "", "editors", jcr_read="granted")
    modify(client, admin, "/photos", "alice", jcr_read="granted", jcr_write="granted")
    modify(client, admin, "/photos/private", "alice", jcr_write="denied")
    response = client.get("/content/dam/photos/private/secret.jpg.eacl.json", headers=admin)
    assert response.status_code == 200
    assert response.get_json() == {
        "alice": {"principal": "alice", "order": 0,
                  "privileges": {"jcr:read": {"allow": True}, "jcr:write": {"deny": True}},
                  "declaredAt": {"node": ["/content/dam/photos/private", "/content/dam/photos"]}},
        "editors": {"principal": "editors", "order": 1,
                    "privileges": {"jcr:read": {"allow": True}},
                    "declaredAt": {"node": "/content/dam"}},
    }


def test_the_tidy_selector_indents_the_json(client, admin):
    modify(client, admin, "/photos", "alice", jcr_read="granted")
    tidy = client.get("/content/dam/photos.tidy.acl.json", headers=admin)
    plain = client.get("/content/dam/photos.acl.json", headers=admin)
    assert tidy.status_code == 200 and "\n  " in tidy.get_data(as_text=True)
    assert "\n" not in plain.get_data(as_text=True)
    assert json.loads(tidy.get_data()) == plain.get_json()
    assert client.get("/content/dam/photos.tidy.eacl.json", headers=admin).status_code == 200
