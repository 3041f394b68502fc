"""Media from a URL, fetched in the background from a test server on loopback (allow-listed
in the test settings): processing at once, then image/video/document with md5_sum."""
from __future__ import annotations

import time

from .helpers import SAMPLE, jpeg, md5, mp4_header, png


def import_url(projects, project_id, url, filename="file.bin"):
    asset = projects.create_asset(project_id, {**SAMPLE, "url": {"file_url": url,
                                                                 "filename": filename}})
    assert asset["media_type"] == "processing"
    assert asset["md5_sum"] is None
    assert asset["original_filename"] == filename
    return projects.wait_for_import(asset["id"])


def test_an_image_url_becomes_an_image_with_its_md5(projects, project_id, file_server,
                                                     repository):
    data = jpeg()
    url = file_server.serve("/jpgfile.jpg", data, "image/jpeg")
    asset = import_url(projects, project_id, url, "jpgfile.jpg")
    assert asset["media_type"] == "image"
    assert asset["md5_sum"] == md5(data)
    assert asset["original_filename"] == "jpgfile.jpg"
    assert "media_error" not in asset
    node = repository.get_by_id(asset["id"])
    assert node.mime_type == "image/jpeg"
    assert repository.blobs.path_of(node.blob.sha256).read_bytes() == data


def test_the_image_type_comes_from_the_bytes_not_the_header(projects, project_id, file_server,
                                                            repository):
    data = png()
    url = file_server.serve("/misnamed.jpg", data, "application/octet-stream")
    asset = import_url(projects, project_id, url, "misnamed.jpg")
    assert asset["media_type"] == "image"
    assert repository.get_by_id(asset["id"]).mime_type == "image/png"


def test_a_video_is_recognised_by_its_magic_bytes(projects, project_id, file_server):
    url = file_server.serve("/clip", mp4_header(), "application/octet-stream")
    asset = import_url(projects, project_id, url, "clip.mp4")
    assert asset["media_type"] == "video"
    assert asset["md5_sum"] == md5(mp4_header())


def test_a_video_is_recognised_by_its_content_type(projects, project_id, file_server):
    url = file_server.serve("/clip.ogv", b"not really video bytes", "video/ogg")
    assert import_url(projects, project_id, url, "clip.ogv")["media_type"] == "video"


def test_anything_else_is_a_document(projects, project_id, file_server, repository):
    data = b"%PDF-1.4\n% a tiny pdf\n"
    url = file_server.serve("/report", data, "application/octet-stream")
    asset = import_url(projects, project_id, url, "report.pdf")
    assert asset["media_type"] == "document"
    assert asset["md5_sum"] == md5(data)
    assert repository.get_by_id(asset["id"]).mime_type == "application/pdf"


def test_redirects_are_followed(projects, project_id, file_server):
    data = png()
    file_server.serve("/final.png", data, "image/png")
    file_server.redirect("/hop2", "/final.png", 307)
    url = file_server.redirect("/hop1", file_server.url("/hop2"), 301)
    asset = import_url(projects, project_id, url, "final.png")
    assert (asset["media_type"], asset["md5_sum"]) == ("image", md5(data))


def test_five_redirects_are_followed_but_not_six(projects, project_id, file_server):
    file_server.serve("/end", png(), "image/png")
    for n in range(6):
        file_server.redirect(f"/r{n}", "/end" if n == 0 else f"/r{n - 1}")
    assert import_url(projects, project_id, file_server.url("/r4"))["media_type"] == "image"
    failed = import_url(projects, project_id, file_server.url("/r5"))
    assert failed["media_type"] == "placeholder"
    assert failed["media_error"] == "too many redirects (more than 5)"


def test_a_server_error_marks_the_asset(projects, project_id, file_server):
    asset = import_url(projects, project_id, file_server.url("/missing.jpg"), "missing.jpg")
    assert asset["media_type"] == "placeholder"
    assert asset["md5_sum"] is None
    assert asset["media_error"] == "the server answered 404 Not Found"


