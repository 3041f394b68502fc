"""GET and PUT /api/v2/assets/{id}; owner and lower-cased category; AEM visibility."""
from __future__ import annotations

from .helpers import SAMPLE


def test_get_an_asset_shows_what_create_answered(projects, project_id):
    created = projects.create_asset(project_id, SAMPLE)
    assert projects.asset(created["id"]) == created


def test_category_is_lower_cased(projects, project_id):
    asset = projects.create_asset(project_id, {**SAMPLE, "category": "Sample PHOTOS Ä"})
    assert asset["category"] == "sample photos ä"


def test_missing_optional_fields(projects, project_id):
    asset = projects.create_asset(project_id, {"title": "Only a title"})
    assert (asset["description"], asset["category"], asset["tags"], asset["external_id"]) == \
        (None, None, [], None)


def test_unknown_asset_is_404(projects, project_id):
    for path in ("/api/v2/assets/unknownunknownunknow", "/api/v2/assets/x"):
        response = projects.get(path)
        assert (response.status_code, response.get_json()) == (404, {"error": "asset not found"})
        response = projects.put(path, {"title": "t"})
        assert response.status_code == 404


def test_a_node_that_is_not_a_project_asset_is_404(projects, repository, project_id):
    project = repository.get(("projects", project_id))
    assert projects.get(f"/api/v2/assets/{project.id}").status_code == 404  # a folder
    other = repository.create(("elsewhere",), "folder")
    asset = repository.create(("elsewhere", "a"), "asset")
    assert other is not None
    assert projects.get(f"/api/v2/assets/{asset.id}").status_code == 404


def test_update_changes_only_what_is_given(projects, project_id):
    asset = projects.create_asset(project_id, {**SAMPLE, "external_id": "e1"})
    response = projects.put(f"/api/v2/assets/{asset['id']}",
                            {"title": "New", "category": "NEW Cat", "tags": ["x"]})
    assert response.status_code == 200
    updated = response.get_json()["asset"]
    assert (updated["title"], updated["category"], updated["tags"]) == ("New", "new cat", ["x"])
    assert (updated["description"], updated["external_id"], updated["owner"]) == \
        (asset["description"], "e1", asset["owner"])
    assert updated["modification_date"] >= asset["modification_date"]
    assert projects.asset(asset["id"]) == updated


def test_update_description_and_external_id(projects, project_id):
    asset = projects.create_asset(project_id, SAMPLE)
    updated = projects.put(f"/api/v2/assets/{asset['id']}",
                           {"description": "d2", "external_id": "ext"}).get_json()["asset"]
    assert (updated["description"], updated["external_id"]) == ("d2", "ext")


def test_an_empty_update_changes_nothing(projects, project_id):
    asset = projects.create_asset(project_id, SAMPLE)
    response = projects.put(f"/api/v2/assets/{asset['id']}", {})
    assert response.status_code == 200
    assert response.get_json()["asset"] == asset


def test_the_asset_is_visible_through_the_aem_api(client, admin_auth, projects, project_id):
    asset = projects.create_asset(project_id, SAMPLE)
    response = client.get(f"/api/assets/projects/{project_id}/{asset['id']}.json",
                          headers=admin_auth)
    assert response.status_code == 200, response.get_data(as_text=True)
    entity = response.get_json()
    assert entity["class"] == ["assets/asset"]
    metadata = entity["properties"]["metadata"]
    assert metadata["dc:title"] == "Sample Asset"
    assert metadata["dc:description"] == "Sample asset from API V2"
    assert metadata["projects:category"] == "sample"
    listing = client.get(f"/api/assets/projects/{project_id}.json", headers=admin_auth)
    names = [child["properties"]["name"] for child in listing.get_json()["entities"]]
    assert asset["id"] in names


def test_a_title_changed_through_aem_shows_in_the_projects_api(client, admin_auth, projects,
                                                             project_id):
    asset = projects.create_asset(project_id, SAMPLE)
    response = client.put(f"/api/assets/projects/{project_id}/{asset['id']}",
                          json={"class": "asset", "properties": {"title": "Renamed"}},
                          headers=admin_auth)
    assert response.status_code == 200, response.get_data(as_text=True)
    assert projects.asset(asset["id"])["title"] == "Renamed"
