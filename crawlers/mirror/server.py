"""The offline mirror: outlets' pages and feeds served over real HTTP on loopback.

A request for /<host>/<path> is answered with site/<host>/<path>. Tests and the demo
point DULUAN_MIRROR_URL here, and the crawler's MirrorDownloadHandler does the rest.

site/_responses.json scripts the hostile answers, keyed by "<host>/<path>":
{"status": 410}, {"delay": 30}, {"redirect": "<host>/<path>"}, {"content_type": "..."},
{"huge": 9000000} (a page of that many bytes).
"""

from __future__ import annotations

import hashlib
import json
import mimetypes
import threading
import time
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from pathlib import Path

SITE = Path(str(resources.files("duluan.crawlers").joinpath("mirror/site")))

_TYPES = {".htm": "text/html; charset=utf-8", ".html": "text/html; charset=utf-8",
          ".rss": "application/rss+xml; charset=utf-8", ".xml": "application/xml; charset=utf-8",
          ".txt": "text/plain; charset=utf-8"}


class MirrorHandler(BaseHTTPRequestHandler):
    site: Path = SITE
    delay: float = 0.0  # seconds before answering an article page (tests of interrupted crawls)
    scripted: dict[str, dict] = {}
    server_version = "DuLuanMirror/1"
    protocol_version = "HTTP/1.1"  # keep-alive, as real news sites serve

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - stdlib signature
        pass  # quiet: the crawler logs what matters

    def _file(self) -> Path | None:
        path = self.path.split("?", 1)[0].lstrip("/")
        target = (self.site / path).resolve()
        if target.is_dir():
            target = target / "index.html"
        if not target.is_relative_to(self.site.resolve()) or not target.is_file():
            return None
        return target

    def _scripted(self, script: dict) -> bool:
        """Answer as _responses.json says; False when the file is to be served after all."""
        if script.get("delay"):
            time.sleep(script["delay"])
        if "redirect" in script:
            self.send_response(302)
            self.send_header("Location", f"http://{self.headers['Host']}/{script['redirect']}")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return True
        if "status" in script:
            self.send_error(script["status"])
            return True
        if "huge" in script:
            chunk = b"<p>" + "Trang rất lớn. ".encode() * 60 + b"</p>\n"
            total = script["huge"]
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(total))
            self.end_headers()
            try:
                for _ in range(total // len(chunk)):
                    self.wfile.write(chunk)
                self.wfile.write(b" " * (total % len(chunk)))
            except (BrokenPipeError, ConnectionResetError):
                pass  # the crawler hung up at its size limit, as it should
            return True
        return False

    def do_GET(self) -> None:  # noqa: N802 - stdlib name
        if self.path == "/_hosts":  # which outlets' sites the mirror holds
            data = json.dumps(sorted(p.name for p in self.site.iterdir() if p.is_dir())).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
            return
        script = self.scripted.get(self.path.split("?", 1)[0].lstrip("/"))
        if script and self._scripted(script):
            return
        target = self._file()
        if target is None:
            self.send_error(404, "Not Found")
            return
        if self.delay and target.suffix in (".htm", ".html") and target.name != "index.html":
            time.sleep(self.delay)
        data = target.read_bytes()
        etag = '"' + hashlib.sha1(data).hexdigest()[:16] + '"'
        if self.headers.get("If-None-Match") == etag:
            self.send_response(304)
            self.send_header("ETag", etag)
            self.end_headers()
            return
        self.send_response(200)
        content_type = (script or {}).get("content_type") or _TYPES.get(target.suffix) or \
            mimetypes.guess_type(target.name)[0]
        self.send_header("Content-Type", content_type or "application/octet-stream")
        self.send_header("Content-Length", str(len(data)))
        self.send_header("ETag", etag)
        self.send_header("Last-Modified", formatdate(target.stat().st_mtime, usegmt=True))
        self.end_headers()
        self.wfile.write(data)


class _QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: object, client_address: object) -> None:
        pass  # a crawler hanging up early (size limits, timeouts) is part of the tests


class Mirror:
    """A running mirror on 127.0.0.1; use as a context manager."""

    def __init__(self, site: Path = SITE, port: int = 0, delay: float = 0.0) -> None:
        script = site / "_responses.json"
        scripted = json.loads(script.read_text("utf-8")) if script.exists() else {}
        handler = type("Handler", (MirrorHandler,), {"site": site, "delay": delay, "scripted": scripted})
        self.server = _QuietServer(("127.0.0.1", port), handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    def __enter__(self) -> Mirror:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
