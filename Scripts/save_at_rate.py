#!/usr/bin/env python3
"""Saves drawings to a running `doodle serve` at a steady rate, as players would, for bench_store.sh.

    save_at_rate.py URL SAVES_FILE RATE SECONDS

POSTs the bodies of SAVES_FILE (one JSON object per line) to URL/api/drawings in turn, RATE a second
for SECONDS, over one keep-alive connection, and prints how many were saved and how many failed.
Only the standard library is used.
"""
import http.client
import sys
import time
from urllib.parse import urlparse


def main():
    url, saves_file, rate, seconds = sys.argv[1], sys.argv[2], float(sys.argv[3]), float(sys.argv[4])
    bodies = [line.strip().encode() for line in open(saves_file) if line.strip()]
    address = urlparse(url)
    connection = http.client.HTTPConnection(address.hostname, address.port, timeout=10)
    saved = failed = 0
    start = time.monotonic()
    while (now := time.monotonic()) - start < seconds:
        due = start + (saved + failed) / rate
        if due > now:
            time.sleep(due - now)
        body = bodies[(saved + failed) % len(bodies)]
        try:
            connection.request("POST", "/api/drawings", body, {"Content-Type": "application/json"})
            response = connection.getresponse()
            response.read()
            if response.status == 201:
                saved += 1
            else:
                failed += 1
        except (OSError, http.client.HTTPException):
            failed += 1
            connection.close()
            connection = http.client.HTTPConnection(address.hostname, address.port, timeout=10)
    elapsed = time.monotonic() - start
    print(f"steady saves: {saved} in {elapsed:.1f} s ({saved / elapsed:.0f}/s), {failed} failed")


if __name__ == "__main__":
    main()
