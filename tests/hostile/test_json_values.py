"""Strings and numbers no database can keep are refused with 400 at every write path of
every API, and what was stored stays as it was (its listings keep answering).

An unpaired surrogate (``"\\ud800"``) stored on SQLite made the node and its whole folder
listing answer 500; NUL (``"\\u0000"``) did the same on PostgreSQL. ``NaN``, ``Infinity``,
``1e999`` and JSON nested without end were 500s too."""
from __future__ import annotations

import io
import json

import pytest

from repository import ASSET, InvalidValue
from tests.aem.helpers import json_url, url
from tests.emporix.helpers import TENANT, blob_form, create_blob, create_link, error_body

#: JSON string literals (escapes as a client sends them) that no backend can store.
BAD_STRINGS = [r'"\ud800"', r'"a\udfffb"', r'"\u0000"', r'"x\u0000y"']
#: JSON texts of numbers that are no finite number.
BAD_NUMBERS = ["NaN", "Infinity", "-Infinity", "1e999", "-1e999", "1" + "0" * 30]
DEEP = "[" * 100 + "]" * 100
ABYSS = "[" * 100_000 + "]" * 100_000
#: Whatever makes a JSON value unacceptable, placed where a value goes.
BAD_VALUES = BAD_STRINGS + BAD_NUMBERS + [DEEP, ABYSS]
#: The same as Python text, for form fields and query strings (which cannot carry a
#: surrogate: Werkzeug decodes them with replacement characters).
NUL_TEXTS = ["\x00", "before\x00after"]


def placements(bad: str) -> list[str]:
    """JSON objects holding ``bad`` as a value, nested, and (strings only) as a key."""
    objects = [f'{{"dc:title": {bad}}}', f'{{"x": [{{"y": {bad}}}]}}']
    if bad.startswith('"'):
        objects.append(f'{{{bad}: "value"}}')
    return objects


# -- AEM -------------------------------------------------------------------------------------

@pytest.fixture
def tree(aem):
    aem.make_folder("f", title="Folder")
    aem.make_asset("f/a.png", b"bytes", "image/png")
    return aem


def unchanged(api, action):
    """Run ``action``; the tree (every node, every listing) must answer as before."""
    before = api.snapshot()
    action()
    assert api.snapshot() == before


def refused(response, *words: str) -> None:
    assert response.status_code == 400, response.get_data(as_text=True)
    text = response.get_data(as_text=True)
    for word in words:
        assert word in text, text


@pytest.mark.parametrize("bad", BAD_VALUES)
def test_aem_json_metadata_and_folders_refuse_values_no_backend_can_store(tree, bad):
    def run():
        for properties in placements(bad):
            siren = f'{{"class": "asset", "properties": {{"metadata": {properties}}}}}'
            refused(tree.put(url("f/a.png"), data=siren, content_type="application/json"))
            folder = f'{{"class": "assetFolder", "properties": {properties}}}'
            refused(tree.put(url("f"), data=folder, content_type="application/json"))
            refused(tree.post(url("f/new"), data=folder, content_type="application/json"))
    unchanged(tree, run)


@pytest.mark.parametrize("bad", BAD_STRINGS)
def test_aem_comments_refuse_annotation_data_no_backend_can_store(tree, bad):
    def run():
        annotation = f'{{"note": {bad}}}'
        refused(tree.post(url("f/a.png") + "/comments/*",
                          data={"message": "hello", "annotationData": annotation}),
                "annotationData")
        refused(tree.post(url("f/a.png") + "/comments/*", content_type="application/json",
                          data=f'{{"message": {bad}}}'))
    unchanged(tree, run)


@pytest.mark.parametrize("text", NUL_TEXTS)
def test_aem_form_fields_and_query_parameters_refuse_nul(tree, text):
    def run():
        refused(tree.post(url("f/*"), data={"name": "new", "title": text}), "NUL")
        refused(tree.post(url("f/*"), data={"name": "new.png", "title": text,
                                            "file": (io.BytesIO(b"png"), "new.png")}), "NUL")
        refused(tree.post(url("f/raw.png"), query_string={"title": text}, data=b"png",
                          content_type="image/png"), "NUL")
        refused(tree.post(url("f/json"), query_string={"title": text},
                          json={"class": "assetFolder"}), "NUL")
    unchanged(tree, run)


