"""WebDAV resources over repository nodes: folders are collections, assets are files.

Each resource holds the :class:`~repository.Node` it was made from and the Repository of
the request, acting for its caller; every read and write goes through that Repository, so
its rules (permissions, atomic COPY and MOVE, content addressing, renditions jobs) apply
as they do in every other API. WsgiDAV decides the protocol; these classes translate.

Dead properties (PROPPATCH) are kept among the node's own properties, under the key
``dav:`` + the property's name in Clark notation (``dav:{http://example.com/ns}author``),
their value the property element as XML: they go wherever the node goes (COPY, MOVE).
"""
from __future__ import annotations

import hashlib
import io
import mimetypes
from typing import Any, BinaryIO

from wsgidav.dav_error import HTTP_FORBIDDEN, HTTP_NOT_FOUND, DAVError
from wsgidav.dav_provider import DAVCollection, DAVNonCollection
from wsgidav.util import etree

from repository import ASSET, FOLDER, AlreadyExists, Node, NotFound, Repository, StoredBlob, paths
from repository.access import ADD_CHILD_NODES, MODIFY_PROPERTIES
from repository.paths import RepoPath

from .errors import translated

#: environ keys: the Repository acting for the request's caller; whether a COPY or MOVE
#: made a new destination; the locks below a listed folder (see ``propfind``).
REPOSITORY = "assets.repository"
CREATED = "assets.dav.created"
LOCKS_BELOW = "assets.dav.locks_below"
#: Prefix of dead properties among a node's properties.
DEAD = "dav:"
EMPTY_SHA256 = hashlib.sha256(b"").hexdigest()
OCTET_STREAM = "application/octet-stream"


def repo_path(dav_path: str) -> RepoPath:
    with translated():
        return paths.parse(dav_path)


def join(dav_path: str, name: str) -> str:
    return dav_path.rstrip("/") + "/" + name


def media_type(declared: str | None, name: str) -> str:
    """The declared Content-Type without parameters; guessed from the name when the client
    sent none or only ``application/octet-stream`` (most WebDAV clients)."""
    declared = (declared or "").split(";", 1)[0].strip().lower()
    if declared and declared != OCTET_STREAM:
        return declared
    return mimetypes.guess_type(name)[0] or OCTET_STREAM


def resource_for(dav_path: str, environ: dict, node: Node):
    """The resource showing ``node``, or None for what WebDAV does not show (renditions and
    comments)."""
    if node.kind == FOLDER:
        return FolderResource(dav_path, environ, node)
    if node.kind == ASSET:
        return AssetResource(dav_path, environ, node)
    return None