def test_a_file_over_the_size_cap_is_refused(app, projects, project_id, file_server):
    app.config["PROJECTS_FETCH_MAX_BYTES"] = 1000
    declared = import_url(projects, project_id,
                          file_server.serve("/big", b"x" * 5000, "application/octet-stream"))
    assert declared["media_error"] == "the file is larger than the limit of 1000 bytes"

    def undeclared(handler):  # no Content-Length: the cap applies while streaming
        handler.send_response(200)
        handler.send_header("Connection", "close")
        handler.end_headers()
        for _ in range(50):
            handler.wfile.write(b"y" * 100)

    file_server.routes["/stream"] = undeclared
    streamed = import_url(projects, project_id, file_server.url("/stream"))
    assert streamed["media_type"] == "placeholder"
    assert "larger than the limit of 1000 bytes" in streamed["media_error"]


def test_a_slow_server_times_out(app, projects, project_id, file_server):
    app.config["PROJECTS_FETCH_TIMEOUT"] = 0.3

    def slow(handler):
        time.sleep(1.5)
        handler.send_response(200)
        handler.end_headers()

    file_server.routes["/slow"] = slow
    asset = import_url(projects, project_id, file_server.url("/slow"))
    assert asset["media_type"] == "placeholder"
    assert "timed out" in asset["media_error"]


def test_an_asset_deleted_during_the_import_is_left_alone(app, client, admin_auth, projects,
                                                          project_id, file_server):
    def slowly(handler):
        time.sleep(0.3)
        body = png()
        handler.send_response(200)
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        handler.wfile.write(body)

    file_server.routes["/slow.png"] = slowly
    asset = projects.create_asset(project_id, {**SAMPLE, "url": {
        "file_url": file_server.url("/slow.png"), "filename": "slow.png"}})
    response = client.delete(f"/api/assets/projects/{project_id}/{asset['id']}",
                             headers=admin_auth)
    assert response.status_code == 200, response.get_data(as_text=True)
    assert app.extensions["projects_importer"].wait(5)
    assert projects.get(f"/api/v2/assets/{asset['id']}").status_code == 404


def test_the_imported_binary_is_the_aem_original_rendition(client, admin_auth, projects,
                                                           project_id, file_server):
    data = png()
    asset = import_url(projects, project_id, file_server.serve("/a.png", data, "image/png"),
                       "a.png")
    response = client.get(f"/api/assets/projects/{project_id}/{asset['id']}/renditions/original",
                          headers=admin_auth)
    assert response.status_code == 200
    assert response.data == data
    assert response.mimetype == "image/png"


def test_the_request_goes_to_the_host_named_in_the_url(projects, project_id, file_server):
    import_url(projects, project_id, file_server.serve("/h.png", png(), "image/png"))
    assert file_server.requests[-1] == ("/h.png", f"127.0.0.1:{file_server.port}")


def test_with_media_an_article_is_imported_like_any_asset(projects, project_id, pending_imports):
    asset = projects.create_asset(project_id, {**SAMPLE, "media_type": "article", "url": {
        "file_url": "http://www.example.com/a.jpg", "filename": "a.jpg"}})
    assert asset["media_type"] == "processing"
    assert len(pending_imports()) == 1


def test_media_while_shutting_down_is_503_and_the_asset_shows_why(app, projects, project_id):
    app.extensions["projects_importer"].shutdown(timeout=1)
    response = projects.post(f"/api/v2/projects/{project_id}/assets", {**SAMPLE, "url": {
        "file_url": "http://www.example.com/a.jpg", "filename": "a.jpg"}})
    assert response.status_code == 503
    message = response.get_json()["error"]
    assert message.endswith("adding media to asset failed: the server is not taking imports "
                            "now; try again")
    asset = projects.asset(message.split()[1])
    assert asset["media_type"] == "placeholder"
