"""The flyby exports over HTTP (`peloton gif serve`): the gallery's pages and every GIF.

`/` and `/stage-NN.html` are the gallery's pages (lakehouse.gifs.gallery), rendered from
`marts.gif_exports` on each request, so a night's exports appear without a restart. A GIF is at
`/exports/gifs/stage=NN/<file>.gif`, the path it has under the warehouse; the dashboards link
there. From a local warehouse its bytes are sent through the catalog's file IO; from an S3
warehouse the answer is a redirect to a presigned URL that expires after
PELOTON_GIFS__LINK_EXPIRY_S, so the bucket stays private and only this server holds a key.
Only the paths indexed in `marts.gif_exports` are served, nothing else of the warehouse.

The server has no authentication of its own and binds to loopback by default: to publish it,
put it behind the proxy that publishes Superset.
"""

from __future__ import annotations

import http.server
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote, urlsplit

from pyiceberg.catalog import Catalog

from lakehouse.errors import PelotonError
from lakehouse.gifs.exports import EXPORTS_DIR
from lakehouse.gifs.gallery import export_rows, gallery_pages, stylesheet
from lakehouse.lake.presign import S3Signer, presigned_get
from lakehouse.settings import Settings

GIF_TYPE = "image/gif"


def export_key(path: str) -> str:
    """A GIF's path under the warehouse (`exports/gifs/stage=NN/<file>.gif`), from its URI."""
    marker = f"/{EXPORTS_DIR}/"
    if marker not in path:
        raise PelotonError(f"{path!r} is not under the exports folder {EXPORTS_DIR}/")
    return EXPORTS_DIR + "/" + path.split(marker, 1)[1]


def signer(settings: Settings) -> S3Signer:
    """What presigned links are signed with: the warehouse's S3 settings."""
    storage = settings.storage
    if storage.s3_access_key_id is None or storage.s3_secret_access_key is None:
        raise PelotonError(
            "an S3 warehouse's GIFs are linked with presigned URLs: set "
            "PELOTON_STORAGE__S3_ACCESS_KEY_ID and PELOTON_STORAGE__S3_SECRET_ACCESS_KEY"
        )
    return S3Signer(
        access_key_id=storage.s3_access_key_id.get_secret_value(),
        secret_access_key=storage.s3_secret_access_key.get_secret_value(),
        region=storage.s3_region,
        endpoint=storage.s3_endpoint,
    )


@dataclass(frozen=True)
class Answer:
    status: int
    content_type: str = "text/plain; charset=utf-8"
    body: bytes = b""
    location: str | None = None


def answer(catalog: Catalog, settings: Settings, path: str) -> Answer:
    """What the server answers to a GET of `path` (no query string)."""
    path = unquote(path)
    if path in ("", "/"):
        path = "/index.html"
    if path == "/gallery.css":
        return Answer(200, "text/css; charset=utf-8", stylesheet())
    try:
        table, rows = export_rows(catalog)
    except PelotonError as exc:
        return Answer(404, body=f"{exc}\n".encode())
    if path.startswith(f"/{EXPORTS_DIR}/"):
        found = {export_key(str(r["path"])): str(r["path"]) for r in rows}
        uri = found.get(path[1:])
        if uri is None:
            return Answer(404, body=f"no export at {path}\n".encode())
        if uri.startswith(("s3://", "s3a://")):
            link = presigned_get(signer(settings), uri, settings.gifs.link_expiry_s)
            return Answer(302, location=link)
        with table.io.new_input(uri).open() as source:
            return Answer(200, GIF_TYPE, source.read())
    pages = gallery_pages(rows, lambda r: "/" + export_key(str(r["path"])))
    page = pages.get(path[1:])
    if page is None:
        return Answer(404, body=f"no page at {path}: the index is at /\n".encode())
    return Answer(200, "text/html; charset=utf-8", page.encode())


def handler_for(
    catalog: Catalog, settings: Settings, log: Callable[[str], None]
) -> type[http.server.BaseHTTPRequestHandler]:
    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            try:
                reply = answer(catalog, settings, urlsplit(self.path).path)
            except PelotonError as exc:
                reply = Answer(500, body=f"{exc}\n".encode())
            self.send_response(reply.status)
            if reply.location:
                self.send_header("Location", reply.location)
                self.send_header("Cache-Control", "no-store")  # the link expires
            self.send_header("Content-Type", reply.content_type)
            self.send_header("Content-Length", str(len(reply.body)))
            self.end_headers()
            self.wfile.write(reply.body)

        def log_message(self, format: str, *args: Any) -> None:
            log(f"{self.address_string()} {format % args}")

    return Handler


def exports_server(
    catalog: Catalog,
    settings: Settings,
    log: Callable[[str], None] = lambda _: None,
    port: int | None = None,
) -> http.server.ThreadingHTTPServer:
    """The server bound to PELOTON_GIFS__HOST and the port (0: any free one), not yet serving."""
    address = (settings.gifs.host, settings.gifs.port if port is None else port)
    try:
        return http.server.ThreadingHTTPServer(address, handler_for(catalog, settings, log))
    except OSError as exc:
        raise PelotonError(
            f"cannot serve the exports on {address[0]}:{address[1]}: {exc.strerror}; "
            "choose another with PELOTON_GIFS__PORT"
        ) from exc
