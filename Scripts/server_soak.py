#!/usr/bin/env python3
"""Fuzz and soak a running `doodle serve` on loopback; exit non-zero if it misbehaves.

Phases, each bounded in requests and time:
  1. fuzz:  N random and malformed requests (mutated and truncated JSON, random bytes as PNG and as
            JSON, huge and deeply nested bodies, NaN and overflowing numbers, drawings saved, valid and
            mutated, to /api/drawings (a valid save must answer 201), wrong methods, long and
            odd paths, traversal attempts on the weights route and the static files), one at a time.
            Every answer must be below 500; every 4xx must be JSON {"error": {"message": ...}} (HEAD
            answers have no body); valid requests must answer 200; the server's resident memory after
            the phase must be within 10% of what it was after a warm-up.
  2. soak:  C connections for S seconds of mixed valid and invalid traffic, in two halves; no valid
            request may fail, no answer may be a 5xx, and resident memory must stay within 10% over the
            second half.
  3. slow:  a body trickled one byte a second and a connection left idle must be closed by the server
            within its read timeout (plus a margin), while other clients are answered at once.

Only the standard library; the target must be a loopback address.

    Scripts/server_soak.py --url http://127.0.0.1:8080 --pid $(pidof doodle) --requests 10000 \
        --soak-seconds 60 --connections 64 --read-timeout 5
"""

import argparse
import http.client
import json
import os
import random
import socket
import sys
import threading
import time
import urllib.parse

# A few drawings that are known to be valid: a square, a circle, a zigzag.
VALID_STROKES = [
    [[[10, 200, 200, 10, 10], [10, 10, 200, 200, 10]]],
    [[[int(128 + 100 * __import__("math").cos(t / 10)) for t in range(63)],
      [int(128 + 100 * __import__("math").sin(t / 10)) for t in range(63)]]],
    [[[0, 40, 80, 120, 160, 200, 240], [0, 200, 0, 200, 0, 200, 0]]],
]
PNG_SIGNATURE = bytes([137, 80, 78, 71, 13, 10, 26, 10])


class Target:
    """One host and port, with a keep-alive connection per thread."""

    def __init__(self, url, timeout):
        parsed = urllib.parse.urlparse(url)
        if parsed.hostname not in ("127.0.0.1", "localhost", "::1") and not parsed.hostname.startswith("127."):
            sys.exit(f"server_soak: {parsed.hostname} is not a loopback address; refusing to send traffic")
        self.host, self.port, self.timeout = parsed.hostname, parsed.port or 80, timeout
        self.local = threading.local()

    def connection(self):
        if getattr(self.local, "conn", None) is None:
            self.local.conn = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
        return self.local.conn

    def request(self, method, path, body=None, headers=None):
        """(status, headers, body bytes); reconnects once when the server closed a kept-alive socket."""
        for attempt in range(2):
            conn = self.connection()
            try:
                conn.request(method, path, body=body, headers=headers or {})
                response = conn.getresponse()
                data = response.read()
                if response.getheader("connection", "").lower() == "close":
                    conn.close()
                    self.local.conn = None
                return response.status, dict(response.getheaders()), data
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError,
                    http.client.CannotSendRequest, http.client.ResponseNotReady):
                conn.close()
                self.local.conn = None
                if attempt == 1:
                    raise


def resident_kib(pid):
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise RuntimeError(f"no VmRSS for pid {pid}")


def valid_request(rng, models):
    model = rng.choice(models)
    strokes = rng.choice(VALID_STROKES)
    body = {"model": model, "strokes": strokes, "top": rng.randint(1, 5)}
    return "POST", "/api/predict", json.dumps(body).encode(), {"Content-Type": "application/json"}


def save_request(rng):
    """A drawing a player saves: valid, under the server's generous soak limits, so it must answer 201.
    (`taught` drawings come only with their word, through POST /api/words.)"""
    body = {"strokes": rng.choice(VALID_STROKES), "label": rng.choice(["tent", "alarm clock", "o'clock 2"]),
            "source": rng.choice(["game", "correction"])}
    return "POST", "/api/drawings", json.dumps(body).encode(), {"Content-Type": "application/json"}


def mutate(rng, data):
    data = bytearray(data)
    for _ in range(rng.randint(1, 8)):
        op = rng.randrange(4)
        at = rng.randrange(len(data) + 1)
        if op == 0 and data:
            data[min(at, len(data) - 1)] = rng.randrange(256)
        elif op == 1:
            data[at:at] = bytes([rng.choice(b'{}[],:"-.eE0123456789 nul')])
        elif op == 2 and data:
            del data[min(at, len(data) - 1)]
        else:
            chunk = rng.choice([b"NaN", b"1e999", b"-1e400", b"Infinity", b"null", b"true", b"\"\\u0000\"",
                                b"[[[[", b"]]]]", b"{\"strokes\":", b"\xff\xfe", b"9" * 400])
            data[at:at] = chunk
    return bytes(data)


