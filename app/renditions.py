"""Renditions in the application: settings, the background worker, and the CLI.

The work itself is in the ``renditions`` package (no Flask there); this module only
connects it to the app:

- :func:`settings_from_config` turns ``RENDITION_PROFILES`` and ``RENDITIONS_MAX_PIXELS``
  into :class:`renditions.pipeline.Settings` (a bad profile stops the app at start-up,
  with a message naming the problem, instead of failing every job later).
- With ``RENDITIONS_WORKER = "thread"`` (the default) each server process runs one
  :class:`renditions.jobs.Worker` thread. It is started by the process's first request,
  not by ``create_app``: ``create_app`` also runs for every ``flask`` CLI command, which
  must not take jobs it would abandon when it exits, and a server that forks after
  loading the app (``gunicorn --preload``) gets its thread in each worker process, where
  the requests are. Pending jobs a stopped server left are taken up by the next process
  at its first request, or at once with ``flask --app app renditions run``. With
  ``RENDITIONS_WORKER = None`` nothing runs jobs in the server (tests; or a separate
  worker, such as ``renditions run`` from cron).
- ``flask --app app renditions rebuild [PATH]`` remakes the renditions of every asset
  under PATH (default: everything), in the CLI process, with a progress bar.
"""
from __future__ import annotations

from typing import Any, Iterator, Mapping

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from renditions.jobs import Worker, run_job
from renditions.pipeline import DONE, FAILED, Settings, process_asset
from renditions.profiles import profiles_from_config
from repository import ASSET, FOLDER, InvalidPath, NotFound, Repository, paths
from repository.jobs import BINARY_CHANGED
from repository.paths import RepoPath

WORKER = "renditions.worker"
SETTINGS = "renditions.settings"
#: Children read per query while walking a subtree.
WALK_PAGE = 500

cli = AppGroup("renditions", help="Make and remake image renditions.")


def settings_from_config(config: Mapping[str, Any]) -> Settings:
    try:
        profiles = profiles_from_config(config.get("RENDITION_PROFILES"))
    except ValueError as error:
        raise ValueError(f"RENDITION_PROFILES: {error}") from None
    max_pixels = config.get("RENDITIONS_MAX_PIXELS")
    return Settings(profiles=profiles, max_pixels=int(max_pixels) if max_pixels else None)


def init_app(app: Flask) -> None:
    settings = settings_from_config(app.config)
    app.extensions[SETTINGS] = settings
    app.cli.add_command(cli)
    mode = app.config.get("RENDITIONS_WORKER")
    if isinstance(mode, str) and mode.lower() in ("", "none", "off", "false"):
        mode = None
    if mode is None:
        return
    if mode != "thread":
        raise ValueError(f"RENDITIONS_WORKER must be 'thread' or None, not {mode!r}")
    worker = Worker(
        app.extensions["repository"], settings,
        poll_seconds=float(app.config["RENDITIONS_POLL_SECONDS"]),
        max_attempts=int(app.config["RENDITIONS_MAX_ATTEMPTS"]),
    )
    app.extensions[WORKER] = worker

    @app.before_request
    def _start_worker() -> None:
        if not worker.running:
            worker.start()


def stop_worker(app: Flask, timeout: float | None = 10.0) -> None:
    """Stop the app's worker thread, if it has one (tests; an orderly shutdown)."""
    worker: Worker | None = app.extensions.get(WORKER)
    if worker is not None:
        worker.stop(timeout)


# -- the CLI --------------------------------------------------------------------------------------

def assets_under(repository: Repository, path: RepoPath) -> Iterator[str]:
    """Ids of every asset at or below ``path`` (depth first, a page of children at a time)."""
    node = repository.get(path)
    if node.kind == ASSET:
        yield node.id
        return
    if node.kind != FOLDER:
        return
    after = None
    while True:
        page = repository.list_children(path, kinds=[FOLDER, ASSET], limit=WALK_PAGE, after=after)
        for child in page.nodes:
            yield from assets_under(repository, child.path)
        if len(page.nodes) < WALK_PAGE:
            return
        after = page.nodes[-1].name


@cli.command("rebuild")
@click.argument("path", default="/")
def rebuild(path: str) -> None:
    """Remake the renditions of every asset under PATH (a repository path, e.g. /photos;
    default: all). Hand-made renditions are kept."""
    repository: Repository = current_app.extensions["repository"]
    settings: Settings = current_app.extensions[SETTINGS]
    try:
        target = paths.parse(path)
        ids = list(assets_under(repository, target))
    except (InvalidPath, NotFound) as error:
        raise click.ClickException(str(error)) from None
    counts = {DONE: 0, FAILED: 0, "skipped": 0}
    failures: list[str] = []
    with click.progressbar(ids, label=f"Renditions under {paths.to_text(target) or '/'}",
                           show_pos=True) as bar:
        for node_id in bar:
            outcome = process_asset(repository, node_id, settings)
            counts[outcome.status] = counts.get(outcome.status, 0) + 1
            if outcome.status == FAILED:
                failures.append(f"{node_id}: {outcome.reason}")
            else:
                repository.jobs.discard_failed(node_id)
    for line in failures:
        click.echo(f"failed {line}", err=True)
    click.echo(f"{len(ids)} assets: {counts[DONE]} done, {counts['skipped']} without renditions "
               f"(not images), {counts[FAILED]} failed")


@cli.command("run")
def run_pending_jobs() -> None:
    """Run the pending rendition jobs now, in this process, until none is left."""
    repository: Repository = current_app.extensions["repository"]
    settings: Settings = current_app.extensions[SETTINGS]
    repository.jobs.requeue_stale(max_attempts=int(current_app.config["RENDITIONS_MAX_ATTEMPTS"]),
                                  kind=BINARY_CHANGED)
    total = repository.jobs.count(kind=BINARY_CHANGED)
    ran = failed = 0
    with click.progressbar(length=total, label="Pending rendition jobs", show_pos=True) as bar:
        while True:
            job = repository.jobs.claim_next(BINARY_CHANGED)
            if job is None:
                break
            failed += run_job(repository, job, settings).status == FAILED
            ran += 1
            bar.update(1)
    click.echo(f"ran {ran} jobs, {failed} failed")
