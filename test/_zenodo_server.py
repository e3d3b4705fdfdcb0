"""A stand-in for Zenodo on 127.0.0.1 for the installer tests: the record API, file downloads with Range support,
and switchable misbehaviours (error statuses, a dropped connection, a server that ignores Range)."""

import hashlib
import json
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

RECORD_PATH = '/api/records/7274474'


@dataclass
class Request:
    method: str
    path: str
    headers: dict[str, str]
    status: int = 0
    body_bytes: int = 0  # bytes of the body actually sent


@dataclass
class ZenodoStub:
    """What the server offers (files: key → content) and how it misbehaves. `url` is set once it serves."""

    files: dict[str, bytes] = field(default_factory=dict)
    checksums: dict[str, str] = field(default_factory=dict)  # key → published checksum, overriding the real md5
    api_status: int = 200
    file_status: int = 200
    drops: int = 0  # this many file responses send half their body, then close the connection
    ignore_range: bool = False  # answer 200 with the whole file to Range requests
    link_host: str | None = None  # host name in the download links (default: the server's own)
    log: list[Request] = field(default_factory=list)
    url: str = ''

    def record(self) -> dict[str, object]:
        link_base = self.url if self.link_host is None else self.url.replace('127.0.0.1', self.link_host)
        return {
            'id': 7274474,
            'files': [
                {
                    'key': key,
                    'size': len(content),
                    'checksum': self.checksums.get(key, 'md5:' + hashlib.md5(content).hexdigest()),
                    'links': {'self': f'{link_base}{RECORD_PATH}/files/{key}/content'},
                }
                for key, content in self.files.items()
            ],
        }

    def fileRequests(self) -> list[Request]:
        return [request for request in self.log if request.path.startswith(f'{RECORD_PATH}/files/')]


def _handler(stub: ZenodoStub) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:
            pass

        def do_GET(self) -> None:
            request = Request('GET', self.path, dict(self.headers.items()))
            stub.log.append(request)
            file_match = re.fullmatch(rf'{RECORD_PATH}/files/([^/]+)/content', self.path)
            if self.path == RECORD_PATH:
                if stub.api_status != 200:
                    self._send(request, stub.api_status, b'{"message": "error"}')
                else:
                    self._send(request, 200, json.dumps(stub.record()).encode(), 'application/json')
            elif file_match is not None and file_match[1] in stub.files:
                if stub.file_status != 200:
                    self._send(request, stub.file_status, b'error')
                else:
                    self._sendFile(request, stub.files[file_match[1]])
            else:
                self._send(request, 404, b'not found')

        def _send(
            self,
            request: Request,
            status: int,
            body: bytes,
            content_type: str = 'text/plain',
            headers: dict[str, str] | None = None,
        ) -> None:
            request.status = status
            self.send_response(status)
            self.send_header('Content-Type', content_type)
            self.send_header('Content-Length', str(len(body)))
            for key, value in (headers or {}).items():
                self.send_header(key, value)
            self.end_headers()
            sent = body
            if stub.drops > 0 and status in (200, 206) and content_type == 'application/zip':
                stub.drops -= 1
                sent = body[: len(body) // 2]
                self.close_connection = True
            self.wfile.write(sent)
            request.body_bytes = len(sent)

        def _sendFile(self, request: Request, content: bytes) -> None:
            range_match = re.fullmatch(r'bytes=(\d+)-', self.headers.get('Range', ''))
            if range_match is None or stub.ignore_range:
                self._send(request, 200, content, 'application/zip')
                return
            start = int(range_match[1])
            if start >= len(content):
                self._send(request, 416, b'', headers={'Content-Range': f'bytes */{len(content)}'})
                return
            self._send(
                request,
                206,
                content[start:],
                'application/zip',
                {'Content-Range': f'bytes {start}-{len(content) - 1}/{len(content)}'},
            )

    return Handler


@contextmanager
def serve(stub: ZenodoStub) -> Iterator[ZenodoStub]:
    """Serve `stub` on 127.0.0.1 (a free port) in a thread; `stub.url` is the base URL."""
    server = ThreadingHTTPServer(('127.0.0.1', 0), _handler(stub))
    server.daemon_threads = True
    stub.url = f'http://127.0.0.1:{server.server_address[1]}'
    thread = threading.Thread(target=server.serve_forever, kwargs={'poll_interval': 0.02}, daemon=True)
    thread.start()
    try:
        yield stub
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
