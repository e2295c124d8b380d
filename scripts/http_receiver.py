#!/usr/bin/env python3
"""A generic HTTP receiver for tests: records every request and answers from a script of statuses.

    python3 scripts/http_receiver.py --port PORT --output FILE [--ready-file FILE]
        [--statuses 500,500,200] [--body '{"ok": true}'] [--content-type application/json]

- Every request (any method) is appended to `--output` as one JSON line:
  `{"method": ..., "path": ..., "headers": {name: value, ...}, "body": "<text>"}` (header names
  lowercased; a repeated header's values joined with ", "; the body decoded as UTF-8, invalid bytes
  replaced).
- The answers' statuses come from `--statuses` in order; the last one repeats (default: 200). Each
  answer carries `--body` (default: `{}`) with `--content-type`.
- `--port 0` picks a free port. Once it listens, `--ready-file` is written with the port it listens
  on, and a line is printed.

Standard library only (threaded `http.server`). Tests/TrellisTests/MailTests.swift uses it as the
Postmark API; it is meant to receive webhooks too.
"""
import argparse
import http.server
import json
import os
import signal
import sys
import threading


def main():
    # A parent may start us with SIGTERM blocked (the mask is inherited: Swift's test runner does),
    # and then could never stop us: take SIGTERM and SIGINT back.
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM, signal.SIGINT})
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--output", required=True)
    parser.add_argument("--ready-file")
    parser.add_argument("--statuses", default="200")
    parser.add_argument("--body", default="{}")
    parser.add_argument("--content-type", default="application/json")
    args = parser.parse_args()

    statuses = [int(status) for status in args.statuses.split(",") if status.strip()] or [200]
    answer = args.body.encode("utf-8")
    lock = threading.Lock()
    state = {"count": 0}

    class Receiver(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def handle_any(self):
            length = int(self.headers.get("Content-Length") or "0")
            body = self.rfile.read(length) if length > 0 else b""
            headers = {}
            for name, value in self.headers.items():
                name = name.lower()
                headers[name] = f"{headers[name]}, {value}" if name in headers else value
            record = {
                "method": self.command,
                "path": self.path,
                "headers": headers,
                "body": body.decode("utf-8", errors="replace"),
            }
            with lock:
                status = statuses[min(state["count"], len(statuses) - 1)]
                state["count"] += 1
                with open(args.output, "a", encoding="utf-8") as output:
                    output.write(json.dumps(record) + "\n")
            self.send_response(status)
            self.send_header("Content-Type", args.content_type)
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(answer)

        do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_OPTIONS = handle_any

        def log_message(self, format, *args):
            pass

    server = http.server.ThreadingHTTPServer((args.host, args.port), Receiver)
    server.daemon_threads = True
    port = server.server_address[1]
    if args.ready_file:
        temporary = args.ready_file + ".tmp"
        with open(temporary, "w") as ready:
            ready.write(f"{port}\n")
        os.replace(temporary, args.ready_file)
    print(f"http_receiver listening on {args.host}:{port}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
