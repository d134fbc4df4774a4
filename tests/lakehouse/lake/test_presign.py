"""Presigned links to S3 objects: the signature AWS documents, and the refusals."""

from datetime import UTC, datetime

import pytest

from lakehouse.errors import PelotonError
from lakehouse.lake.presign import MAX_EXPIRY_S, S3Signer, presigned_get, split_s3_uri

AWS_EXAMPLE = S3Signer("AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")


def test_the_link_carries_the_signature_of_aws_documented_example() -> None:
    """AWS's "Authenticating Requests: Using Query Parameters" example, to the character."""
    link = presigned_get(
        AWS_EXAMPLE, "s3://examplebucket/test.txt", 86400, datetime(2013, 5, 24, tzinfo=UTC)
    )
    assert link == (
        "https://examplebucket.s3.amazonaws.com/test.txt?X-Amz-Algorithm=AWS4-HMAC-SHA256"
        "&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request"
        "&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host"
        "&X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404"
    )


def test_an_endpoint_of_its_own_gets_a_path_style_link_and_keys_are_escaped() -> None:
    signer = S3Signer("key", "secret", "eu-west-3", endpoint="http://127.0.0.1:9000")
    link = presigned_get(signer, "s3://lake/exports/gifs/stage=05/a b.gif", 60)
    assert link.startswith("http://127.0.0.1:9000/lake/exports/gifs/stage%3D05/a%20b.gif?")
    assert "%2Feu-west-3%2Fs3%2Faws4_request" in link
    other_region = S3Signer("key", "secret", "eu-west-3")
    assert presigned_get(other_region, "s3://lake/x.gif", 60).startswith(
        "https://lake.s3.eu-west-3.amazonaws.com/x.gif?"
    )


@pytest.mark.parametrize("expires", [0, MAX_EXPIRY_S + 1])
def test_an_expiry_s3_would_refuse_is_refused_here(expires: int) -> None:
    with pytest.raises(PelotonError, match="7 days"):
        presigned_get(AWS_EXAMPLE, "s3://examplebucket/test.txt", expires)


@pytest.mark.parametrize("uri", ["file:///tmp/x.gif", "s3://bucket", "s3:///key"])
def test_only_an_s3_object_uri_is_signed(uri: str) -> None:
    with pytest.raises(PelotonError, match="not an S3 object URI"):
        split_s3_uri(uri)