class _Node:
    """What folders and assets share: live properties from the node, dead properties in
    it, and DELETE, COPY and MOVE as one repository call each."""

    node: Node
    path: str
    environ: dict
    provider: Any

    def _setup(self, node: Node) -> None:
        self.node = node
        self.repo_path: RepoPath = node.path
        self._pending: dict[str, str | None] | None = None

    @property
    def repository(self) -> Repository:
        return self.environ[REPOSITORY]

    def get_ref_url(self) -> str:
        """WsgiDAV's, computed once: it asks for it before every property it looks up."""
        ref_url = self.__dict__.get("_ref_url")
        if ref_url is None:
            ref_url = self._ref_url = super().get_ref_url()
        return ref_url

    # -- live properties ------------------------------------------------------------------

    def get_creation_date(self) -> float:
        return self.node.created.timestamp()

    def get_last_modified(self) -> float:
        return self.node.modified.timestamp()

    def get_display_name(self) -> str:
        return self.node.name

    def support_modified(self) -> bool:
        return True

    # -- dead properties ------------------------------------------------------------------

    def get_property_names(self, *, is_allprop: bool) -> list[str]:
        names = super().get_property_names(is_allprop=is_allprop)
        names.extend(key[len(DEAD):] for key, value in self.node.properties.items()
                     if key.startswith(DEAD) and isinstance(value, str))
        return names

    def get_property_value(self, name: str):
        if name == "{DAV:}lockdiscovery" and not self._may_be_locked():
            return etree.Element(name)
        if name == "{DAV:}getetag":
            etag = self.get_etag()
            if etag is None:
                raise DAVError(HTTP_NOT_FOUND)
            return f'"{etag}"'  # RFC 4918 15.6: an entity-tag, quotes included
        if name.startswith("{DAV:}"):
            return super().get_property_value(name)
        value = self.node.properties.get(DEAD + name)
        if not isinstance(value, str):
            raise DAVError(HTTP_NOT_FOUND)
        try:
            element = etree.XML(value, parser=etree.XMLParser(resolve_entities=False,
                                                               no_network=True))
            if element.tag == name:
                return element
        except (etree.XMLSyntaxError, ValueError):
            pass
        element = etree.Element(name)  # set through another API as plain text
        element.text = value
        return element

    def set_property_value(self, name: str, value, *, dry_run: bool = False):
        """PROPPATCH: WsgiDAV tries every change first (``dry_run``), then makes them only
        if all passed. The dry run collects them; the first real call stores them all in
        one update, so a PROPPATCH is all or nothing."""
        if name.startswith("{DAV:}"):
            return super().set_property_value(name, value, dry_run=dry_run)
        change = None if value is None else etree.tostring(value, encoding="unicode")
        if dry_run:
            if self._pending is None:
                with translated():
                    self.repository.check(self.repo_path, MODIFY_PROPERTIES)
                self._pending = {}
            self._pending[DEAD + name] = change
            return True
        if self._pending is None:  # no dry run came first: store this change alone
            changes = {DEAD + name: change}
        else:  # the first real call stores every change; the later ones are done
            changes, self._pending = self._pending, {}
        if changes:
            with translated():
                self.node = self.repository.update(self.repo_path, properties=changes)
        return True

    def _may_be_locked(self) -> bool:
        """False when the listing this resource belongs to found no lock on it (so a
        PROPFIND of a large folder does not ask the lock table once per member)."""
        known = self.environ.get(LOCKS_BELOW)
        if known is None:
            return True
        folder, roots = known
        root = "/" + self.get_ref_url().strip("/")
        return not root.startswith(folder.rstrip("/") + "/") or root in roots

    # -- locking --------------------------------------------------------------------------

    def prevent_locking(self) -> bool:
        """Only who may change a resource may lock it (else 403, saying what is missing).
        WsgiDAV also asks while listing lock properties; only a LOCK pays for the check."""
        if self.environ["REQUEST_METHOD"] == "LOCK":
            with translated():
                self.repository.check(self.repo_path, MODIFY_PROPERTIES)
        return False

    # -- DELETE, COPY, MOVE ---------------------------------------------------------------

    def handle_delete(self) -> bool:
        lock_manager = self.provider.lock_manager
        # WsgiDAV checked the parent; a lock below this node, held by someone else, also
        # forbids deleting it.
        lock_manager.check_write_permission(
            url=self.get_ref_url(), depth="infinity",
            token_list=self.environ.get("wsgidav.ifLockTokenList", []),
            principal=self.environ["wsgidav.user_name"])
        with translated():
            self.repository.delete(self.repo_path)
        self.remove_all_locks(recursive=True)
        return True

    def delete(self) -> None:
        self.handle_delete()

    def handle_copy(self, dest_path: str, *, depth_infinity: bool) -> bool:
        with translated():
            self.environ[CREATED] = self.repository.copy(
                self.repo_path, repo_path(dest_path), recursive=depth_infinity,
                overwrite=self.environ.get("HTTP_OVERWRITE", "T") == "T")
        return True

    def handle_move(self, dest_path: str) -> bool:
        """One row changes, whatever the size of the subtree; locks stay at the old URL's
        resources and so are removed (RFC 4918 7.7: a lock does not move)."""
        with translated():
            self.environ[CREATED] = self.repository.move(
                self.repo_path, repo_path(dest_path),
                overwrite=self.environ.get("HTTP_OVERWRITE", "T") == "T")
        self.remove_all_locks(recursive=True)
        return True

    def support_recursive_move(self, dest_path: str) -> bool:
        return True


