"""The dev server's HTTP side: pages rendered on request, live reload over Server-Sent Events.

Bound to 127.0.0.1 only, and answering only requests addressed to a loopback host name (no
DNS rebinding). Pages come from the engine's current snapshot (so an edit is
visible as soon as it is applied); other files (Pagefind's index) come from the output
folder. A request path is decoded once, checked segment by segment, and a file on disk is
served only if its resolved path is inside the output folder, so ``..`` or encoded
traversal never leaves it.
"""

from __future__ import annotations

import hashlib
import json
import mimetypes
import queue
import sys
import threading
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import parse_qs, unquote, urlsplit

from ..errors import BuildError
from ..snapshot import Snapshot, Update
from ..urls import Urls, output_file

if TYPE_CHECKING:
    from .app import DevApp

CLIENT_JS = (Path(__file__).parent / "client.js").read_bytes()
CLIENT_TAG = b'<script src="/__dev/client.js"></script>'
HEARTBEAT = 15  # seconds between keep-alive comments on an event stream


class Clients:
    """Browsers listening for events, each with the output file it shows."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._clients: dict[int, tuple[str | None, queue.Queue]] = {}
        self._next = 0

    def add(self, file: str | None) -> tuple[int, queue.Queue]:
        with self._lock:
            self._next += 1
            self._clients[self._next] = (file, queue.Queue())
            return self._next, self._clients[self._next][1]

    def remove(self, key: int) -> None:
        with self._lock:
            self._clients.pop(key, None)

    def files(self) -> set[str]:
        with self._lock:
            return {file for file, _ in self._clients.values() if file}

    def send(self, event: str, data: object, file: str | None = None) -> int:
        """Queue an event for every client (or those showing ``file``); returns how many."""
        message = f"event: {event}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n".encode()
        with self._lock:
            targets = [q for f, q in self._clients.values() if file is None or f == file]
        for target in targets:
            target.put(message)
        return len(targets)


class DevServer:
    def __init__(self, app: DevApp, host: str, port: int):
        self.app = app
        self.engine = app.engine
        self.root = app.root  # for showing paths relative to the project
        self.clients = Clients()
        # output file -> (fingerprint, hash of the bytes) last served
        self.served: dict[str, tuple[str | None, str]] = {}
        self._cache: tuple[int, dict[str, bytes]] = (-1, {})  # pages of one snapshot
        self._lock = threading.Lock()
        self.httpd = _Server((host, port), _Handler)
        self.httpd.dev = self  # type: ignore[attr-defined]

    @property
    def port(self) -> int:
        return self.httpd.server_address[1]

    def serve_forever(self) -> None:
        self.httpd.serve_forever(poll_interval=0.2)

    def shutdown(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    # -- after a rebuild ----------------------------------------------------------------------

    def updated(self, update: Update, previous: Snapshot | None) -> list[str]:
        """Tell browsers what changed (``previous``: the snapshot before the update); returns
        the files whose viewers were told to reload. A page is rendered again only if its
        fingerprint changed, and reloaded only if its bytes did."""
        snapshot = self.engine.snapshot
        self.clients.send("build-ok", {})
        if update.kind == "css" and previous is not None:
            href = Urls(snapshot.config).href
            swaps = [{"from": href(previous.assets.urls[name]), "to": href(url)}
                     for name, url in snapshot.assets.urls.items()
                     if name.endswith(".css") and previous.assets.urls.get(name) not in (None, url)]
            self.clients.send("css", swaps)
        reloaded = []
        for file in self.clients.files():
            fingerprint = snapshot.fingerprint(file)
            served = self.served.get(file)
            if served is not None and served[0] == fingerprint:
                continue
            digest = _digest(self.page(file))
            if served is None or digest != served[1]:
                self.served[file] = (fingerprint, digest)
                if update.kind != "css":
                    self.clients.send("reload", {}, file)
                    reloaded.append(file)
        # Last for every page: whatever this update had to say to it was said before.
        self.clients.send("build-done", {"version": snapshot.version})
        return reloaded

    def failed(self, error: BuildError) -> None:
        self.clients.send("build-error", self.error_data(error))

    def error_data(self, error: BuildError) -> dict:
        return {"message": error.message, "file": error.display_path(self.root),
                "line": error.line}

    def page(self, file: str) -> bytes | None:
        """A file of the current snapshot (memoised per snapshot), or None."""
        snapshot = self.engine.snapshot
        if snapshot is None:
            return None
        with self._lock:
            version, pages = self._cache
            if version != snapshot.version:
                self._cache = (snapshot.version, {})
                pages = self._cache[1]
            if file in pages:
                return pages[file]
        try:
            data = snapshot.render(file)
        except BuildError as error:  # a template error in that page
            self.app.error = error
            self.failed(error)
            return None
        except Exception as exc:  # noqa: BLE001 - a bug in one page must not drop the request
            error = BuildError(f"internal error while rendering {file}: {exc!r}")
            self.app.error = error
            self.failed(error)
            return None
        with self._lock:
            if self._cache[0] == snapshot.version and len(self._cache[1]) < 256:
                self._cache[1][file] = data
        return data

    # -- serving ------------------------------------------------------------------------------

    def resolve(self, path: str) -> tuple[str, str | None]:
        """("file", output file), ("redirect", location) or ("missing", None) for a URL path."""
        config = self.engine.config()
        base = config.base_path
        decoded = unquote(path)
        if "\x00" in decoded or "\\" in decoded:
            return "missing", None
        if not decoded.startswith(base):
            return ("redirect", base) if decoded in ("/", "") else ("missing", None)
        rel = decoded[len(base):]
        if any(segment in ("..", ".") for segment in rel.split("/")):
            return "missing", None
        file = output_file(rel)
        snapshot = self.engine.snapshot
        if snapshot and rel and not rel.endswith("/") and (rel + "/index.html") in snapshot.jobs:
            return "redirect", path + "/"
        return "file", file

    def content(self, file: str) -> bytes | None:
        """A page or asset of the current snapshot, or a file of the search index on disk
        (nothing else is read from the output folder, which may hold pages since deleted)."""
        data = self.page(file)
        if data is not None or not file.startswith("pagefind/"):
            return data
        index = (self.engine.config().paths.output / "pagefind").resolve()
        target = (index.parent / file).resolve()
        if target.is_relative_to(index) and target.is_file():
            return target.read_bytes()
        return None


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128  # a page's burst of asset requests is not held back

    def handle_error(self, request, client_address) -> None:
        """A browser that drops a request half-sent is no error to print."""
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


# Host names a page on this machine is asked for by: any other Host header is a page elsewhere
# reaching the server through DNS rebinding, and is refused.
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})


class _Handler(BaseHTTPRequestHandler):
    server_version = "archive-dev"

    def log_message(self, format, *args):  # noqa: A002 - the base class's name
        pass

    def do_HEAD(self):  # noqa: N802 - http.server's naming
        self.do_GET(head=True)

    def do_GET(self, head: bool = False):  # noqa: N802
        dev: DevServer = self.server.dev  # type: ignore[attr-defined]
        if not _loopback(self.headers.get("Host", "")):
            return self._send(HTTPStatus.MISDIRECTED_REQUEST, b"This server answers only to "
                              b"127.0.0.1 and localhost.\n", "text/plain; charset=utf-8", head)
        url = urlsplit(self.path)
        if url.path == "/__dev/events":
            return self._events(dev, parse_qs(url.query).get("path", [""])[0])
        if url.path == "/__dev/client.js":
            return self._send(HTTPStatus.OK, CLIENT_JS, "text/javascript; charset=utf-8", head)
        kind, value = dev.resolve(url.path)
        if kind == "redirect":
            self.send_response(HTTPStatus.MOVED_PERMANENTLY)
            self.send_header("Location", value)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return None
        data = dev.content(value) if kind == "file" else None
        status = HTTPStatus.OK
        if data is None:
            status, value = HTTPStatus.NOT_FOUND, "404.html"
            data = dev.content(value) or _bare_page(dev)
        elif value.endswith(".html"):
            snapshot = dev.engine.snapshot
            dev.served[value] = (snapshot.fingerprint(value) if snapshot else None,
                                 _digest(data))
        kind_type = _content_type(value)
        if kind_type.startswith("text/html"):
            data = _inject(data)
        return self._send(status, data, kind_type, head)

    def _send(self, status, data: bytes, content_type: str, head: bool) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        if not head:
            self.wfile.write(data)

    def _events(self, dev: DevServer, page: str) -> None:
        kind, file = dev.resolve(page)
        key, messages = dev.clients.add(file if kind == "file" else None)
        try:
            self.send_response(HTTPStatus.OK)
            self.send_header("Content-Type", "text/event-stream")
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            self.wfile.write(b"retry: 1000\n\n")
            if dev.app.error is not None:
                error = dev.error_data(dev.app.error)
                self.wfile.write(f"event: build-error\ndata: {json.dumps(error)}\n\n".encode())
            self.wfile.flush()
            while True:
                try:
                    message = messages.get(timeout=HEARTBEAT)
                except queue.Empty:
                    message = b": ping\n\n"
                self.wfile.write(message)
                self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError, OSError):
            pass
        finally:
            dev.clients.remove(key)


def _loopback(host: str) -> bool:
    try:
        return urlsplit(f"//{host}").hostname in LOOPBACK_HOSTS
    except ValueError:  # not a host name at all
        return False


def _inject(html: bytes) -> bytes:
    at = html.rfind(b"</body>")
    return html + CLIENT_TAG if at < 0 else html[:at] + CLIENT_TAG + html[at:]


def _bare_page(dev: DevServer) -> bytes:
    """What to show when there is no page at all yet (the first build failed)."""
    message = "الصفحة غير موجودة" if dev.app.error is None else "تعذّر بناء الموقع"
    return (f'<!DOCTYPE html><html lang="ar" dir="rtl"><head><meta charset="utf-8">'
            f"<title>{message}</title></head><body><h1>{message}</h1></body></html>").encode()


def _content_type(file: str) -> str:
    guessed, encoding = mimetypes.guess_type(file)
    if encoding is not None:  # sent as it is (``.json.gz``: the page unpacks it)
        return "application/gzip" if encoding == "gzip" else "application/octet-stream"
    guessed = guessed or "application/octet-stream"
    if guessed.startswith("text/") or guessed in ("application/json", "application/xml",
                                                 "application/javascript"):
        return f"{guessed}; charset=utf-8"
    return guessed


def _digest(data: bytes | None) -> str:
    return hashlib.sha256(data or b"").hexdigest()
