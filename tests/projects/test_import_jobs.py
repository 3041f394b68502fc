"""Imports are jobs in the database: they outlive the process that stored them, every
process on the database shares them, and the CLI can run them. Each app made by
``start_server`` is one "server process" on a shared database and blob folder (SQLite and
PostgreSQL)."""
from __future__ import annotations

import time

import pytest

from app.projects.jobs import IMPORT
from repository.jobs import FAILED, PENDING, RUNNING
from tests.conftest import grant
from tests.polling import wait_for

from .helpers import OWNER_EMAIL, SAMPLE, Projects, md5, png


def projects_client(app, key: str | None = None) -> Projects:
    if key is None:
        accounts = app.extensions["accounts"]
        accounts.create_user("admin-user", None, email=OWNER_EMAIL)
        grant(app, "/projects", "admin-user", "jcr:addChildNodes")
        key = accounts.create_token("admin-user")
    return Projects(app.test_client(), key)


def create_with_url(projects: Projects, project_id: str, url: str) -> dict:
    asset = projects.create_asset(project_id, {**SAMPLE, "url": {"file_url": url,
                                                                 "filename": "a.png"}})
    assert asset["media_type"] == "processing"
    return asset


def stop(app) -> None:
    app.extensions["projects_importer"].shutdown(timeout=10)
    app.extensions["repository"].dispose()


def test_an_import_a_stopped_server_left_pending_runs_in_the_next_one(start_server, file_server):
    data = png()
    url = file_server.serve("/a.png", data, "image/png")
    first = start_server(PROJECTS_IMPORT_WORKERS=0)
    projects = projects_client(first)
    asset = create_with_url(projects, projects.create_project()["id"], url)
    assert not first.extensions["projects_importer"].running
    stop(first)
    assert file_server.requests == []

    second = start_server()
    imported = projects_client(second, projects.key).wait_for_import(asset["id"])
    assert (imported["media_type"], imported["md5_sum"]) == ("image", md5(data))
    # the job's row goes just after the asset says imported
    wait_for(lambda: second.extensions["repository"].jobs.jobs(kind=IMPORT) == [], timeout=10)


def test_an_import_left_running_by_a_dead_process_runs_again_once_its_lease_ran_out(
        start_server, file_server):
    url = file_server.serve("/a.png", png(), "image/png")
    first = start_server(PROJECTS_IMPORT_WORKERS=0, JOBS_LEASE_SECONDS=1)
    projects = projects_client(first)
    asset = create_with_url(projects, projects.create_project()["id"], url)
    repository = first.extensions["repository"]
    claimed = repository.jobs.claim_next(IMPORT)  # ... and then its process died
    claimed_at = time.monotonic()
    stop(first)

    second = start_server(JOBS_LEASE_SECONDS=1)
    again = projects_client(second, projects.key)
    assert again.asset(asset["id"])["media_type"] == "processing"  # starts the threads
    assert again.wait_for_import(asset["id"])["media_type"] == "image"
    assert time.monotonic() - claimed_at >= 1  # not before the lease ran out
    jobs = second.extensions["repository"].jobs
    wait_for(lambda: jobs.jobs(kind=IMPORT) == [], timeout=10)
    assert len(file_server.requests) == 1
    assert claimed.attempts == 1


def test_a_running_import_keeps_its_lease_however_long_it_takes(start_server, file_server):
    """The heartbeat renews the lease of a slow import: a second process does not take it
    up while the first still runs it, although the import outlasts several leases."""
    release = __import__("threading").Event()

    def slow(handler) -> None:
        release.wait(10)
        body = png()
        handler.send_response(200)
        handler.send_header("Content-Type", "image/png")
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        handler.wfile.write(body)

    file_server.routes["/slow.png"] = slow
    first = start_server(JOBS_LEASE_SECONDS=0.6)
    projects = projects_client(first)
    asset = create_with_url(projects, projects.create_project()["id"],
                            file_server.url("/slow.png"))
    jobs = first.extensions["repository"].jobs
    wait_for(lambda: jobs.count(RUNNING, kind=IMPORT) == 1, timeout=10)
    second = start_server(JOBS_LEASE_SECONDS=0.6, PROJECTS_IMPORT_POLL_SECONDS=0.1)
    projects_client(second, projects.key).asset(asset["id"])  # starts its threads
    time.sleep(2)  # more than three leases
    assert [j.attempts for j in jobs.jobs(kind=IMPORT)] == [1]
    assert len(file_server.requests) == 1
    release.set()
    assert projects.wait_for_import(asset["id"])["media_type"] == "image"
    assert len(file_server.requests) == 1


def test_an_import_that_keeps_losing_its_process_fails_on_the_asset(start_server):
    app = start_server(PROJECTS_IMPORT_WORKERS=0, PROJECTS_IMPORT_MAX_ATTEMPTS=2)
    projects = projects_client(app)
    asset = create_with_url(projects, projects.create_project()["id"],
                            "http://127.0.0.1:9/never-fetched.png")
    jobs = app.extensions["repository"].jobs
    for _ in range(2):
        jobs.claim_next(IMPORT)
        jobs.requeue_stale(0, max_attempts=None, kind=IMPORT)

    result = app.test_cli_runner().invoke(args=["projects", "run-imports"])
    assert "ran 1 imports, 1 failed" in result.output, result.output
    failed = projects.asset(asset["id"])
    assert failed["media_type"] == "placeholder"
    assert failed["media_error"].startswith("the import was interrupted 2 times")
    assert [(j.status, j.reason) for j in jobs.jobs(kind=IMPORT)] \
        == [(FAILED, failed["media_error"])]