class FolderResource(_Node, DAVCollection):
    def __init__(self, path: str, environ: dict, node: Node) -> None:
        DAVCollection.__init__(self, path, environ)
        self._setup(node)

    def get_member_names(self) -> list[str]:
        return [member.name for member in self.iter_members()]

    def get_member_list(self) -> list:
        return list(self.iter_members())

    def get_member(self, name: str):
        return self.provider.get_resource_inst(join(self.path, name), self.environ)

    def iter_members(self, page_size: int = 1000):
        """The members the caller may read, a page of children at a time (keyset pages,
        uncounted), so a large folder is never held whole."""
        after = None
        while True:
            with translated():
                page = self.repository.list_children(self.repo_path, limit=page_size,
                                                     after=after, count=False)
            for node in page.nodes:
                if not self.provider.ignores(node.name):
                    member = resource_for(join(self.path, node.name), self.environ, node)
                    if member is not None:
                        yield member
            if len(page.nodes) < page_size:
                return
            after = page.nodes[-1].name

    def create_empty_resource(self, name: str):
        """A PUT's new file exists once its body is stored (:class:`NewFile`); a LOCK of an
        unmapped URL makes an empty asset (RFC 4918 7.3, a locked empty resource)."""
        path = join(self.path, name)
        if self.provider.ignores(name):
            return DiscardedFile(path, self.environ)
        if self.environ["REQUEST_METHOD"] == "PUT":
            return NewFile(path, self.environ)
        with translated():
            node = self.repository.create(repo_path(path), ASSET,
                                          mime_type=mimetypes.guess_type(name)[0])
        return AssetResource(path, self.environ, node)

    def create_collection(self, name: str) -> None:
        if self.provider.ignores(name):
            raise DAVError(HTTP_FORBIDDEN, f"{name} is macOS metadata, which this server does "
                                           "not store (the setting DAV_MACOS_METADATA)")
        with translated():
            self.repository.create(repo_path(join(self.path, name)), FOLDER)

    def support_recursive_delete(self) -> bool:
        return True


class AssetResource(_Node, DAVNonCollection):
    def __init__(self, path: str, environ: dict, node: Node) -> None:
        DAVNonCollection.__init__(self, path, environ)
        self._setup(node)
        self._writer: BodyWriter | None = None

    def get_content_length(self) -> int:
        return self.node.blob.size if self.node.blob else 0

    def get_content_type(self) -> str:
        return self.node.mime_type or OCTET_STREAM

    def get_etag(self) -> str:
        """The sha256 of the content, as the AEM API's ETag (strong)."""
        return self.node.blob.sha256 if self.node.blob else EMPTY_SHA256

    def support_etag(self) -> bool:
        return True

    def support_ranges(self) -> bool:
        return True

    def get_content(self) -> BinaryIO:
        if self.node.blob is None:
            return io.BytesIO(b"")
        return self.repository.blobs.open(self.node.blob.sha256)

    def begin_write(self, *, content_type: str | None = None) -> "BodyWriter":
        with translated():  # refused before the body is read
            self.repository.check(self.repo_path, MODIFY_PROPERTIES)
        self._writer = BodyWriter(self.environ, self.provider.max_upload)
        self._content_type = content_type
        return self._writer

    def end_write(self, *, with_errors: bool) -> None:
        if with_errors or self._writer is None or self._writer.blob is None:
            return
        with translated():
            self.node = self.repository.update(
                self.repo_path, blob=self._writer.blob,
                mime_type=media_type(self._content_type, self.node.name))


