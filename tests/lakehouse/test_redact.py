import pytest

from lakehouse.redact import mask_url


@pytest.mark.parametrize(
    ("url", "masked"),
    [
        (
            "postgresql://peloton:s3cret@127.0.0.1:5432/race",
            "postgresql://peloton:****@127.0.0.1:5432/race",
        ),
        ("postgresql://peloton@host/db", "postgresql://peloton@host/db"),
        ("postgresql://host/db", "postgresql://host/db"),
        (
            "postgresql://u:p%40ss@[::1]:5432/db?sslmode=require",
            "postgresql://u:****@[::1]:5432/db?sslmode=require",
        ),
        ("https://user:tok@example.org/v1", "https://user:****@example.org/v1"),
    ],
)
def test_mask_url(url: str, masked: str) -> None:
    assert mask_url(url) == masked
