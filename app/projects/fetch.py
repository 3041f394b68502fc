"""Fetching a client-named URL without letting the client reach what it must not (SSRF).

Standard library only (``http.client``, ``socket``, ``ssl``, ``ipaddress``). No Flask here:
the importer hands in a :class:`FetchPolicy` built from the settings.

The rules, each checked on every hop (the first request and every redirect):

- only ``http`` and ``https`` URLs with a host name;
- the host is resolved with :func:`socket.getaddrinfo`, and **every** address it resolves to
  must be acceptable, or the URL is refused before any connection is made. Refused:
  unspecified, loopback, link-local, multicast, private, reserved and any other address
  that is not globally routable (``ipaddress``'s ``is_global``), also when wrapped in an
  IPv4-mapped, 6to4 or Teredo IPv6 address, unless the address lies in a network of the
  allow-list (``PROJECTS_FETCH_ALLOW``: addresses or networks, e.g. ``["127.0.0.1",
  "10.20.0.0/16"]``);
- the connection goes to an address that was checked, never to a fresh resolution of the
  name, so a DNS answer that changes between check and connect (DNS rebinding) cannot
  switch the target. TLS still verifies the certificate against the host *name*;
- redirects (301, 302, 303, 307, 308) are followed at most ``max_redirects`` times;
- a per-operation timeout (connect, each read) and a deadline for the whole download,
  headers and body: every receive on the socket waits at most until the deadline, so a
  server sending a byte a second cannot stretch an import past it;
- a body that ends before the ``Content-Length`` its server announced fails the download
  (nothing of it is kept);
- a size cap: a ``Content-Length`` over it is refused at once, and the stream stops
  delivering bytes once it has given ``max_bytes`` (the blob store's ``max_size`` enforces
  the same cap).

Proxy environment variables are not used: the checks are about the final target.
"""
from __future__ import annotations

import base64
import http.client
import ipaddress
import socket
import ssl
import time
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Iterable, Iterator
from urllib.parse import quote, unquote, urljoin, urlsplit

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

REDIRECTS = frozenset({301, 302, 303, 307, 308})
SCHEMES = {"http": 80, "https": 443}
#: What may stay unescaped in a request target (everything else is percent-encoded).
_SAFE_PATH = "/%:@!$&'()*+,;=-._~"
_SAFE_QUERY = _SAFE_PATH + "?"


class FetchError(Exception):
    """The file could not be fetched; ``str(error)`` says why, for the client to read."""


class FetchRefused(FetchError):
    """The URL, or an address its host resolves to, is not allowed. Raised before any
    connection to that target is attempted."""


@dataclass(frozen=True)
class FetchPolicy:
    allow: tuple[IPNetwork, ...] = ()
    #: Seconds for connecting and for each read.
    timeout: float = 30.0
    #: Seconds for the whole download, redirects included.
    total_timeout: float = 600.0
    max_redirects: int = 5
    max_bytes: int | None = None
    user_agent: str = "asset-server/1 (Projects API v2 media import)"


@dataclass(frozen=True)
class Target:
    scheme: str
    host: str  # ASCII (IDNA) host name or address, without brackets
    port: int
    request_target: str  # path and query, percent-encoded
    addresses: tuple[IPAddress, ...]
    authorization: str | None = None


@dataclass
class Fetched:
    """An open download: read the body from ``stream``."""

    url: str
    content_type: str | None
    content_length: int | None
    stream: "_Body"


def parse_allow(entries: str | Iterable[str] | None) -> tuple[IPNetwork, ...]:
    """The allow-list setting as networks. A string may list entries separated by commas.
    A bad entry raises ValueError (a configuration mistake should not pass silently)."""
    if not entries:
        return ()
    if isinstance(entries, str):
        entries = [part for part in entries.split(",")]
    networks = []
    for entry in entries:
        entry = str(entry).strip()
        if entry:
            networks.append(ipaddress.ip_network(entry, strict=False))
    return tuple(networks)


def is_http_url(url: str) -> bool:
    """True for an absolute ``http``/``https`` URL with a host (what the API accepts)."""
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError for a bad port
    except ValueError:
        return False
    return parts.scheme.lower() in SCHEMES and bool(parts.hostname)


# -- address rules ------------------------------------------------------------------------------

def _allowed(address: IPAddress, allow: tuple[IPNetwork, ...]) -> bool:
    return any(address.version == net.version and address in net for net in allow)


def _flagged(address: IPAddress) -> str | None:
    for reason, flag in (
        ("unspecified", address.is_unspecified),
        ("loopback", address.is_loopback),
        ("link-local", address.is_link_local),
        ("multicast", address.is_multicast),
        ("private", address.is_private),
        ("reserved", address.is_reserved),
    ):
        if flag:
            return reason
    if not address.is_global:
        return "not globally routable"
    return None


