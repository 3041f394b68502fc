"""Default settings. Override them in ``instance/config.py`` or with ``ASSETS_*`` variables
(``ASSETS_DATABASE_URL``, ``ASSETS_MAX_CONTENT_LENGTH``, ...)."""

#: SQLAlchemy URL; None means SQLite in the instance folder.
DATABASE_URL = None
#: Where blobs are stored; None means ``blobs/`` in the instance folder.
BLOB_ROOT = None
#: Largest request body accepted (bytes); larger → 413. 2 GiB.
MAX_CONTENT_LENGTH = 2 * 1024**3
#: If set at start-up, the user ``admin`` exists with this password.
ADMIN_PASSWORD = None
#: The key the server signs with (CSRF tokens); None: a random one made once and kept in
#: the database, shared by every process using it.
SECRET_KEY = None
#: How long a CSRF token from /libs/granite/csrf/token.json stays valid (seconds).
CSRF_TOKEN_SECONDS = 600
#: Password logins (app/logins.py): how long a verified password is remembered, and how
#: many failed logins per client address / per user name within the window lead to 429.
LOGIN_CACHE_SECONDS = 60
LOGIN_FAILURE_WINDOW = 60
LOGIN_MAX_FAILURES_PER_ADDRESS = 20
LOGIN_MAX_FAILURES_PER_USER = 10
#: Folder listings: page size when ``limit`` is absent, and the largest allowed.
LISTING_DEFAULT_LIMIT = 20
LISTING_MAX_LIMIT = 1000
#: Seconds a listing (a folder page, an Emporix query) may take before it is stopped and
#: answered 400; None: no limit.
LISTING_TIME_BUDGET = 5.0
#: Blobs younger than this are never garbage-collected (an upload may be committing).
GC_GRACE_SECONDS = 3600
#: Emporix Media: largest file of a BLOB asset (bytes); larger → 413, nothing stored.
EMPORIX_MAX_FILE_SIZE = 10 * 1024 * 1024
#: Renditions: the profiles (None: AEM's four, see renditions.profiles.DEFAULT_PROFILES), or
#: a list of {"name", "width", "height", "format" (PNG | JPEG | WEBP), "quality"}.
RENDITION_PROFILES = None
#: Images with more pixels get no renditions (a failed job): decompression bombs.
RENDITIONS_MAX_PIXELS = 89_478_485
#: "thread": a background thread in each server process runs rendition jobs; None: none.
RENDITIONS_WORKER = "thread"
#: How often the worker looks for jobs other processes stored (it wakes at once for its own).
RENDITIONS_POLL_SECONDS = 2.0
#: A rendition job whose worker died is run again, at most RENDITIONS_MAX_ATTEMPTS times
#: in all.
RENDITIONS_MAX_ATTEMPTS = 3
#: Seconds a running job (renditions, media imports) stays its worker's without the
#: worker's heartbeat (renewed every third of it); a job whose process died is taken up
#: again by another once this ran out.
JOBS_LEASE_SECONDS = 10.0
#: Downloads of stored files whose type a browser would run (HTML, XHTML, SVG, XML,
#: JavaScript) are sent as attachments (``Content-Disposition: attachment``), so opening
#: one saves it rather than showing it. True: send them inline too. Every download carries
#: ``X-Content-Type-Options: nosniff`` and ``Content-Security-Policy: sandbox`` either way.
SERVE_ACTIVE_CONTENT_INLINE = False
#: WebDAV (/dav/): "ignore" accepts macOS Finder's metadata files (._* and .DS_Store) without
#: storing them; "store" stores them like any other file.
DAV_MACOS_METADATA = "ignore"
#: WebDAV: allow PROPFIND with Depth: infinity (a whole subtree in one answer). Off: such a
#: request gets RFC 4918's propfind-finite-depth error.
DAV_PROPFIND_INFINITY = False
