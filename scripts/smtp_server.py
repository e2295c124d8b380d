#!/usr/bin/env python3
"""A real SMTP server for tests (aiosmtpd): TLS and AUTH as a provider's submission port has them.

    .venv/bin/python scripts/smtp_server.py --port PORT --output FILE --ready-file FILE
        [--tls starttls|implicit|none] [--cert PEM --key PEM]
        [--username USER --password PASS] [--auth-exclude PLAIN]
        [--reject-rcpt CODE] [--reject-data CODE] [--reject-count N]

- `--tls starttls` (the default) advertises STARTTLS and refuses every command but EHLO/HELO,
  NOOP, RSET, QUIT and STARTTLS before it (`require_starttls`); `implicit` speaks TLS from the first
  byte (port 465 style); `none` is plain text, no STARTTLS offered. TLS needs `--cert` and `--key`.
- With `--username`/`--password`, AUTH (PLAIN or LOGIN) is required before MAIL, and only over TLS
  (`auth_required`, and `auth_require_tls` with `--tls starttls`). `--auth-exclude PLAIN` (repeatable)
  stops offering a mechanism, so that a client's AUTH LOGIN can be tested.
- Each message received is appended to `--output` as one JSON line:
  `{"mail_from": ..., "rcpt_tos": [...], "data": "<the raw message, dot-unstuffed>"}`.
- `--reject-rcpt 451` (or 550, ...) answers the next `--reject-count` (default: every) RCPT TO
  with that code; `--reject-data` does the same for the end of DATA. This is how tests see the
  client tell transient (4xx) from permanent (5xx) failures.
- Once it listens, `--ready-file` is written (with the port: `--port 0` takes any free one) and a
  line is printed.

Tests/TrellisTests/MailTests.swift starts it with the project's .venv/bin/python.
"""
import argparse
import json
import os
import signal
import ssl
import sys
import threading

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

REPLIES = {
    "421": "421 4.3.2 Service shutting down, try again later",
    "450": "450 4.2.1 Mailbox busy, try again later",
    "451": "451 4.3.0 Temporary local problem, try again later",
    "452": "452 4.3.1 Insufficient system storage",
    "550": "550 5.1.1 Mailbox unavailable",
    "552": "552 5.3.4 Message too big",
    "554": "554 5.7.1 Rejected by policy",
}


def reply_for(code):
    return REPLIES.get(code, f"{code} Rejected by the test server")


class Recorder:
    """Keeps each message as a JSON line; rejects RCPT/DATA as the command line asks."""

    def __init__(self, output, reject_rcpt, reject_data, reject_count):
        self.output = output
        self.reject_rcpt = reject_rcpt
        self.reject_data = reject_data
        self.remaining = reject_count  # None: every time
        self.lock = threading.Lock()

    def _rejecting(self):
        with self.lock:
            if self.remaining is None:
                return True
            if self.remaining > 0:
                self.remaining -= 1
                return True
            return False

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.reject_rcpt and self._rejecting():
            return reply_for(self.reject_rcpt)
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.reject_data and self._rejecting():
            return reply_for(self.reject_data)
        content = envelope.content
        if isinstance(content, bytes):
            content = content.decode("utf-8", errors="replace")
        record = {"mail_from": envelope.mail_from, "rcpt_tos": list(envelope.rcpt_tos), "data": content}
        with self.lock, open(self.output, "a", encoding="utf-8") as output:
            output.write(json.dumps(record) + "\n")
        return "250 2.0.0 Message accepted for delivery"


def authenticator_for(username, password):
    def authenticate(server, session, envelope, mechanism, auth_data):
        if mechanism not in ("PLAIN", "LOGIN") or not isinstance(auth_data, LoginPassword):
            return AuthResult(success=False, handled=False)
        ok = auth_data.login == username.encode() and auth_data.password == password.encode()
        return AuthResult(success=ok, handled=False)

    return authenticate


class EphemeralPortController(Controller):
    """A Controller that may listen on port 0: it learns the port the system gave before aiosmtpd
    connects to itself to check that it started. A port chosen by the test beforehand could be
    taken by another connection before the server binds it."""

    def _trigger_server(self):
        if self.port == 0:
            self.port = self.server.sockets[0].getsockname()[1]
        super()._trigger_server()


def main():
    # A parent may start us with SIGTERM blocked (the mask is inherited: Swift's test runner does),
    # and then could never stop us: take SIGTERM and SIGINT back.
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM, signal.SIGINT})
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--output", required=True)
    parser.add_argument("--ready-file")
    parser.add_argument("--tls", choices=["starttls", "implicit", "none"], default="starttls")
    parser.add_argument("--cert")
    parser.add_argument("--key")
    parser.add_argument("--username")
    parser.add_argument("--password")
    parser.add_argument("--auth-exclude", action="append", default=[])
    parser.add_argument("--reject-rcpt")
    parser.add_argument("--reject-data")
    parser.add_argument("--reject-count", type=int)
    args = parser.parse_args()

    context = None
    if args.tls != "none":
        if not (args.cert and args.key):
            parser.error(f"--tls {args.tls} needs --cert and --key")
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(args.cert, args.key)

    options = {"hostname": args.host, "port": args.port, "server_hostname": "trellis-test-smtp"}
    if args.tls == "starttls":
        options.update(tls_context=context, require_starttls=True)
    elif args.tls == "implicit":
        options.update(ssl_context=context)
    if args.username is not None:
        options.update(
            auth_required=True,
            # aiosmtpd only knows TLS it started itself (STARTTLS): with implicit TLS the whole
            # connection is encrypted, and auth_require_tls would hide AUTH.
            auth_require_tls=args.tls == "starttls",
            authenticator=authenticator_for(args.username, args.password or ""),
            auth_exclude_mechanism=args.auth_exclude,
        )
    else:
        options.update(auth_require_tls=False)

    handler = Recorder(args.output, args.reject_rcpt, args.reject_data, args.reject_count)
    controller = EphemeralPortController(handler, **options)
    controller.start()

    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    if args.ready_file:
        temporary = args.ready_file + ".tmp"
        with open(temporary, "w") as ready:
            ready.write(f"{controller.port}\n")
        os.replace(temporary, args.ready_file)
    print(f"smtp_server listening on {args.host}:{controller.port} (tls: {args.tls})", flush=True)
    stop.wait()
    controller.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