def refusal(address: IPAddress, allow: tuple[IPNetwork, ...] = ()) -> str | None:
    """Why ``address`` may not be fetched from, or None when it may."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped  # ::ffff:127.0.0.1 is 127.0.0.1
    if _allowed(address, allow):
        return None
    reason = _flagged(address)
    if reason is not None:
        return reason
    if isinstance(address, ipaddress.IPv6Address):
        # 6to4 and Teredo addresses carry an IPv4 address that the traffic may reach.
        for inner in (address.sixtofour, address.teredo[1] if address.teredo else None):
            if inner is not None and not _allowed(inner, allow):
                reason = _flagged(inner)
                if reason is not None:
                    return reason
    return None


def resolve(host: str, port: int) -> list[IPAddress]:
    """Every address ``host`` resolves to (a literal address resolves to itself)."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM,
                                   proto=socket.IPPROTO_TCP)
    except (socket.gaierror, UnicodeError, OSError) as error:
        raise FetchError(f"the host {host} could not be resolved ({error})") from None
    addresses: list[IPAddress] = []
    for _family, _type, _proto, _name, sockaddr in infos:
        text = str(sockaddr[0]).split("%", 1)[0]  # drop an IPv6 zone index
        address = ipaddress.ip_address(text)
        if address not in addresses:
            addresses.append(address)
    if not addresses:
        raise FetchError(f"the host {host} could not be resolved")
    return addresses


