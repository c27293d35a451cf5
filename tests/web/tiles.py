#!/usr/bin/env python3
"""tiles.py — a tiny XYZ tile server for the dashboard's base-map tests.

    python3 tiles.py PORT

GET /{z}/{x}/{y}.png   a 256 px PNG made on the fly: a pale fill with the
                       tile's edges drawn, and a magenta ring centred on the
                       marked point (Web Mercator, as real tile servers draw)
GET /mark?lat=&lon=    moves the ring to that point (204)
GET /log               the tile paths asked for so far, as a JSON list
GET /health            200 once the server listens

The tests compare where the ring lands on the map's canvas with where the
network draws the same point, and count the requests in /log.
"""

import json
import math
import struct
import sys
import threading
import zlib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

SIZE = 256
FILL = (0xEF, 0xE6, 0xD2)
EDGE = (0xC9, 0xB8, 0x94)
RING = (0xFF, 0x00, 0xFF)
RING_R = 9.0  # tile pixels
RING_W = 1.6

lock = threading.Lock()
mark = None  # (lat, lon)
asked = []


def png(width, height, rows):
    """A PNG (8-bit RGB) of the given rows of bytes."""
    def chunk(kind, data):
        c = struct.pack(">I", len(data)) + kind + data
        return c + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    raw = b"".join(b"\x00" + bytes(r) for r in rows)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw, 6)) + chunk(b"IEND", b""))


def mercator_px(lat, lon, z):
    """The global pixel position of a point at zoom z (Web Mercator, 256 px tiles)."""
    n = SIZE * 2 ** z
    r = math.radians(lat)
    return (lon + 180) / 360 * n, (1 - math.log(math.tan(r) + 1 / math.cos(r)) / math.pi) / 2 * n


def tile(z, x, y):
    rows = [bytearray(bytes(FILL) * SIZE) for _ in range(SIZE)]
    for i in range(SIZE):
        rows[0][3 * i:3 * i + 3] = bytes(EDGE)
        rows[i][0:3] = bytes(EDGE)
    with lock:
        m = mark
    if m:
        gx, gy = mercator_px(m[0], m[1], z)
        cx, cy = gx - x * SIZE, gy - y * SIZE
        reach = RING_R + RING_W + 1
        for py in range(max(0, int(cy - reach)), min(SIZE, int(cy + reach) + 1)):
            for px in range(max(0, int(cx - reach)), min(SIZE, int(cx + reach) + 1)):
                d = math.hypot(px + 0.5 - cx, py + 0.5 - cy)
                if abs(d - RING_R) <= RING_W / 2:
                    rows[py][3 * px:3 * px + 3] = bytes(RING)
    return png(SIZE, SIZE, rows)


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass  # the tests read /log instead

    def send(self, status, body=b"", kind="text/plain"):
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        # Every request reaches the server, so that the tests can count them.
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        global mark
        u = urlparse(self.path)
        parts = u.path.strip("/").split("/")
        if u.path == "/health":
            return self.send(200, b"ok")
        if u.path == "/mark":
            q = parse_qs(u.query)
            with lock:
                mark = (float(q["lat"][0]), float(q["lon"][0]))
            return self.send(204)
        if u.path == "/log":
            with lock:
                body = json.dumps(asked).encode()
            return self.send(200, body, "application/json")
        if len(parts) == 3 and parts[2].endswith(".png"):
            try:
                z, x, y = int(parts[0]), int(parts[1]), int(parts[2][:-4])
            except ValueError:
                return self.send(404)
            with lock:
                asked.append(u.path)
            if not (0 <= z <= 22 and 0 <= x < 2 ** z and 0 <= y < 2 ** z):
                return self.send(404)
            return self.send(200, tile(z, x, y), "image/png")
        return self.send(404)


if __name__ == "__main__":
    ThreadingHTTPServer.daemon_threads = True
    ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Handler).serve_forever()
