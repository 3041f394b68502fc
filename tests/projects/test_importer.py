"""The import job and the worker threads on their own (no HTTP)."""
from __future__ import annotations

import threading
import time

from app.projects.importer import ImportWorkers, classify, normal_mime

from .helpers import jpeg, mp4_header


def test_workers_are_daemon_threads_started_on_demand():
    workers = ImportWorkers(size=2)
    done = threading.Event()
    assert threading.active_count() >= 1
    workers.submit(done.set)
    assert done.wait(5)
    assert workers._threads and all(thread.daemon for thread in workers._threads)
    workers.shutdown(timeout=5)
    assert not any(thread.is_alive() for thread in workers._threads)


def test_a_failing_job_does_not_stop_the_workers():
    workers = ImportWorkers(size=1)
    results = []
    workers.submit(lambda: 1 / 0)
    workers.submit(results.append, "after")
    assert workers.wait(5)
    assert results == ["after"]
    workers.shutdown(timeout=5)


def test_shutdown_waits_for_the_running_job():
    workers = ImportWorkers(size=1)
    finished = []
    workers.submit(lambda: (time.sleep(0.2), finished.append(True)))
    time.sleep(0.05)
    workers.shutdown(timeout=5)
    assert finished == [True]


def test_classify(tmp_path):
    cases = [
        (jpeg(), None, "a.bin", ("image", "image/jpeg")),
        (mp4_header(), None, "a.bin", ("video", "video/mp4")),
        (b"\x1a\x45\xdf\xa3" + b"\x00" * 20 + b"webm" + b"\x00" * 40, None, "x",
         ("video", "video/webm")),
        (b"RIFF\x00\x00\x00\x00AVI LIST", None, "x", ("video", "video/x-msvideo")),
        (b"hello", "text/plain; charset=utf-8", "a.txt", ("document", "text/plain")),
        (b"hello", None, "notes.txt", ("document", "text/plain")),
        (b"hello", "application/octet-stream", "blob", ("document", "application/octet-stream")),
        (b"<svg xmlns='http://www.w3.org/2000/svg'/>", "image/svg+xml", "a.svg",
         ("document", "image/svg+xml")),
    ]
    for number, (data, declared, filename, expected) in enumerate(cases):
        path = tmp_path / f"f{number}"
        path.write_bytes(data)
        assert classify(path, declared, filename) == expected, (number, expected)


def test_an_image_over_the_pixel_limit_is_a_document(tmp_path):
    path = tmp_path / "big.jpg"
    path.write_bytes(jpeg(64, 64))
    assert classify(path, "image/jpeg", "big.jpg", max_pixels=100)[0] == "document"


def test_normal_mime():
    assert normal_mime("Image/PNG; charset=x") == "image/png"
    assert normal_mime("nonsense") is None
    assert normal_mime("a/b\r\nX-Injected: 1") is None
    assert normal_mime(None) is None
