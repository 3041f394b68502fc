"""Reading one object from the configured S3-compatible bucket (``s3[s3_key]`` imports).

boto3 is optional (the ``s3`` extra): it is imported only when an S3 import runs, so the
server starts and serves everything else without it. No Flask here.

The bucket, endpoint and credentials come from the settings only; a client names just
the key. Errors shown to the client never contain the endpoint or the credentials (those
are logged instead).
"""
from __future__ import annotations

import importlib.util
import logging
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Iterator

from .fetch import Fetched, FetchError

log = logging.getLogger(__name__)

NOT_FOUND_CODES = frozenset({"NoSuchKey", "404", "NotFound"})


@dataclass(frozen=True)
class S3Settings:
    bucket: str | None
    endpoint_url: str | None = None
    access_key_id: str | None = None
    secret_access_key: str | None = None
    region: str | None = None
    addressing_style: str = "auto"
    timeout: float = 30.0

    def __repr__(self) -> str:  # keep the secret out of logs and tracebacks
        return (f"S3Settings(bucket={self.bucket!r}, endpoint_url={self.endpoint_url!r}, "
                f"region={self.region!r})")


def boto3_installed() -> bool:
    try:
        return importlib.util.find_spec("boto3") is not None
    except (ImportError, ValueError):
        return False


def unavailable(settings: S3Settings | None) -> str | None:
    """Why S3 imports cannot run on this server, or None when they can."""
    if settings is None or not settings.bucket:
        return "S3 import is not configured on this server"
    if not boto3_installed():
        return "S3 import needs boto3 on the server (install the 's3' extra)"
    return None


class _Body:
    def __init__(self, body, max_bytes: int | None) -> None:
        self._body = body
        self._max_bytes = max_bytes
        self.delivered = 0

    def read(self, size: int = -1) -> bytes:
        if self._max_bytes is not None and self.delivered > self._max_bytes:
            raise FetchError(f"the file is larger than the limit of {self._max_bytes} bytes")
        try:
            chunk = self._body.read(size if size is not None and size >= 0 else 1024 * 1024)
        except Exception as error:  # botocore and urllib3 errors alike
            log.warning("reading from S3 failed: %r", error)
            raise FetchError("reading the object from S3 failed") from None
        self.delivered += len(chunk)
        return chunk


def _client(settings: S3Settings):
    try:
        import boto3
        from botocore.config import Config
    except ImportError:
        raise FetchError("S3 import needs boto3 on the server (install the 's3' extra)") from None
    config = Config(
        connect_timeout=settings.timeout, read_timeout=settings.timeout,
        retries={"max_attempts": 2, "mode": "standard"},
        s3={"addressing_style": settings.addressing_style or "auto"},
    )
    # A session per import: boto3 sessions are not thread-safe, clients are.
    session = boto3.session.Session()
    return session.client(
        "s3", endpoint_url=settings.endpoint_url or None, region_name=settings.region or None,
        aws_access_key_id=settings.access_key_id or None,
        aws_secret_access_key=settings.secret_access_key or None, config=config,
    )


@contextmanager
def open_object(key: str, settings: S3Settings, max_bytes: int | None) -> Iterator[Fetched]:
    reason = unavailable(settings)
    if reason is not None:
        raise FetchError(reason)
    from botocore.exceptions import BotoCoreError, ClientError

    if not key:
        raise FetchError("the S3 key is empty")
    client = _client(settings)
    try:
        answer = client.get_object(Bucket=settings.bucket, Key=key)
    except ClientError as error:
        code = str(error.response.get("Error", {}).get("Code", ""))
        if code in NOT_FOUND_CODES:
            raise FetchError(f"there is no object with the key {key!r} in the S3 bucket") from None
        log.warning("S3 get_object(%r) failed: %r", key, error)
        raise FetchError(f"S3 refused to give the object {key!r} ({code or 'error'})") from None
    except BotoCoreError as error:
        log.warning("S3 get_object(%r) failed: %r", key, error)
        raise FetchError("the S3 service could not be reached") from None
    body = answer["Body"]
    try:
        length = answer.get("ContentLength")
        if max_bytes is not None and isinstance(length, int) and length > max_bytes:
            raise FetchError(f"the file is larger than the limit of {max_bytes} bytes")
        yield Fetched(url=f"s3://{settings.bucket}/{key}", content_type=answer.get("ContentType"),
                      content_length=length if isinstance(length, int) else None,
                      stream=_Body(body, max_bytes))
    finally:
        body.close()
