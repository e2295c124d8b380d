#!/usr/bin/env python3
"""A minimal OTLP/HTTP collector for tests: every POST body (OTLP JSON, `http/json`) is appended as
one line to the file given as the second argument; each answer is 200 with an empty JSON object.

    python3 scripts/otlp_receiver.py PORT OUTPUT_FILE

Tests/AppTests/TracingTests.swift starts it, points `OTEL_EXPORTER_OTLP_ENDPOINT` at it and reads
the spans `Server serve` exported.
"""
import http.server
import json
import signal
import sys

# The test runner starts children with SIGTERM blocked (the mask is inherited): take it back, so
# the test's terminate() stops this process.
signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM, signal.SIGINT})

PORT = int(sys.argv[1])
OUTPUT = sys.argv[2]


class Receiver(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        length = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(length)
        try:
            record = {"path": self.path, "content_type": self.headers.get("Content-Type"), "body": json.loads(body)}
        except ValueError:
            record = {"path": self.path, "content_type": self.headers.get("Content-Type"), "undecodable": len(body)}
        with open(OUTPUT, "a", encoding="utf-8") as output:
            output.write(json.dumps(record) + "\n")
        answer = b"{}"
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    def log_message(self, format, *args):
        pass


print(f"otlp_receiver listening on 127.0.0.1:{PORT}", flush=True)
http.server.ThreadingHTTPServer(("127.0.0.1", PORT), Receiver).serve_forever()