def test_aem_refusal_says_what_and_where(tree):
    response = tree.put(url("f/a.png"), content_type="application/json",
                        data=r'{"class": "asset", "properties": {"metadata": {"t": "\ud800"}}}')
    refused(response, "surrogate")
    response = tree.put(url("f/a.png"), content_type="application/json",
                        data='{"class": "asset", "properties": {"n": NaN}}')
    refused(response, "NaN")
    response = tree.put(url("f/a.png"), content_type="application/json",
                        data='{"class": "asset", "properties": {"n": ' + DEEP + "}}")
    refused(response, "deep")


def test_aem_values_within_the_limits_are_kept(tree):
    """The limits refuse only what cannot be kept: plain Unicode beyond the BMP, big but
    finite numbers and moderate nesting still round-trip."""
    metadata = {"emoji": "\U0001f600 ok", "big": 9007199254740993, "small": -1e300,
                "nested": [[[[{"a": [1, 2.5, None, True]}]]]]}
    response = tree.put(url("f/a.png"), json={"class": "asset",
                                              "properties": {"metadata": metadata}})
    assert response.status_code == 200, response.get_data(as_text=True)
    shown = tree.entity("f/a.png")["properties"]["metadata"]
    assert {key: shown[key] for key in metadata} == metadata


# -- Emporix ---------------------------------------------------------------------------------

def listing(client, headers) -> list[dict]:
    response = client.get(f"/media/{TENANT}/assets", headers=headers)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()


@pytest.mark.parametrize("bad", BAD_VALUES)
def test_emporix_refuses_values_no_backend_can_store(client, emporix, bad):
    link = create_link(client, emporix)
    blob = create_blob(client, emporix)
    before = listing(client, emporix)
    for mixins in placements(bad):
        link_body = ('{"type": "LINK", "access": "PUBLIC", "url": "https://example.com/x", '
                     f'"mixins": {mixins}}}')
        response = client.post(f"/media/{TENANT}/assets", headers=emporix, data=link_body,
                               content_type="application/json")
        assert response.status_code == 400, response.get_data(as_text=True)
        assert error_body(response)["status"] == "Bad request"
        update = link_body[:-1] + ', "metadata": {"version": 1}}'
        response = client.put(f"/media/{TENANT}/assets/{link}", headers=emporix, data=update,
                               content_type="application/json")
        assert response.status_code == 400, response.get_data(as_text=True)
        blob_body = f'{{"type": "BLOB", "access": "PRIVATE", "mixins": {mixins}}}'
        form = {"file": (io.BytesIO(b"hello"), "hello.txt", "text/plain"), "body": blob_body}
        response = client.post(f"/media/{TENANT}/assets", headers=emporix, data=form)
        assert response.status_code == 400, response.get_data(as_text=True)
        form = {"file": (io.BytesIO(b"hello"), "hello.txt", "text/plain"),
                "body": blob_body[:-1] + ', "metadata": {"version": 1}}'}
        response = client.put(f"/media/{TENANT}/assets/{blob}", headers=emporix, data=form)
        assert response.status_code == 400, response.get_data(as_text=True)
    assert listing(client, emporix) == before


@pytest.mark.parametrize("text", NUL_TEXTS)
def test_emporix_refuses_nul_in_a_file_name(client, emporix, text):
    before = listing(client, emporix)
    body = {"type": "BLOB", "access": "PRIVATE", "details": {"filename": f"a{text}.txt"}}
    response = client.post(f"/media/{TENANT}/assets", headers=emporix, data=blob_form(body))
    assert response.status_code == 400, response.get_data(as_text=True)
    assert "NUL" in error_body(response)["message"]
    assert listing(client, emporix) == before


# -- Projects --------------------------------------------------------------------------------

def project_assets(repository, project_id: str) -> list:
    return repository.list_children(("projects", project_id), limit=None).nodes


