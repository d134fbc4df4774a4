"""Presigned links to objects of a private S3 bucket (AWS Signature Version 4, query string).

A presigned GET URL lets a browser fetch one object until the link expires, with no credential
of its own and the bucket private. The signature is computed here with the standard library
(the algorithm of AWS's "Authenticating Requests: Using Query Parameters"), so no AWS SDK is
needed; it works with AWS S3 (virtual-hosted addresses) and with S3-compatible stores at an
endpoint of their own (path-style addresses: MinIO, Ceph, S3Proxy, ...).
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import quote, urlsplit

from lakehouse.errors import PelotonError

MAX_EXPIRY_S = 7 * 24 * 3600
"""The longest expiry S3 accepts for a link signed with Signature Version 4."""
ALGORITHM = "AWS4-HMAC-SHA256"


@dataclass(frozen=True)
class S3Signer:
    """What a link is signed with: where the store answers, its region and the keys."""

    access_key_id: str
    secret_access_key: str
    region: str = "us-east-1"
    endpoint: str | None = None
    """An S3-compatible store's URL (path-style addresses); None for AWS S3."""
    session_token: str | None = None


def split_s3_uri(uri: str) -> tuple[str, str]:
    """(bucket, key) of `s3://bucket/key` (also `s3a://`)."""
    parts = urlsplit(uri)
    if parts.scheme not in ("s3", "s3a") or not parts.netloc or not parts.path.strip("/"):
        raise PelotonError(f"{uri!r} is not an S3 object URI; expected s3://bucket/key")
    return parts.netloc, parts.path.lstrip("/")


def presigned_get(signer: S3Signer, uri: str, expires_s: int, now: datetime | None = None) -> str:
    """A URL that GETs the object at `uri` (`s3://bucket/key`) for `expires_s` seconds."""
    if not 1 <= expires_s <= MAX_EXPIRY_S:
        raise PelotonError(
            f"link expiry {expires_s} s: expected between 1 s and {MAX_EXPIRY_S} s (7 days)"
        )
    bucket, key = split_s3_uri(uri)
    if signer.endpoint:
        base = urlsplit(signer.endpoint)
        scheme, host = base.scheme or "https", base.netloc
        path = f"{base.path.rstrip('/')}/{bucket}/{key}"
    else:
        # us-east-1 answers at the global address too (the one AWS's examples sign)
        region = "" if signer.region == "us-east-1" else f".{signer.region}"
        scheme, host, path = "https", f"{bucket}.s3{region}.amazonaws.com", f"/{key}"
    when = (now or datetime.now(UTC)).astimezone(UTC)
    stamp, day = when.strftime("%Y%m%dT%H%M%SZ"), when.strftime("%Y%m%d")
    scope = f"{day}/{signer.region}/s3/aws4_request"
    query = {
        "X-Amz-Algorithm": ALGORITHM,
        "X-Amz-Credential": f"{signer.access_key_id}/{scope}",
        "X-Amz-Date": stamp,
        "X-Amz-Expires": str(expires_s),
        "X-Amz-SignedHeaders": "host",
    }
    if signer.session_token:
        query["X-Amz-Security-Token"] = signer.session_token
    canonical_query = "&".join(f"{_encode(k)}={_encode(v)}" for k, v in sorted(query.items()))
    canonical_uri = quote(path, safe="/~")
    request = "\n".join(
        ["GET", canonical_uri, canonical_query, f"host:{host}\n", "host", "UNSIGNED-PAYLOAD"]
    )
    to_sign = "\n".join([ALGORITHM, stamp, scope, hashlib.sha256(request.encode()).hexdigest()])
    key_bytes = f"AWS4{signer.secret_access_key}".encode()
    for part in (day, signer.region, "s3", "aws4_request"):
        key_bytes = hmac.new(key_bytes, part.encode(), hashlib.sha256).digest()
    signature = hmac.new(key_bytes, to_sign.encode(), hashlib.sha256).hexdigest()
    return f"{scheme}://{host}{canonical_uri}?{canonical_query}&X-Amz-Signature={signature}"


def _encode(text: str) -> str:
    return quote(text, safe="-_.~")