def test_run_imports_works_off_the_pending_imports_in_the_cli_process(start_server,
                                                                      file_server):
    data = png()
    app = start_server(PROJECTS_IMPORT_WORKERS=0)
    projects = projects_client(app)
    project_id = projects.create_project()["id"]
    good = create_with_url(projects, project_id, file_server.serve("/a.png", data, "image/png"))
    missing = create_with_url(projects, project_id, file_server.url("/missing.png"))
    jobs = app.extensions["repository"].jobs
    assert jobs.count(PENDING, kind=IMPORT) == 2

    result = app.test_cli_runner().invoke(args=["projects", "run-imports"])
    assert result.exit_code == 0, result.output
    assert "ran 2 imports, 1 failed" in result.output
    assert (projects.asset(good["id"])["md5_sum"]) == md5(data)
    failed = projects.asset(missing["id"])
    assert failed["media_type"] == "placeholder" and "404" in failed["media_error"]
    assert [(j.node_id, j.status) for j in jobs.jobs(kind=IMPORT)] == [(missing["id"], FAILED)]


def test_a_job_without_an_import_payload_fails_on_the_asset(start_server):
    app = start_server(PROJECTS_IMPORT_WORKERS=0)
    projects = projects_client(app)
    project_id = projects.create_project()["id"]
    repository = app.extensions["repository"]
    repository.create(("projects", project_id, "x" * 20), "asset", node_id="x" * 20,
                      properties={"projects:media_type": "processing"},
                      jobs={IMPORT: {"source": "url"}})
    result = app.test_cli_runner().invoke(args=["projects", "run-imports"])
    assert "ran 1 imports, 1 failed" in result.output, result.output
    asset = projects.asset("x" * 20)
    assert (asset["media_type"], asset["media_error"]) \
        == ("placeholder", "the media could not be imported (internal error)")


def test_every_import_runs_once_when_several_processes_share_the_database(start_server,
                                                                          file_server):
    apps = [start_server(PROJECTS_IMPORT_POLL_SECONDS=0.05) for _ in range(2)]
    projects = projects_client(apps[0])
    project_id = projects.create_project()["id"]
    other = projects_client(apps[1], projects.key)
    other.get(f"/api/v2/projects/{project_id}")  # both processes have their threads now
    assets = [create_with_url(projects, project_id,
                              file_server.serve(f"/{n}.png", png(n + 1, 5), "image/png"))
              for n in range(8)]
    assert apps[0].extensions["projects_importer"].wait(15)
    assert all(projects.asset(a["id"])["media_type"] == "image" for a in assets)
    assert sorted(path for path, _host in file_server.requests) \
        == sorted(f"/{n}.png" for n in range(8))


def test_after_shutdown_a_process_takes_no_more_imports(start_server, file_server):
    url = file_server.serve("/a.png", png(), "image/png")
    worker_app = start_server(PROJECTS_IMPORT_POLL_SECONDS=0.05)
    projects = projects_client(worker_app)
    project_id = projects.create_project()["id"]  # starts its threads
    importer = worker_app.extensions["projects_importer"]
    assert importer.running
    importer.shutdown(timeout=5)
    assert not importer.running

    storing_app = start_server(PROJECTS_IMPORT_WORKERS=0)
    asset = create_with_url(projects_client(storing_app, projects.key), project_id, url)
    assert not importer.wait(0.3)
    assert file_server.requests == []
    assert [j.node_id for j in storing_app.extensions["repository"].jobs.jobs(
        kind=IMPORT, status=PENDING)] == [asset["id"]]


def test_a_copy_made_while_the_import_is_pending_gets_the_media_too(start_server, file_server):
    app = start_server(PROJECTS_IMPORT_WORKERS=0)
    projects = projects_client(app)
    project_id = projects.create_project()["id"]
    data = png()
    asset = create_with_url(projects, project_id, file_server.serve("/a.png", data, "image/png"))
    repository = app.extensions["repository"]
    repository.copy(("projects", project_id, asset["id"]), ("copy-of-a",))
    app.test_cli_runner().invoke(args=["projects", "run-imports"])
    copy = repository.get(("copy-of-a",))
    assert copy.properties["projects:media_type"] == "image"
    assert repository.blobs.path_of(copy.blob.sha256).read_bytes() == data


def test_import_threads_start_at_the_first_request_not_with_the_app(start_server):
    app = start_server()  # what every flask CLI command does too
    importer = app.extensions["projects_importer"]
    assert not importer.running
    app.test_client().get("/api/v2/openapi.json")
    assert importer.running
    assert all(t.daemon for t in importer._threads) and len(importer._threads) == 4
