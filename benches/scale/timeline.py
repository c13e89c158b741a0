#!/usr/bin/env python3
"""Where the time of floor100k goes: one run with riprs at log level debug,
its log's timestamps set against the generator's start and the poll that saw
every route in the kernel.

riprs logs "route added" per route (the engine accepted it) and, on the FIB
thread, "routes written" per batch (the batch's RTM_NEWROUTE messages went
out with sendmsg; the kernel inserts each route within that call). Debug
logging itself costs time (100k log lines): compare with floor100k's times.

Usage: timeline.py [--routes 100000] [--rate 20000] [--reps 3]
"""

import argparse
import datetime
import re
import time

import scale
from scale import median

ANSI = re.compile(r"\x1b\[[0-9;]*m")
LINE = re.compile(r"^(\S+Z)\s+\w+\s+(.*)$")


def parse(text, offset):
    """(monotonic time, message) of each log line."""
    out = []
    for raw in text.splitlines():
        m = LINE.match(ANSI.sub("", raw))
        if not m:
            continue
        wall = datetime.datetime.fromisoformat(m.group(1).replace("Z", "+00:00")).timestamp()
        out.append((wall - offset, m.group(2)))
    return out


def one(gen, rtr, routes, rate):
    daemon = scale.Riprs(rtr, ["192.168.77.0/24"], level="debug")
    daemon.wait_ready()
    counter = scale.FibCounter(rtr, routes, timeout=60, linger=0)
    offset = time.time() - time.monotonic()
    t0 = time.monotonic()
    g = scale.Proc("rip-gen", gen.argv(scale.RIP_GEN, "--device", "gen0", "--routes", str(routes),
                                       "--rate", str(rate)), logfile=daemon.dir + "/gen.log")
    hit = counter.wait("target", 60)
    counter.finish()
    g.stop()
    time.sleep(0.5)
    lines = parse(daemon.procs[0].log_text(), offset)
    daemon.stop()
    scale.flush_routes(rtr, scale.RTPROT_RIP)
    # The generator's routes only (not the connected subnet, added at start).
    added = [t for t, msg in lines if "route added" in msg and t >= t0]
    written = [(t, int(re.search(r"routes=(\d+)", msg).group(1)))
               for t, msg in lines if "routes written" in msg and "routes=" in msg]
    gen_took = re.search(r"in ([0-9.]+)(m?s)", g.log_text())
    gen_s = None
    if gen_took:
        gen_s = float(gen_took.group(1)) / (1000 if gen_took.group(2) == "ms" else 1)
    written_before = [w for w in written if w[0] <= (hit["target"] if hit else 1e18)]
    return {
        "all_in_kernel": hit["target"] - t0 if hit else None,
        "generator_sent_all": gen_s,
        "first_added": added[0] - t0 if added else None,
        "last_added": added[-1] - t0 if added else None,
        "first_written": written[0][0] - t0 if written else None,
        "last_written": written_before[-1][0] - t0 if written_before else None,
        "batches": len(written_before),
        "batch_median": median([w[1] for w in written_before]),
        "batch_max": max((w[1] for w in written_before), default=None),
    }


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--routes", type=int, default=100000)
    ap.add_argument("--rate", type=int, default=20000)
    ap.add_argument("--reps", type=int, default=3)
    args = ap.parse_args()
    gen = scale.Netns("g")
    rtr = scale.Netns("r")
    scale.veth(gen, "gen0", "192.168.77.1/24", rtr, "rtr0", "192.168.77.2/24")
    runs = [one(gen, rtr, args.routes, args.rate) for _ in range(args.reps)]
    print(f"load: {scale.load_info()['loadavg']}; {args.reps} runs at log level debug, medians "
          "(seconds from the generator's start)\n")
    print("| | s |\n|---|---|")
    for key, label in [
        ("first_added", "engine accepts the first route"),
        ("first_written", "first batch handed to the kernel"),
        ("generator_sent_all", "generator has sent its last message (its own clock)"),
        ("last_added", "engine accepts the last route"),
        ("last_written", "last batch handed to the kernel"),
        ("all_in_kernel", "poll sees every route in the kernel"),
        ("batches", "batches (sendmsg rounds of the FIB thread)"),
        ("batch_median", "routes per batch, median"),
        ("batch_max", "routes per batch, largest"),
    ]:
        print(f"| {label} | {scale.fmt(median([r[key] for r in runs]), '.3f')} |")


if __name__ == "__main__":
    main()