def fuzz_request(rng, models, max_body):
    """One malformed or odd request, chosen at random; returns (method, path, body, headers, kind)."""
    kind = rng.choice([
        "mutated json", "truncated json", "png random", "png signature random", "json random bytes",
        "nested", "numbers", "method", "path", "traversal", "huge body", "valid", "valid", "valid",
        "save", "save mutated",
    ])
    json_headers = {"Content-Type": "application/json"}
    _, _, good, _ = valid_request(rng, models)
    if kind == "valid":
        return (*valid_request(rng, models), kind)
    if kind == "save":
        return (*save_request(rng), kind)
    if kind == "save mutated":
        return "POST", "/api/drawings", mutate(rng, save_request(rng)[2]), json_headers, kind
    if kind == "mutated json":
        return "POST", "/api/predict", mutate(rng, good), json_headers, kind
    if kind == "truncated json":
        return "POST", "/api/predict", good[: rng.randrange(len(good))], json_headers, kind
    if kind == "png random":
        body = os.urandom(rng.randint(0, 300))
        return "POST", "/api/predict?model=" + rng.choice(models), body, {"Content-Type": "image/png"}, kind
    if kind == "png signature random":
        body = PNG_SIGNATURE + os.urandom(rng.randint(0, 400))
        return "POST", "/api/predict", body, {"Content-Type": rng.choice(["image/png", "application/json"])}, kind
    if kind == "json random bytes":
        return "POST", "/api/predict", os.urandom(rng.randint(1, 500)), json_headers, kind
    if kind == "nested":
        depth = rng.choice([100, 1000, 10_000, 100_000])
        inner = rng.choice(["[" * depth + "]" * depth, '{"a":' * depth + "1" + "}" * depth])
        body = rng.choice(['{"strokes": %s}', '{"pixels": %s}', '{"x": %s, "strokes": [[[1],[1]]]}', "%s"])
        return "POST", "/api/predict", (body % inner).encode(), json_headers, kind
    if kind == "numbers":
        number = rng.choice(["NaN", "1e999", "-1e999", "1e308", "-0", "4.9e-324", "123456789012345678901234567890",
                             "1.7976931348623157e309", "0x10", "+1", ".5", "1.", "Infinity", "-Infinity"])
        template = rng.choice([
            '{"strokes": [[[1, %s], [3, 4]]]}', '{"strokes": [[[1, 2], [3, 4]]], "top": %s}',
            '{"pixels": [%s]}', '{"strokes": [[[%s, %s], [%s, %s]]]}',
        ])
        body = template.replace("%s", number)
        return "POST", "/api/predict", body.encode(), json_headers, kind
    if kind == "method":
        method = rng.choice(["GET", "PUT", "DELETE", "PATCH", "OPTIONS", "HEAD", "TRACE", "FOO"])
        path = rng.choice(["/api/predict", "/", "/api/models", "/healthz", "/sketch.js",
                           "/api/models/%s/weights" % rng.choice(models)])
        return method, path, None, {}, kind
    if kind == "path":
        path = rng.choice([
            "/" + "a" * rng.randint(1, 6000), "//api//predict", "/api/./predict", "/api/predict/",
            "/%00", "/api/%ff%fe", "/\u00e9t\u00e9".encode("utf-8").decode("latin-1"), "/api/models/" + "x/" * 200,
            "/?" + "q=" * 1000, "/api/models/%s/weights?%s" % (rng.choice(models), "x" * 500), "/*", "/api/*",
        ])
        return rng.choice(["GET", "POST"]), urllib.parse.quote(path, safe="/?=%*"), b"{}", json_headers, kind
    if kind == "traversal":
        path = rng.choice([
            "/api/models/..%2f..%2fPackage.swift/weights", "/api/models/../../Package.swift/weights",
            "/api/models/%2e%2e/weights", "/api/models/..%5c..%5cetc%5cpasswd/weights", "/../../etc/passwd",
            "/%2e%2e/%2e%2e/etc/passwd", "/sketch.js/../../Package.swift", "/..%2f..%2fetc%2fpasswd",
            "/api/models/%252e%252e%252fetc/weights", "/static/../../../../etc/shadow",
        ])
        return "GET", path, None, {}, kind
    # huge body: over the limit, sent in full
    size = max_body + rng.randint(1, 100_000)
    return "POST", "/api/predict", b'{"strokes": [], "pad": "' + b"x" * size + b'"}', json_headers, kind


