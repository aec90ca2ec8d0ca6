#!/usr/bin/env python3
"""A small, misbehaving HTTP server for the download tests.

    http-server.py ROOT PORTFILE LOG

Serves ROOT with Range support.  The file ROOT/../mode changes how a
package (a path ending in .tar.zst) is sent: "cut" sends half and closes
the connection, "stall" sends half and then nothing, "norange" ignores
Range headers, "slow" sends it in small pieces; anything else serves it
normally.  Every request is appended to LOG as "METHOD PATH RANGE".
"""
import http.server
import os
import sys
import time

ROOT, PORTFILE, LOG = sys.argv[1:4]
MODEFILE = os.path.join(os.path.dirname(os.path.abspath(ROOT)), "mode")


def mode():
    try:
        with open(MODEFILE) as f:
            return f.read().strip()
    except OSError:
        return ""


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def do_GET(self):
        rng = self.headers.get("Range", "-")
        with open(LOG, "a") as f:
            f.write(f"GET {self.path} {rng}\n")
        path = os.path.join(ROOT, self.path.lstrip("/").split("?")[0])
        if not os.path.isfile(path) or ".." in self.path:
            self.send_error(404)
            return
        with open(path, "rb") as f:
            data = f.read()
        m = mode() if path.endswith(".tar.zst") else ""
        start = 0
        if rng.startswith("bytes=") and m != "norange":
            start = int(rng[6:].split("-")[0])
            if start >= len(data):
                self.send_error(416)
                return
            self.send_response(206)
            self.send_header("Content-Range", f"bytes {start}-{len(data) - 1}/{len(data)}")
        else:
            self.send_response(200)
        body = data[start:]
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Content-Type", "application/octet-stream")
        self.end_headers()
        if m in ("cut", "stall"):
            self.wfile.write(body[: len(body) // 2])
            self.wfile.flush()
            if m == "stall":
                time.sleep(30)
            self.close_connection = True
            return
        if m == "slow":
            for i in range(0, len(body), 1024):
                self.wfile.write(body[i:i + 1024])
                self.wfile.flush()
                time.sleep(0.01)
            return
        self.wfile.write(body)


server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
with open(PORTFILE + ".tmp", "w") as f:
    f.write(str(server.server_address[1]))
os.rename(PORTFILE + ".tmp", PORTFILE)
server.serve_forever()