@pytest.mark.parametrize("bad", BAD_STRINGS)
def test_projects_refuses_strings_no_backend_can_store_and_stores_no_asset(
        projects, repository, bad):
    project = projects.create_project()["id"]
    asset = projects.create_asset(project, {"title": "kept"})
    for field in ("title", "description", "category", "external_id"):
        body = f'{{"title": "t", "{field}": {bad}}}' if field != "title" else f'{{"title": {bad}}}'
        response = projects.client.post(f"/api/v2/projects/{project}/assets", data=body,
                                        content_type="application/json",
                                        headers=projects.headers())
        assert response.status_code == 400, response.get_data(as_text=True)
        assert set(response.get_json()) == {"error"}
        response = projects.client.put(f"/api/v2/assets/{asset['id']}", data=body,
                                       content_type="application/json",
                                       headers=projects.headers())
        assert response.status_code == 400, response.get_data(as_text=True)
    response = projects.client.post(f"/api/v2/projects/{project}/assets",
                                    data=f'{{"title": "t", "tags": ["ok", {bad}]}}',
                                    content_type="application/json", headers=projects.headers())
    assert response.status_code == 400, response.get_data(as_text=True)
    response = projects.client.post("/api/v2/projects", data=f'{{"title": {bad}}}',
                                    content_type="application/json", headers=projects.headers())
    assert response.status_code == 400, response.get_data(as_text=True)
    assert [node.id for node in project_assets(repository, project)] == [asset["id"]]
    assert projects.asset(asset["id"])["title"] == "kept"


@pytest.mark.parametrize("bad", BAD_NUMBERS + [DEEP, ABYSS])
def test_projects_refuses_numbers_and_nesting_that_are_not_json(projects, repository, bad):
    project = projects.create_project()["id"]
    response = projects.client.post(f"/api/v2/projects/{project}/assets",
                                    data=f'{{"title": "t", "extra": {bad}}}',
                                    content_type="application/json", headers=projects.headers())
    assert response.status_code == 400, response.get_data(as_text=True)
    assert project_assets(repository, project) == []


@pytest.mark.parametrize("text", NUL_TEXTS)
def test_projects_form_bodies_refuse_nul(projects, repository, text):
    project = projects.create_project()["id"]
    response = projects.client.post(f"/api/v2/projects/{project}/assets",
                                    data={"title": f"t{text}", "tags[]": ["a"]},
                                    headers=projects.headers())
    assert response.status_code == 400, response.get_data(as_text=True)
    assert project_assets(repository, project) == []


# -- AMS -------------------------------------------------------------------------------------

@pytest.mark.parametrize("text", NUL_TEXTS)
def test_ams_refuses_a_file_name_with_nul(app, client, repository, text):
    token = app.extensions["accounts"].create_token("admin")
    response = client.post("/v1/assets", headers={"Authorization": f"Bearer {token}"},
                           data={"file": (io.BytesIO(b"hello"), f"name{text}.txt", "text/plain")})
    assert response.status_code == 400, response.get_data(as_text=True)
    assert "NUL" in response.get_json()["message"]
    assert not repository.exists(("ams",)) or \
        repository.list_children(("ams",), limit=None).nodes == []


# -- the repository: no door can store them --------------------------------------------------

@pytest.mark.parametrize("value", ["\ud800", "a\x00b", float("nan"), float("inf"), 2**64,
                                   [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]])
def test_repository_refuses_unstorable_properties_on_create_and_update(repository, value):
    repository.create(("f",), "folder")
    node = repository.create(("f", "a"), ASSET, properties={"kept": "yes"})
    for properties in ({"p": value}, {"p": {"q": [value]}}):
        with pytest.raises(InvalidValue):
            repository.create(("f", "b"), ASSET, properties=properties)
        with pytest.raises(InvalidValue):
            repository.update(("f", "a"), properties=properties)
    with pytest.raises(InvalidValue):
        repository.create(("f", "b"), ASSET, properties={"\ud800": 1})
    with pytest.raises(InvalidValue):
        repository.jobs.enqueue(node.id, "some-kind", payload={"where": value})
    assert [child.name for child in repository.list_children(("f",)).nodes] == ["a"]
    assert repository.get(("f", "a")).properties == {"kept": "yes"}
    assert repository.jobs.jobs(node.id, kind="some-kind") == []
