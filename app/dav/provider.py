"""The WsgiDAV provider of the repository's tree: URL paths to resources, and the few
places where the request handling differs from WsgiDAV's own (each says why)."""
from __future__ import annotations

from typing import Callable, Iterable
from urllib.parse import quote

from wsgidav.dav_error import (
    HTTP_FORBIDDEN,
    PRECONDITION_CODE_PropfindFiniteDepth,
    DAVError,
)
from wsgidav.dav_provider import DAVProvider

from repository import InvalidPath, paths

from . import propfind
from .errors import translated
from .resources import CREATED, REPOSITORY, DiscardedFile, resource_for

#: macOS Finder's metadata files: AppleDouble companions and folder settings.
MACOS_PREFIX = "._"
MACOS_NAMES = frozenset({".DS_Store"})
#: Values of the setting DAV_MACOS_METADATA.
IGNORE, STORE = "ignore", "store"
CONDITIONAL_HEADERS = ("HTTP_IF", "HTTP_IF_MATCH", "HTTP_IF_NONE_MATCH",
                       "HTTP_IF_MODIFIED_SINCE", "HTTP_IF_UNMODIFIED_SINCE")


class RepositoryProvider(DAVProvider):
    """The whole tree, as the request's caller may see it (``environ[REPOSITORY]``)."""

    def __init__(self, *, macos_metadata: str = IGNORE, propfind_infinity: bool = False,
                 max_upload: int | None = None) -> None:
        super().__init__()
        if macos_metadata not in (IGNORE, STORE):
            raise ValueError(f"DAV_MACOS_METADATA must be '{IGNORE}' or '{STORE}', "
                             f"not {macos_metadata!r}")
        self.macos_metadata = macos_metadata
        self.propfind_infinity = propfind_infinity
        self.max_upload = max_upload
        self.verbose = 1

    def ignores(self, name: str) -> bool:
        """True for macOS metadata names while they are ignored (not stored, not shown)."""
        return self.macos_metadata == IGNORE and (
            name.startswith(MACOS_PREFIX) or name in MACOS_NAMES)

    def get_resource_inst(self, path: str | None, environ: dict):
        if path is None:  # WsgiDAV asks for the root's parent
            return None
        try:
            target = paths.parse(path)
        except InvalidPath:
            return None
        if target and self.ignores(target[-1]):
            # Ignored metadata exists only while a client holds a lock on its URL.
            locked = self.lock_manager.is_url_locked(quote(path))
            return DiscardedFile(path, environ) if locked else None
        try:
            with translated():
                node = environ[REPOSITORY].get(target)
        except DAVError as error:
            if error.value == 404:
                return None
            raise
        return resource_for(path, environ, node)

    def exists(self, path: str, environ: dict) -> bool:
        return self.get_resource_inst(path, environ) is not None

    def custom_request_handler(self, environ: dict, start_response: Callable,
                               default_handler: Callable) -> Iterable[bytes]:
        method = environ["REQUEST_METHOD"]
        if method == "PROPFIND":
            # WsgiDAV has no setting for this: its RequestServer always allows infinity.
            depth = environ.get("HTTP_DEPTH", "infinity")
            if depth == "infinity" and not self.propfind_infinity:
                raise DAVError(HTTP_FORBIDDEN, "PROPFIND with Depth: infinity is not allowed "
                                               "here; list one level at a time (Depth: 1)",
                               err_condition=PRECONDITION_CODE_PropfindFiniteDepth)
            if depth in ("0", "1") and not any(key in environ for key in CONDITIONAL_HEADERS):
                return propfind.stream(self, environ, start_response)
        if method in ("COPY", "MOVE"):
            return default_handler(environ, _created_is_201(environ, start_response))
        return default_handler(environ, start_response)


def _created_is_201(environ: dict, start_response: Callable) -> Callable:
    """WsgiDAV answers 204 whenever a provider does a COPY or MOVE itself; RFC 4918 wants
    201 when the destination is new (the resources record which in ``environ[CREATED]``)."""

    def start(status: str, headers: list, exc_info=None):
        if environ.get(CREATED) and status.startswith("204"):
            status = "201 Created"
        return start_response(status, headers, exc_info)

    return start


__all__ = ["IGNORE", "STORE", "RepositoryProvider"]
