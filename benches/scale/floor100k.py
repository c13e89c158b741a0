#!/usr/bin/env python3
"""Issue 4's floor benchmark: 100k routes at 20,000 messages/s into riprs,
beside `ip -batch` installing the same routes (the floor), in one run.

Topology: namespace GEN (gen0 192.168.77.1/24) --veth-- namespace RTR
(rtr0 192.168.77.2/24), riprs in RTR with networks = ["192.168.77.0/24"].
rip-gen in GEN sends 10.0.0.0/24 ... (25 routes a message) to 224.0.0.9.

Per repetition: the floor (`ip -n RTR -batch`: `route add P via
192.168.77.1 proto 189 metric 20` for the same 100k prefixes, timed until
ip exits, i.e. until the kernel acknowledged the last one; then flushed),
then a fresh riprs: the clock starts when rip-gen is started and stops at
the first poll (every 20 ms, fibcount.py) that sees all routes in RTR's
main table. riprs's VmHWM and utime+stime are read 2 s after that.

Usage: floor100k.py [--routes 100000] [--rate 20000] [--reps 5] [--json FILE]
"""

import argparse
import json
import time

import scale
from scale import fmt, log, median


def one_riprs(gen, rtr, routes, rate, timeout, level):
    daemon = scale.Riprs(rtr, ["192.168.77.0/24"], level=level)
    daemon.wait_ready()
    counter = scale.FibCounter(rtr, routes, timeout=timeout)
    t0 = time.monotonic()
    gen_proc = scale.Proc("rip-gen", gen.argv(scale.RIP_GEN, "--device", "gen0", "--routes",
                                              str(routes), "--rate", str(rate)))
    hit = counter.wait("target", timeout)
    if hit:
        time.sleep(2)
    stat_cpu, stat_hwm = daemon.stat()
    threads = daemon.procs[0].thread_cpu()
    overflows = daemon.procs[0].log_text().count("netlink event overflow")
    done = counter.finish()
    gen_proc.stop()
    installed = scale.count_routes(rtr, scale.RTPROT_RIP)
    elapsed = (hit["target"] - t0) if hit else (done["last_change"] - t0)
    daemon.stop()
    scale.flush_routes(rtr, scale.RTPROT_RIP)
    return {"installed": installed, "time": elapsed, "complete": bool(hit),
            "cpu": stat_cpu, "hwm_mb": stat_hwm / 1024 if stat_hwm else None,
            "threads": threads,
            "overflow": overflows}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--routes", type=int, default=100000)
    ap.add_argument("--rate", type=int, default=20000)
    ap.add_argument("--reps", type=int, default=5)
    ap.add_argument("--timeout", type=float, default=60)
    ap.add_argument("--log-level", default="info")
    ap.add_argument("--json", help="write the raw results here")
    args = ap.parse_args()

    load = scale.LoadSampler()
    gen = scale.Netns("g")
    rtr = scale.Netns("r")
    scale.veth(gen, "gen0", "192.168.77.1/24", rtr, "rtr0", "192.168.77.2/24")

    floors, runs = [], []
    for rep in range(args.reps):
        f = scale.floor(rtr, args.routes, "192.168.77.1")
        floors.append(f)
        r = one_riprs(gen, rtr, args.routes, args.rate, args.timeout, args.log_level)
        r["ratio"] = r["time"] / f["time"]
        runs.append(r)
        log(f"rep {rep + 1}: floor {f['time']:.3f} s ({f['installed']}), riprs {r['time']:.3f} s "
            f"({r['installed']}), x{r['ratio']:.2f}, cpu {r['cpu']:.2f} s, hwm {r['hwm_mb']:.1f} MB, "
            f"threads {r['threads']}, netlink overflows {r['overflow']}")

    result = {
        "machine": scale.machine_info(), "load": load.summary(), "args": vars(args),
        "floor": floors, "riprs": runs,
    }
    if args.json:
        with open(args.json, "w") as f:
            json.dump(result, f, indent=1)

    fl = median([f["time"] for f in floors])
    t = median([r["time"] for r in runs])
    pct = median([100 * r["installed"] / args.routes for r in runs])
    print(f"Machine: {result['machine']}; load: {result['load']}")
    print(f"{args.reps} repetitions, medians (each riprs run with its own floor run just before)\n")
    print("| | installed | time to all in kernel (s) | ratio to floor | peak RSS (MB) | CPU (s) |")
    print("|---|---|---|---|---|---|")
    print(f"| `ip -batch` floor | {median([100 * f['installed'] / args.routes for f in floors]):.0f}% "
          f"| {fl:.3f} | 1.00 | - | - |")
    print(f"| riprs | {pct:.0f}% | {t:.3f} | {median([r['ratio'] for r in runs]):.2f} "
          f"| {fmt(median([r['hwm_mb'] for r in runs]), '.1f')} "
          f"| {fmt(median([r['cpu'] for r in runs]))} |")
    names = sorted({n for r in runs for n in r["threads"]})
    print("\nriprs's CPU by thread, median user / system s: " + ", ".join(
        f"{n} {median([r['threads'].get(n, [0, 0])[0] for r in runs]):.2f} / "
        f"{median([r['threads'].get(n, [0, 0])[1] for r in runs]):.2f}" for n in names))
    print(f"netlink subscription overflows: {sum(r['overflow'] for r in runs)} in {len(runs)} runs")
    print()
    print("All runs (floor s / riprs s / ratio / installed / MB / CPU s): " + "; ".join(
        f"{f['time']:.3f}/{r['time']:.3f}/{r['ratio']:.2f}/{r['installed']}/{fmt(r['hwm_mb'], '.1f')}"
        f"/{fmt(r['cpu'])}" for f, r in zip(floors, runs)))


if __name__ == "__main__":
    main()
