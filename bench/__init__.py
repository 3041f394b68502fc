"""Benchmarks of the asset server: ``python -m bench [upload listing transfer memory emporix
renditions logins production dav] [--quick]``.

Each benchmark starts its own server process (``flask --app app run``; gunicorn with the
production configuration for ``production``) on 127.0.0.1 with a
throw-away instance folder, talks to it over HTTP with :mod:`http.client`, measures a
baseline in the same run (a raw disk write, a smaller folder, a plain bulk insert, ...) and
prints figures and ratios. Nothing here asserts: a missed target is a line in the table.
See ``bench/README.md``.
"""

BENCHMARKS = ("upload", "listing", "transfer", "memory", "emporix", "renditions", "logins",
              "production", "dav")