class NewFile(DAVNonCollection):
    """The file a PUT creates: an asset once its body is stored, never before (no empty
    asset is ever visible, and a body cut short leaves nothing)."""

    def __init__(self, path: str, environ: dict) -> None:
        super().__init__(path, environ)
        self.node: Node | None = None
        self._writer: BodyWriter | None = None

    def get_content_length(self) -> int:
        return self.node.blob.size if self.node and self.node.blob else 0

    def get_content_type(self) -> str:
        return self.node.mime_type if self.node and self.node.mime_type else OCTET_STREAM

    def get_etag(self) -> str | None:
        return self.node.blob.sha256 if self.node and self.node.blob else None

    def support_etag(self) -> bool:
        return True

    def get_content(self) -> BinaryIO:
        return io.BytesIO(b"")

    def begin_write(self, *, content_type: str | None = None) -> "BodyWriter":
        repository: Repository = self.environ[REPOSITORY]
        with translated():  # refused before the body is read
            repository.check_creatable(repo_path(self.path), ASSET)
        self._writer = BodyWriter(self.environ, self.provider.max_upload)
        self._content_type = content_type
        return self._writer

    def end_write(self, *, with_errors: bool) -> None:
        if with_errors or self._writer is None or self._writer.blob is None:
            return
        repository: Repository = self.environ[REPOSITORY]
        path = repo_path(self.path)
        mime = media_type(self._content_type, path[-1])
        with translated():
            try:
                self.node = repository.create(path, ASSET, blob=self._writer.blob, mime_type=mime)
            except AlreadyExists:  # another request created it meanwhile: PUT replaces
                self.node = repository.update(path, blob=self._writer.blob, mime_type=mime)


class DiscardedFile(DAVNonCollection):
    """macOS metadata (``._*``, ``.DS_Store``) while ``DAV_MACOS_METADATA`` is ``ignore``:
    writes succeed and store nothing. The URL exists only while locked (Finder locks what
    it writes), as an empty file."""

    def __init__(self, path: str, environ: dict) -> None:
        super().__init__(path, environ)

    def get_content_length(self) -> int:
        return 0

    def get_content_type(self) -> str:
        return OCTET_STREAM

    def get_etag(self) -> str:
        return EMPTY_SHA256

    def support_etag(self) -> bool:
        return True

    def get_content(self) -> BinaryIO:
        return io.BytesIO(b"")

    def _check_parent(self) -> None:
        """Only who may add to the folder may write here, as for any other file."""
        repository: Repository = self.environ[REPOSITORY]
        with translated():
            try:
                repository.check(repo_path(self.path)[:-1], ADD_CHILD_NODES)
            except NotFound:
                raise DAVError(409, f"the folder of {self.path} does not exist") from None

    def prevent_locking(self) -> bool:
        if self.environ["REQUEST_METHOD"] == "LOCK":
            self._check_parent()
        return False

    def begin_write(self, *, content_type: str | None = None) -> "BodyWriter":
        self._check_parent()
        return BodyWriter(self.environ, None, discard=True)

    def handle_delete(self) -> bool:
        self._check_parent()
        self.remove_all_locks(recursive=False)
        return True

    def handle_copy(self, dest_path: str, *, depth_infinity: bool) -> bool:
        return True

    def handle_move(self, dest_path: str) -> bool:
        return self.handle_delete()


class BodyWriter:
    """What WsgiDAV's PUT writes the body to.

    WsgiDAV offers the body as chunks it reads itself; instead this reads the request's
    input (bounded by its Content-Length, see ``mount``) straight into the blob store,
    which fills a few reused buffers without a copy per chunk, as the AEM API's uploads
    do. The body streams: it is never whole in memory.
    """

    def __init__(self, environ: dict, max_size: int | None, *, discard: bool = False) -> None:
        self.environ = environ
        self.max_size = max_size
        self.discard = discard
        self.blob: StoredBlob | None = None

    def writelines(self, _chunks) -> None:
        stream = self.environ["wsgi.input"]
        with translated():
            if self.discard:
                while stream.read(1024 * 1024):
                    pass
            else:
                repository: Repository = self.environ[REPOSITORY]
                # WebDAV shows no md5: skip it, as the AEM API does (BlobStore.put).
                self.blob = repository.blobs.put(stream, max_size=self.max_size, md5=False)
        self.environ["wsgidav.all_input_read"] = 1

    def close(self) -> None:
        """Nothing to close: the blob store closed its temporary file."""


__all__ = ["AssetResource", "DiscardedFile", "FolderResource", "NewFile", "resource_for"]
