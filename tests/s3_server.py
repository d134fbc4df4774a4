"""A real S3-protocol server on loopback for the tests: S3Proxy on its file-system backend.

S3Proxy (https://github.com/gaul/s3proxy, Apache-2.0) implements the S3 REST API (signature
v2/v4, multipart uploads, listing, conditional requests) over jclouds blob stores. Its
self-contained jar is fetched once from Maven Central, SHA-1 verified, into the machine-wide
Peloton cache, and runs on any Java >= 17.
"""

from __future__ import annotations

import shutil
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from pyarrow import fs

from lakehouse.artifacts import MavenArtifact, fetch
from lakehouse.doctor import find_java
from lakehouse.ports import free_port
from lakehouse.settings import Settings

S3PROXY = MavenArtifact("org.gaul", "s3proxy", "4.1.0", classifier="jar-with-dependencies")
ACCESS_KEY = "peloton-test"
SECRET_KEY = "peloton-test-secret"


@dataclass(frozen=True)
class S3Server:
    endpoint: str
    access_key: str
    secret_key: str
    data_dir: Path
    """Where the file-system backend keeps the objects: `data_dir/bucket/key`."""

    def filesystem(self) -> fs.S3FileSystem:
        return fs.S3FileSystem(
            access_key=self.access_key,
            secret_key=self.secret_key,
            endpoint_override=self.endpoint,
            region="us-east-1",
            force_virtual_addressing=False,
            allow_bucket_creation=True,
        )

    def create_bucket(self, name: str) -> None:
        self.filesystem().create_dir(name)


def _java() -> str:
    found = find_java(Settings())
    if found is not None:
        return str(found[0])
    java = shutil.which("java")
    if java is None:
        raise RuntimeError("no Java found for S3Proxy: install a JDK >= 17")
    return java


def _wait_until_answering(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"S3Proxy exited with {process.returncode}: {log.read_text()}")
        try:
            urllib.request.urlopen(url, timeout=2)
            return
        except urllib.error.HTTPError:
            return  # anonymous requests are refused: the server answers
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"S3Proxy did not answer at {url} within 60 s: {log.read_text()}")


@contextmanager
def s3_server(workdir: Path) -> Iterator[S3Server]:
    """Start S3Proxy on a free loopback port with its objects under `workdir`; stop it after."""
    jar = fetch(S3PROXY)
    data_dir = workdir / "objects"
    data_dir.mkdir(parents=True, exist_ok=True)
    endpoint = f"http://127.0.0.1:{free_port()}"
    conf = workdir / "s3proxy.conf"
    conf.write_text(
        f"s3proxy.endpoint={endpoint}\n"
        "s3proxy.authorization=aws-v2-or-v4\n"
        f"s3proxy.identity={ACCESS_KEY}\n"
        f"s3proxy.credential={SECRET_KEY}\n"
        # Trino's S3 client sends headers S3Proxy does not know (x-amz-optional-object-...)
        "s3proxy.ignore-unknown-headers=true\n"
        "jclouds.provider=filesystem\n"
        f"jclouds.filesystem.basedir={data_dir}\n"
    )
    log = workdir / "s3proxy.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [_java(), "-Xmx256m", "-jar", str(jar), "--properties", str(conf)],
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        _wait_until_answering(endpoint + "/", process, log)
        yield S3Server(endpoint, ACCESS_KEY, SECRET_KEY, data_dir)
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
