"""A stand-in for a Trino coordinator behind TLS with password authentication, in tests only.

It speaks the client protocol (`POST /v1/statement`, then `GET nextUri` pages) over HTTPS with
a self-signed certificate, answers one scripted result in several pages, and records the
headers it was sent, so a test can check what a client sends a cloud Trino.
"""

from __future__ import annotations

import base64
import datetime as dt
import ipaddress
import json
import ssl
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from lakehouse.ports import free_port

PAGES = 3
ROWS_PER_PAGE = 2


@dataclass
class Seen:
    headers: list[dict[str, str]] = field(default_factory=list)


def _certificate(folder: Path) -> tuple[Path, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(hours=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = folder / "trino.pem", folder / "trino.key"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_file, key_file


@contextmanager
def tls_trino(folder: Path, users: dict[str, str]) -> Iterator[tuple[int, Path, Seen]]:
    """A coordinator on 127.0.0.1 that accepts `users` (name: password); yields its port, the
    CA file of its certificate and what it was sent."""
    cert_file, key_file = _certificate(folder)
    seen = Seen()
    port = free_port()

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def _answer(self, page: int) -> None:
            seen.headers.append({k.lower(): v for k, v in self.headers.items()})
            expected = users.get(self.headers.get("X-Trino-User", ""))
            token = base64.b64encode(f"{self.headers.get('X-Trino-User')}:{expected}".encode())
            if expected is None or self.headers.get("Authorization") != f"Basic {token.decode()}":
                self.send_response(401)
                self.end_headers()
                self.wfile.write(b"Unauthorized")
                return
            body: dict[str, object] = {"id": "q1", "stats": {"state": "RUNNING"}}
            if page > 0:
                body["columns"] = [{"name": "n", "type": "bigint"}]
                body["data"] = [[(page - 1) * ROWS_PER_PAGE + i] for i in range(ROWS_PER_PAGE)]
            if page < PAGES:
                body["nextUri"] = f"https://127.0.0.1:{port}/v1/statement/executing/q1/{page + 1}"
            payload = json.dumps(body).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("Content-Length", "0")))
            self._answer(0)

        def do_GET(self) -> None:
            self._answer(int(self.path.rsplit("/", 1)[-1]))

    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert_file, key_file)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield port, cert_file, seen
    finally:
        server.shutdown()
        server.server_close()
