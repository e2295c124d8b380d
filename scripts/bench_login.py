#!/usr/bin/env python3
"""Sign-in timing (called by scripts/bench.sh against a running server).

Sends interleaved sign-ins with an unknown email, with a known email and a wrong password, and
with the right password, one at a time, and prints each kind's median and 95th percentile. The
first two must answer alike (same status, same body apart from the request id) in the same time:
an attacker timing the answers cannot tell which emails have accounts.

usage: bench_login.py BASE_URL [ROUNDS]
"""
import json
import statistics
import sys
import time
import urllib.error
import urllib.request

EMAIL = "owner@acme.test"
PASSWORD = "trellis demo password"


def login(base, email, password):
    body = json.dumps({"email": email, "password": password}).encode()
    request = urllib.request.Request(
        base + "/api/v1/auth/login", data=body, method="POST", headers={"Content-Type": "application/json"}
    )
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(request) as response:
            status, payload = response.status, response.read()
    except urllib.error.HTTPError as error:
        status, payload = error.code, error.read()
    elapsed = (time.perf_counter() - started) * 1000
    answer = json.loads(payload)
    answer.get("error", {}).pop("request_id", None)
    return status, answer, elapsed


def main():
    base = sys.argv[1].rstrip("/")
    rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 40
    kinds = {
        "unknown email": ("nobody@acme.test", "not the password at all"),
        "wrong password": (EMAIL, "not the password at all"),
        "right password": (EMAIL, PASSWORD),
    }
    for email, password in kinds.values():  # warm up: connections, the dummy hash, caches
        login(base, email, password)
    times = {kind: [] for kind in kinds}
    answers = {kind: set() for kind in kinds}
    for _ in range(rounds):
        for kind, (email, password) in kinds.items():
            status, answer, elapsed = login(base, email, password)
            times[kind].append(elapsed)
            answers[kind].add((status, json.dumps(answer.get("error"), sort_keys=True)))

    print(f"sign-in timing, {rounds} interleaved rounds (argon2id m=19456 KiB, t=2, p=1):")
    print(f"  {'kind':<16}{'status':>8}{'median ms':>12}{'p95 ms':>10}")
    for kind in kinds:
        ordered = sorted(times[kind])
        p95 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]
        statuses = ",".join(str(status) for status, _ in sorted(answers[kind]))
        print(f"  {kind:<16}{statuses:>8}{statistics.median(ordered):>12.1f}{p95:>10.1f}")
    unknown, wrong = statistics.median(times["unknown email"]), statistics.median(times["wrong password"])
    gap = abs(unknown - wrong) / max(unknown, wrong) * 100
    alike = answers["unknown email"] == answers["wrong password"] and len(answers["wrong password"]) == 1
    print(f"  unknown email vs wrong password: answers {'identical' if alike else 'DIFFER'}, medians {gap:.1f}% apart")
    if not alike:
        sys.exit("bench_login.py: an unknown email and a wrong password answer differently")


if __name__ == "__main__":
    main()