def check_answer(kind, method, path, status, headers, body, problems):
    if status >= 500:
        problems.append(f"{kind}: {method} {path[:80]} answered {status}")
        return
    if kind == "valid" and status != 200:
        problems.append(f"valid request answered {status}: {body[:200]!r}")
    if kind == "save" and status != 201:
        problems.append(f"valid save answered {status}: {body[:200]!r}")
    # A method HTTP does not define never reaches the application: the HTTP parser answers a bare 400
    # and closes the connection, as for any malformed request line.
    protocol_error = method not in ("GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "TRACE")
    if protocol_error:
        if status != 400:
            problems.append(f"{kind}: the made-up method {method} answered {status}, not 400")
        return
    if 400 <= status < 500 and method != "HEAD":
        try:
            message = json.loads(body)["error"]["message"]
            assert isinstance(message, str) and message
        except Exception:
            problems.append(f"{kind}: {method} {path[:80]} answered {status} without a JSON error: {body[:120]!r}")


def fuzz(target, rng, models, count, max_body, pid):
    statuses, problems = {}, []
    for _ in range(200):  # warm-up: every code path once, so memory can settle
        method, path, body, headers, kind = fuzz_request(rng, models, max_body)
        target.request(method, path, body, headers)
    before = resident_kib(pid) if pid else None
    start = time.monotonic()
    for i in range(count):
        method, path, body, headers, kind = fuzz_request(rng, models, max_body)
        try:
            status, answer_headers, data = target.request(method, path, body, headers)
        except (ConnectionError, socket.timeout, http.client.HTTPException) as error:
            # A connection the server closed (an over-limit body) is fine if the server still answers.
            status, answer_headers, data = None, {}, b""
            if target.request("GET", "/healthz")[0] != 200:
                problems.append(f"{kind}: the server stopped answering after {method} {path[:80]}: {error}")
                break
            statuses["closed"] = statuses.get("closed", 0) + 1
            continue
        statuses[status] = statuses.get(status, 0) + 1
        check_answer(kind, method, path, status, answer_headers, data, problems)
    after = resident_kib(pid) if pid else None
    return {"requests": count, "seconds": round(time.monotonic() - start, 1), "statuses": statuses,
            "rss_kib_before": before, "rss_kib_after": after, "problems": problems}


def soak(target_url, timeout, rng_seed, models, seconds, connections, max_body):
    results = {"valid": 0, "valid_failed": 0, "invalid": 0, "invalid_5xx": 0, "failures": []}
    lock = threading.Lock()
    deadline = time.monotonic() + seconds

    def worker(index):
        target = Target(target_url, timeout)
        rng = random.Random(rng_seed * 1000 + index)
        local = {"valid": 0, "valid_failed": 0, "invalid": 0, "invalid_5xx": 0, "failures": []}
        while time.monotonic() < deadline:
            if rng.random() < 0.6:
                method, path, body, headers = valid_request(rng, models)
                kind = "valid"
            else:
                method, path, body, headers, kind = fuzz_request(rng, models, max_body)
                if kind == "huge body":
                    continue  # keeps the soak about traffic, not about uploading megabytes
            try:
                status, _, data = target.request(method, path, body, headers)
            except Exception as error:  # noqa: BLE001 - any failure of a valid request counts
                status, data = None, repr(error).encode()
            if kind == "valid":
                local["valid"] += 1
                if status != 200:
                    local["valid_failed"] += 1
                    local["failures"].append(f"{status}: {data[:120]!r}")
            else:
                local["invalid"] += 1
                if status is not None and status >= 500:
                    local["invalid_5xx"] += 1
                    local["failures"].append(f"{kind} {method} {path[:60]} -> {status}")
        with lock:
            for key in ("valid", "valid_failed", "invalid", "invalid_5xx"):
                results[key] += local[key]
            results["failures"] += local["failures"][:5]

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(connections)]
    start = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - start
    results["seconds"] = round(elapsed, 1)
    results["requests_per_second"] = round((results["valid"] + results["invalid"]) / elapsed)
    return results


