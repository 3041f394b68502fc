"""``flask --app app projects run-imports``: run the pending media imports in the CLI
process, e.g. what a stopped server left, or all of them on a server configured to run
no import threads (``PROJECTS_IMPORT_WORKERS = 0``)."""
from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup

from repository import Repository

from .importer import settings_from_config
from .jobs import IMPORT, ImportWorker, run_job

cli = AppGroup("projects", help="The Projects API v2.")


@cli.command("run-imports")
def run_imports() -> None:
    """Run the pending media imports now, in this process, until none is left. Imports
    left running by a process that died (their leases ran out) run again."""
    repository: Repository = current_app.extensions["repository"]
    importer: ImportWorker = current_app.extensions["projects_importer"]
    repository.jobs.requeue_stale(max_attempts=None, kind=IMPORT)
    settings = settings_from_config(current_app.config)
    total = repository.jobs.count(kind=IMPORT)
    ran = failed = 0
    with click.progressbar(length=total, label="Pending media imports", show_pos=True) as bar:
        while (record := repository.jobs.claim_next(IMPORT)) is not None:
            failed += run_job(repository, record, settings,
                              max_attempts=importer.max_attempts) is not None
            ran += 1
            bar.update(1)
    click.echo(f"ran {ran} imports, {failed} failed")
