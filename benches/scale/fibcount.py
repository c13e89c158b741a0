#!/usr/bin/env python3
"""Counts the routes of a namespace's main table, cheaply, until told to stop.

Run inside the namespace (`ip netns exec NS python3 fibcount.py ...`). Every
INTERVAL ms it reads "Prefixes" of the Main table from /proc/net/fib_triestat
(the kernel walks its trie: about a millisecond for 100k routes, against tens
of milliseconds to print /proc/net/route), so the daemon under test keeps the
CPU. Times are CLOCK_MONOTONIC, which every process on the machine shares.

Output, one JSON object a line on stdout:
  {"ready": T, "baseline": N}                once started
  {"target": T, "count": N}                  the first poll that saw baseline + TARGET
  {"done": T, "count": N, "last_change": T, "max": N, "samples": [[T, N], ...]}
                                             on SIGTERM, at --timeout, --linger s
                                             after the target was reached, or after
                                             --quiet s without a change short of it
"""

import argparse
import json
import signal
import sys
import time


def main_prefixes():
    with open("/proc/net/fib_triestat") as f:
        section = None
        for line in f:
            if not line.startswith((" ", "\t")):
                section = line.strip().rstrip(":")
                continue
            if section == "Main" and "Prefixes:" in line:
                return int(line.split()[-1])
    return 0


def route_lines(net, plen):
    """Routes of /proc/net/route inside net/plen (for small tables only)."""
    mask = (0xFFFFFFFF << (32 - plen)) & 0xFFFFFFFF if plen else 0
    n = 0
    with open("/proc/net/route") as f:
        next(f, None)
        for line in f:
            fields = line.split()
            if len(fields) < 8:
                continue
            # Destination is hex in host (little-endian) order.
            dst = int.from_bytes(bytes.fromhex(fields[1]), "little")
            if dst & mask == net:
                n += 1
    return n


def emit(obj):
    sys.stdout.write(json.dumps(obj) + "\n")
    sys.stdout.flush()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--target", type=int, required=True, help="routes above the baseline")
    ap.add_argument("--interval", type=float, default=20.0, help="ms between polls")
    ap.add_argument("--timeout", type=float, default=600.0, help="s before giving up")
    ap.add_argument("--linger", type=float, default=-1.0,
                    help="s to keep polling after the target (negative: until SIGTERM/timeout)")
    ap.add_argument("--quiet", type=float, default=0.0,
                    help="s without a change (after the first one) that end the count short of the target; 0: never")
    ap.add_argument("--baseline", type=int, default=None, help="use this baseline instead of the current count")
    ap.add_argument("--match", default=None,
                    help="count /proc/net/route lines inside this prefix (e.g. 10.0.0.0/8) instead; small tables only")
    args = ap.parse_args()

    count = main_prefixes
    if args.match:
        addr, plen = args.match.split("/")
        net = int.from_bytes(bytes(int(x) for x in addr.split(".")), "big")
        count = lambda: route_lines(net, int(plen))  # noqa: E731

    stop = []
    signal.signal(signal.SIGTERM, lambda *_: stop.append(1))
    signal.signal(signal.SIGINT, lambda *_: stop.append(1))

    baseline = count() if args.baseline is None else args.baseline
    start = time.monotonic()
    emit({"ready": start, "baseline": baseline})
    last = baseline
    last_change = start
    peak = baseline
    t_target = None
    samples = []
    interval = args.interval / 1000.0
    while not stop:
        now = time.monotonic()
        n = count()
        if n != last:
            last_change = now
            last = n
            samples.append([round(now, 4), n - baseline])
        peak = max(peak, n)
        if t_target is None and n - baseline >= args.target:
            t_target = now
            emit({"target": now, "count": n - baseline})
        if now - start > args.timeout:
            break
        if args.quiet > 0 and t_target is None and samples and now - last_change >= args.quiet:
            break
        if t_target is not None and args.linger >= 0 and now - t_target >= args.linger:
            break
        time.sleep(max(0.0, interval - (time.monotonic() - now)))
    emit({"done": time.monotonic(), "count": last - baseline, "last_change": last_change,
          "max": peak - baseline, "samples": samples[-2000:]})


if __name__ == "__main__":
    main()