def slow_clients(target, read_timeout):
    """A trickled body and an idle connection: both closed by the server in time; others not blocked."""
    host, port = target.host, target.port
    margin = max(3.0, read_timeout)
    report, problems = {}, []

    def closed_within(sock, limit, trickle):
        start = time.monotonic()
        sock.settimeout(0.5)
        while time.monotonic() - start < limit:
            if trickle:
                try:
                    sock.send(b"1")
                except OSError:
                    return time.monotonic() - start
            try:
                data = sock.recv(4096)
                if data == b"":
                    return time.monotonic() - start
                if trickle and b"HTTP/1.1" in data:
                    report.setdefault("trickle_answer", data.split(b"\r\n", 1)[0].decode())
            except socket.timeout:
                pass
            except OSError:
                return time.monotonic() - start
            time.sleep(0.5 if trickle else 0)
        return None

    trickle = socket.create_connection((host, port))
    trickle.sendall(b"POST /api/predict HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                    b"Content-Length: 100000\r\n\r\n{")
    idle = socket.create_connection((host, port))
    slow_head = socket.create_connection((host, port))
    slow_head.sendall(b"POST /api/predict HTTP/1.1\r\nHost: x\r\n")

    # While they hang, a normal client is answered at once.
    started = time.monotonic()
    status = target.request(*valid_request(random.Random(1), target.models))[0]
    report["other_client_ms"] = round((time.monotonic() - started) * 1000, 1)
    if status != 200 or report["other_client_ms"] > 1000:
        problems.append(f"a normal request beside slow clients took {report['other_client_ms']} ms ({status})")

    results = {}

    def watch(name, sock, trickled):
        results[name] = closed_within(sock, read_timeout + margin, trickled)

    watchers = [threading.Thread(target=watch, args=args) for args in
                (("trickle", trickle, True), ("idle", idle, False), ("slow_head", slow_head, False))]
    for watcher in watchers:
        watcher.start()
    for watcher in watchers:
        watcher.join()
    for name, seconds in results.items():
        report[f"{name}_closed_after_s"] = None if seconds is None else round(seconds, 1)
        if seconds is None:
            problems.append(f"the {name} connection was still open after {read_timeout + margin:.0f} s")
    for sock in (trickle, idle, slow_head):
        sock.close()
    report["problems"] = problems
    return report


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", default="http://127.0.0.1:8080")
    parser.add_argument("--pid", type=int, help="the server's process id, for its resident memory")
    parser.add_argument("--requests", type=int, default=10_000)
    parser.add_argument("--soak-seconds", type=float, default=60)
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--read-timeout", type=float, default=30, help="the server's --read-timeout")
    parser.add_argument("--max-body", type=int, default=1_000_000, help="the server's --max-body-bytes")
    parser.add_argument("--memory-tolerance", type=float, default=0.10)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--skip-slow", action="store_true")
    args = parser.parse_args()

    target = Target(args.url, timeout=30)
    status, _, body = target.request("GET", "/api/models")
    if status != 200:
        sys.exit(f"server_soak: GET /api/models answered {status}")
    target.models = [model["name"] for model in json.loads(body)["models"]]
    rng = random.Random(args.seed)
    failed = False

    report = fuzz(target, rng, target.models, args.requests, args.max_body, args.pid)
    print("fuzz:", json.dumps({k: v for k, v in report.items() if k != "problems"}, sort_keys=True))
    for problem in report["problems"][:20]:
        print("  PROBLEM", problem)
    failed |= bool(report["problems"])
    if report["rss_kib_before"]:
        growth = report["rss_kib_after"] / report["rss_kib_before"] - 1
        print(f"  resident memory {report['rss_kib_before']} -> {report['rss_kib_after']} KiB ({growth:+.1%})")
        if growth > args.memory_tolerance:
            print(f"  PROBLEM resident memory grew {growth:.1%}, over {args.memory_tolerance:.0%}")
            failed = True

    if args.soak_seconds > 0:
        # Two halves: the first grows the server to its working size under this load (buffers and
        # batches for every connection), the second must then leave its memory flat.
        memory = []
        for half in (1, 2):
            result = soak(args.url, 30, args.seed + half, target.models, args.soak_seconds / 2, args.connections,
                          args.max_body)
            print(f"soak {half}/2:", json.dumps({k: v for k, v in result.items() if k != "failures"},
                                                 sort_keys=True))
            for failure in result["failures"][:20]:
                print("  PROBLEM", failure)
            failed |= result["valid_failed"] > 0 or result["invalid_5xx"] > 0
            if args.pid:
                memory.append(resident_kib(args.pid))
                print(f"  resident memory after half {half}: {memory[-1]} KiB")
        if len(memory) == 2:
            growth = memory[1] / memory[0] - 1
            print(f"  resident memory over the second half: {growth:+.1%}")
            if growth > args.memory_tolerance:
                print(f"  PROBLEM resident memory grew {growth:.1%} under steady load")
                failed = True

    if not args.skip_slow:
        result = slow_clients(target, args.read_timeout)
        print("slow clients:", json.dumps({k: v for k, v in result.items() if k != "problems"}, sort_keys=True))
        for problem in result["problems"]:
            print("  PROBLEM", problem)
        failed |= bool(result["problems"])

    if target.request("GET", "/healthz")[0] != 200:
        print("PROBLEM the server no longer answers /healthz")
        failed = True
    print("server_soak:", "FAILED" if failed else "passed")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