def check_target(url: str, policy: FetchPolicy) -> Target:
    """Parse and check one URL; raise :class:`FetchRefused` (or FetchError) before any
    connection when it may not be fetched."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise FetchRefused("not a valid HTTP URL") from None
    scheme = parts.scheme.lower()
    if scheme not in SCHEMES or not parts.hostname:
        raise FetchRefused("not a valid HTTP URL")
    try:
        host = parts.hostname.encode("idna").decode("ascii")
    except UnicodeError:
        raise FetchRefused(f"the host name {parts.hostname!r} is not valid") from None
    port = port or SCHEMES[scheme]
    addresses = resolve(host, port)
    for address in addresses:
        reason = refusal(address, policy.allow)
        if reason is not None:
            raise FetchRefused(
                f"refused to fetch from {host}: it resolves to {address}, a {reason} address"
                if reason != "not globally routable" else
                f"refused to fetch from {host}: it resolves to {address}, which is not "
                "globally routable"
            )
    request_target = quote(parts.path or "/", safe=_SAFE_PATH)
    if parts.query:
        request_target += "?" + quote(parts.query, safe=_SAFE_QUERY)
    authorization = None
    if parts.username is not None:
        credentials = f"{unquote(parts.username)}:{unquote(parts.password or '')}"
        authorization = "Basic " + base64.b64encode(credentials.encode()).decode("ascii")
    return Target(scheme=scheme, host=host, port=port, request_target=request_target,
                  addresses=tuple(addresses), authorization=authorization)


# -- connections ---------------------------------------------------------------------------------

TOO_LONG = "the download took too long (timed out)"


def _open_socket(address: IPAddress, port: int, timeout: float) -> socket.socket:
    """Connect to an address that :func:`check_target` accepted (tests watch this)."""
    return socket.create_connection((str(address), port), timeout=timeout)


class _Deadline:
    """Makes every receive of a socket end by ``deadline`` (``time.monotonic()``).

    A per-operation timeout alone lets a server that sends a byte now and then hold a
    download for ever: each receive succeeds in time. Before each receive the socket's
    timeout is set to what is left of the per-operation timeout and the deadline, and
    none starts after the deadline.
    """

    deadline: float | None = None
    operation_timeout: float = 30.0

    def _arm(self) -> None:
        if self.deadline is None:  # still being set up
            return
        left = self.deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError(TOO_LONG)
        self.settimeout(min(self.operation_timeout, left))  # type: ignore[attr-defined]

    def recv(self, *args, **kwargs):
        self._arm()
        return super().recv(*args, **kwargs)  # type: ignore[misc]

    def recv_into(self, *args, **kwargs):
        self._arm()
        return super().recv_into(*args, **kwargs)  # type: ignore[misc]

    def read(self, *args, **kwargs):  # SSLSocket's receive
        self._arm()
        return super().read(*args, **kwargs)  # type: ignore[misc]


class _DeadlineSocket(_Deadline, socket.socket):
    pass


class _DeadlineSSLSocket(_Deadline, ssl.SSLSocket):
    pass


def _bounded(sock: socket.socket, deadline: float, timeout: float) -> _DeadlineSocket:
    bounded = _DeadlineSocket(sock.family, sock.type, sock.proto, fileno=sock.detach())
    bounded.deadline, bounded.operation_timeout = deadline, timeout
    bounded.settimeout(max(0.001, min(timeout, deadline - time.monotonic())))
    return bounded


class _PinnedHTTPConnection(http.client.HTTPConnection):
    def __init__(self, host: str, port: int, address: IPAddress, timeout: float,
                 deadline: float) -> None:
        super().__init__(host, port, timeout=timeout)
        self._pinned = address
        self._deadline = deadline

    def connect(self) -> None:
        sock = _open_socket(self._pinned, self.port, self.timeout)
        self.sock = _bounded(sock, self._deadline, self.timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    def __init__(self, host: str, port: int, address: IPAddress, timeout: float,
                 deadline: float) -> None:
        context = ssl.create_default_context()
        context.sslsocket_class = _DeadlineSSLSocket
        super().__init__(host, port, timeout=timeout, context=context)
        self._pinned = address
        self._deadline = deadline

    def connect(self) -> None:
        sock = _bounded(_open_socket(self._pinned, self.port, self.timeout), self._deadline,
                        self.timeout)
        try:
            wrapped = self._context.wrap_socket(sock, server_hostname=self.host)
        except BaseException:
            sock.close()
            raise
        wrapped.deadline, wrapped.operation_timeout = self._deadline, self.timeout
        self.sock = wrapped


def _request(target: Target, policy: FetchPolicy, deadline: float):
    kind = _PinnedHTTPSConnection if target.scheme == "https" else _PinnedHTTPConnection
    last_error: Exception | None = None
    for address in target.addresses:
        timeout = max(0.001, min(policy.timeout, deadline - time.monotonic()))
        connection = kind(target.host, target.port, address, timeout, deadline)
        try:
            connection.connect()
        except (OSError, ssl.SSLError) as error:
            connection.close()
            last_error = error
            continue
        headers = {"User-Agent": policy.user_agent, "Accept": "*/*",
                   "Accept-Encoding": "identity", "Connection": "close"}
        if target.authorization:
            headers["Authorization"] = target.authorization
        try:
            connection.request("GET", target.request_target, headers=headers)
            return connection, connection.getresponse()
        except (OSError, http.client.HTTPException) as error:
            connection.close()
            if time.monotonic() >= deadline:
                raise FetchError(TOO_LONG) from None
            raise FetchError(f"the request to {target.host} failed: {_describe(error)}") from None
    if time.monotonic() >= deadline:
        raise FetchError(TOO_LONG)
    raise FetchError(f"could not connect to {target.host}: {_describe(last_error)}")


def _describe(error: Exception | None) -> str:
    if isinstance(error, (socket.timeout, TimeoutError)):
        return "timed out"
    return str(error) or type(error).__name__


class _Body:
    """The response body as a stream, with the deadline, the size cap and the announced
    length applied: a body that ends short of its ``Content-Length`` raises."""

    def __init__(self, response: http.client.HTTPResponse, deadline: float,
                 max_bytes: int | None, content_length: int | None = None) -> None:
        self._response = response
        self._deadline = deadline
        self._max_bytes = max_bytes
        self._content_length = content_length
        self.delivered = 0

    def read(self, size: int = -1) -> bytes:
        if time.monotonic() > self._deadline:
            raise FetchError(TOO_LONG)
        if self._max_bytes is not None and self.delivered > self._max_bytes:
            raise FetchError(f"the file is larger than the limit of {self._max_bytes} bytes")
        wanted = size if size is not None and size >= 0 else 1024 * 1024
        try:
            chunk = self._response.read(wanted)
        except http.client.IncompleteRead as error:
            self.delivered += len(error.partial)
            raise self._short() from None
        except (OSError, http.client.HTTPException) as error:
            if time.monotonic() >= self._deadline:
                raise FetchError(TOO_LONG) from None
            raise FetchError(f"the download failed: {_describe(error)}") from None
        self.delivered += len(chunk)
        if not chunk and wanted and self._content_length is not None \
                and self.delivered < self._content_length:
            raise self._short()
        return chunk

    def _short(self) -> FetchError:
        if self._content_length is None:
            return FetchError("the download ended before the end of the file (the "
                              "connection was closed)")
        return FetchError(f"the download ended after {self.delivered} of the "
                          f"{self._content_length} bytes the server announced")


@contextmanager
def open_url(url: str, policy: FetchPolicy) -> Iterator[Fetched]:
    """Open ``url`` under ``policy``, following redirects; the caller reads the body."""
    deadline = time.monotonic() + policy.total_timeout
    current = url
    hops = 0
    while True:
        target = check_target(current, policy)
        connection, response = _request(target, policy, deadline)
        try:
            if response.status in REDIRECTS:
                location = response.getheader("Location")
                if not location:
                    raise FetchError(f"the server answered {response.status} without a Location")
                if hops >= policy.max_redirects:
                    raise FetchError(f"too many redirects (more than {policy.max_redirects})")
                hops += 1
                current = urljoin(current, location.strip())
                continue
            if not 200 <= response.status < 300:
                answer = f"{response.status} {response.reason}".rstrip()
                raise FetchError(f"the server answered {answer}")
            length = _content_length(response)
            if policy.max_bytes is not None and length is not None and length > policy.max_bytes:
                raise FetchError(f"the file is larger than the limit of {policy.max_bytes} bytes")
            yield Fetched(url=current, content_type=response.getheader("Content-Type"),
                          content_length=length,
                          stream=_Body(response, deadline, policy.max_bytes, length))
            return
        finally:
            connection.close()


def _content_length(response: http.client.HTTPResponse) -> int | None:
    value = response.getheader("Content-Length")
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None
