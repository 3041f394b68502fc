"""gunicorn's settings for production: ``gunicorn -c python:app.gunicorn_conf``.

Why not gunicorn's defaults (``sync`` workers): a sync worker serves one connection from its
first byte to its last, so a few clients sending their headers a byte at a time, or a few
slow uploads, occupy every worker and nobody else is answered; and a sync worker busy with
one request for longer than ``timeout`` (30 s) is killed, cutting a slow upload with an HTML
500. Here:

- ``gthread`` workers serve each connection in one of ``threads`` threads, and the worker's
  main thread keeps its heartbeat going whatever the threads are doing: ``timeout`` only
  restarts a worker that is really stuck, never a long upload (which streams to disk, so
  its length costs no memory).
- Each worker takes at most ``worker_connections`` connections at once: its ``threads``
  and 16 more, for idle kept-alive connections (which wait without a thread). A worker
  that has that many stops accepting, and new connections go to the other workers. (While
  all its threads are busy, a worker can still take up to 16 new connections, which then
  wait for a thread.)
- So about ``workers × threads`` slow connections (headers trickling in, bodies uploading)
  can be open at once while everyone else is still answered: 4 × 48 with the defaults
  below (``python -m bench production`` measures 30 + 4 of them, and the limit). Past
  that, put a reverse proxy that reads whole headers before passing them on (nginx) in
  front.

Override any of them on the command line (``gunicorn -c python:app.gunicorn_conf -b
0.0.0.0:8000 --threads 64``), in ``GUNICORN_CMD_ARGS``, or the number of workers with
``WEB_CONCURRENCY``.
"""
from __future__ import annotations

import os

#: The application, so ``gunicorn -c python:app.gunicorn_conf`` alone starts it.
wsgi_app = "app:create_app()"

#: Processes. Each holds the app, its database connections and a renditions thread (about
#: 90 MB); CPU-heavy work (hashing uploads, making renditions) runs in parallel across them.
workers = int(os.environ.get("WEB_CONCURRENCY") or 4)
worker_class = "gthread"
#: Connections one worker serves at once. Threads that wait on a slow client cost little
#: (a stack and a socket); requests that need the database share the process's pool.
threads = 48
#: ``threads`` + the kept-alive idle connections a worker keeps (see the module docstring).
worker_connections = threads + 16
#: Seconds an idle kept-alive connection is kept (clients talk to gunicorn directly).
keepalive = 5
#: A worker whose main thread is silent this long is stuck and is restarted. With gthread
#: this never limits how long a request (a slow upload) may take.
timeout = 30
#: On restart or stop, requests in progress get this long to finish.
graceful_timeout = 30
#: Access log on standard output, errors on standard error.
accesslog = "-"
