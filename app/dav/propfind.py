"""``PROPFIND`` with ``Depth: 0`` or ``1``, streamed.

WsgiDAV's ``RequestServer.do_PROPFIND`` builds the whole ``multistatus`` element in memory
and then serialises it, so its memory grows with the folder (100,000 members: every
resource object, every element, then the whole document as bytes). WsgiDAV offers no way to
stream it; its provider hook ``custom_request_handler`` lets a provider answer a request
itself. This answers the one case that grows, a folder's members, with WsgiDAV's own
parts: its body parsing (``util.parse_xml_body``), each resource's properties
(``get_properties``, as WsgiDAV computes them) and its ``<response>`` builder
(``util.add_property_response``), writing each ``<response>`` as soon as it is made.
The members are read a page at a time (:meth:`FolderResource.iter_members`), and the
lock table once for the whole folder. ``Depth: 0`` takes the same path (one response), so
both read RFC 4918's ``<propname/>`` (WsgiDAV 4.4 looks for ``<name/>`` instead; both are
accepted). Depth infinity (when allowed) and conditional requests are left to WsgiDAV.
"""
from __future__ import annotations

from typing import Callable, Iterable, Iterator

from wsgidav import util, xml_tools
from wsgidav.dav_error import HTTP_BAD_REQUEST, HTTP_NOT_FOUND, DAVError
from wsgidav.lock_man.lock_manager import normalize_lock_root
from wsgidav.util import etree

from .resources import LOCKS_BELOW, FolderResource

HEAD = b'<?xml version=\'1.0\' encoding=\'UTF-8\'?>\n<D:multistatus xmlns:D="DAV:">'
TAIL = b"</D:multistatus>"
#: Responses written per chunk of the answer.
BATCH = 200


def stream(provider, environ: dict, start_response: Callable) -> Iterable[bytes]:
    path = environ["PATH_INFO"]
    resource = provider.get_resource_inst(path, environ)
    if resource is None:
        raise DAVError(HTTP_NOT_FOUND, path)
    mode, names = requested(environ)
    members = isinstance(resource, FolderResource) and environ.get("HTTP_DEPTH") == "1"
    if members:
        root = normalize_lock_root(resource.get_ref_url())
        environ[LOCKS_BELOW] = (root, provider.lock_manager.storage.locked_roots_below(root))
    start_response("207 Multi-Status", [("Content-Type", "application/xml; charset=utf-8"),
                                        ("Date", util.get_rfc1123_time())])
    return _body(resource, resource.iter_members() if members else (), mode, names)


def requested(environ: dict) -> tuple[str, list[str] | None]:
    """The PROPFIND body as RFC 4918 (9.1) defines it, in the modes WsgiDAV's property
    builder takes: ``allprop`` (also for an empty body), ``name`` (``<propname/>``, and
    WsgiDAV's ``<name/>``), or ``named`` with the property names asked for."""
    request = util.parse_xml_body(environ, allow_empty=True)
    if request is None:
        return "allprop", None
    if request.tag != "{DAV:}propfind":
        raise DAVError(HTTP_BAD_REQUEST, "the body of a PROPFIND must be a DAV:propfind element")
    mode, names = None, []
    for element in request:
        if element.tag in ("{DAV:}allprop", "{DAV:}propname", "{DAV:}name"):
            if mode:
                raise DAVError(HTTP_BAD_REQUEST, "allprop, propname and prop exclude each other")
            mode = "allprop" if element.tag == "{DAV:}allprop" else "name"
        elif element.tag == "{DAV:}prop":
            if mode not in (None, "named"):
                raise DAVError(HTTP_BAD_REQUEST, "allprop, propname and prop exclude each other")
            mode = "named"
            names.extend(child.tag for child in element)
    if mode in ("allprop", "name"):
        return mode, None
    return "named", names


def _body(resource, members: Iterable, mode: str, names: list[str] | None) -> Iterator[bytes]:
    holder = xml_tools.make_multistatus_el()
    batch = [HEAD, _response(holder, resource, mode, names)]
    for member in members:
        batch.append(_response(holder, member, mode, names))
        if len(batch) >= BATCH:
            yield b"".join(batch)
            batch = []
    batch.append(TAIL)
    yield b"".join(batch)


def _response(holder, resource, mode: str, names: list[str] | None) -> bytes:
    """One ``<D:response>``, built by WsgiDAV's builder in ``holder`` and taken out again."""
    util.add_property_response(holder, resource.get_href(),
                               resource.get_properties(mode, name_list=names))
    element = holder[0]
    holder.remove(element)
    return etree.tostring(element, encoding="UTF-8", xml_declaration=False)
