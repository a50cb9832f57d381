"""The generated site's HTTP server: one asyncio process, every outlet on its own port of 127.0.0.1.

    python bench/throughput_data/server.py SITE_DIR

All files are read into memory (gzipped) before the ports open; a response is a dictionary lookup and one write:
HTTP/1.1 keep-alive, ``Content-Encoding: gzip`` when the client accepts it (every crawler here does; otherwise the
body is decompressed for that request), ETag, 404 for unknown paths, HEAD. Prints ``ready`` once listening.
It binds 127.0.0.1 only.
"""

from __future__ import annotations

import asyncio
import gzip
import hashlib
import json
import sys
from pathlib import Path
from urllib.parse import unquote, urlsplit

NOT_FOUND = b"<!DOCTYPE html><title>404</title><h1>Not found</h1>"


def load(site: Path) -> dict[int, dict[str, tuple[bytes, bytes]]]:
    """port → decoded path → (header block without Content-Encoding/Length, gzipped body)."""
    manifest = json.loads((site / "manifest.json").read_text())
    tables: dict[int, dict[str, tuple[bytes, bytes]]] = {}
    for outlet in manifest["outlets"]:
        table = {}
        for path, (file, content_type) in manifest["routes"][outlet["name"]].items():
            body = (site / file).read_bytes()
            etag = hashlib.sha1(body).hexdigest()[:16]
            head = f"Content-Type: {content_type}\r\nETag: \"{etag}\"\r\nServer: bench-news\r\n".encode()
            table[unquote(path)] = (head, body)
        tables[outlet["port"]] = table
    return tables


def make_handler(table: dict[str, tuple[bytes, bytes]]):
    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                try:
                    request = await reader.readuntil(b"\r\n\r\n")
                except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, ConnectionError):
                    return
                line, _, rest = request.partition(b"\r\n")
                parts = line.split(b" ")
                if len(parts) != 3:
                    return
                method, target, version = parts
                headers = rest.lower()
                accept = headers.split(b"accept-encoding:", 1)[1].split(b"\r\n", 1)[0] if b"accept-encoding:" in headers else b""
                gzip_ok = b"gzip" in accept
                close = (b"connection: close" in headers
                         or version == b"HTTP/1.0" and b"connection: keep-alive" not in headers)
                path = unquote(urlsplit(target.decode("latin-1")).path) or "/"
                hit = table.get(path)
                if hit is None:
                    status, head, body, encoding = b"404 Not Found", b"Content-Type: text/html\r\n", NOT_FOUND, b""
                else:
                    status, (head, body) = b"200 OK", hit
                    if gzip_ok:
                        encoding = b"Content-Encoding: gzip\r\nVary: Accept-Encoding\r\n"
                    else:
                        body, encoding = gzip.decompress(body), b""
                out = (b"HTTP/1.1 " + status + b"\r\n" + head + encoding + b"Content-Length: "
                       + str(len(body)).encode() + b"\r\n" + (b"Connection: close\r\n" if close else b"") + b"\r\n")
                writer.write(out if method == b"HEAD" else out + body)
                await writer.drain()
                if close:
                    return
        except ConnectionError:
            pass
        finally:
            writer.close()

    return handle


async def serve(site: Path) -> None:
    tables = load(site)
    servers = [await asyncio.start_server(make_handler(table), "127.0.0.1", port, backlog=1024, reuse_address=True)
               for port, table in tables.items()]
    print("ready", flush=True)
    await asyncio.gather(*(s.serve_forever() for s in servers))


if __name__ == "__main__":
    try:
        asyncio.run(serve(Path(sys.argv[1])))
    except KeyboardInterrupt:
        pass
