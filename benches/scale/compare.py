#!/usr/bin/env python3
"""Issue 5's comparisons: riprs, FRR (zebra + ripd) and BIRD fed by the same
generator, side by side in one run.

  compare.py install [--scenarios 100000:4000,100000:20000,10000:0] [--reps 3]
  compare.py steady  [--routes 100000] [--rate 20000] [--every 30] [--duration 300]
  compare.py hub     [--spokes 100] [--subnets 10] [--observers 4] [--hold 60] [--reps 1]

Common: [--daemons riprs,frr,bird] [--json FILE]. Results are printed as
markdown tables (medians over the repetitions).

install: GEN (gen0 192.168.77.1/24) --veth-- RTR (rtr0 192.168.77.2/24); in
  each repetition and scenario (ROUTES:RATE, rate 0 = back to back) the
  floor (`ip -batch`, proto 189 via 192.168.77.1, until ip exits) runs,
  then each daemon in turn, fresh, in RTR. The clock starts when rip-gen is
  started, and stops at the first 20 ms poll of RTR's main table
  (fibcount.py) that holds every route; a daemon that never gets there is
  timed to its last change. Installed = routes of the daemon's kernel
  protocol (rip 189 for riprs and FRR, bird 12 for BIRD) 2 s after the end,
  when VmHWM and utime+stime are read too (FRR: zebra + ripd summed).
steady: the same, with rip-gen --repeat-every EVERY; once everything is in,
  the daemon's CPU is read, again DURATION s later, and divided by the
  update cycles in between.
hub: namespace HUB with SPOKES veth /30 links (hub 172.20.i.1, spoke
  172.20.i.2); every spoke runs rip-gen announcing SUBNETS /24s of its own
  (10.0.0.0/24 + i*SUBNETS), repeating every 30 s. Generators cannot learn,
  so OBSERVERS spokes, evenly spread, also run a riprs that learns from the
  hub: the time until each of them has the (SPOKES-1)*SUBNETS subnets of
  the others in its kernel table measures the hub's updates to the spokes.
  The hub's own table is timed the same way (all SPOKES*SUBNETS). The hub's
  CPU and RSS are read at convergence and again after HOLD s more.
"""

import argparse
import json
import time

import scale
from scale import fmt, log, median

DAEMONS = ("riprs", "frr", "bird")
QUIET = 10.0
NAMES = {"riprs": "riprs", "frr": "FRR zebra+ripd", "bird": "BIRD", "floor": "`ip -batch` floor"}


def start_daemon(kind, ns, networks, interfaces, router_id, sockets=1):
    if kind == "riprs":
        d = scale.Riprs(ns, networks)
    elif kind == "frr":
        d = scale.Frr(ns, networks)
    elif kind == "bird":
        d = scale.Bird(ns, interfaces, router_id, direct=True)
    else:
        raise ValueError(kind)
    d.wait_ready(sockets=sockets)
    return d


def pair():
    gen = scale.Netns("g")
    rtr = scale.Netns("r")
    scale.veth(gen, "gen0", "192.168.77.1/24", rtr, "rtr0", "192.168.77.2/24")
    return gen, rtr


# ---------------------------------------------------------------- install

def install_one(kind, gen, rtr, routes, rate, timeout, repeat=0, hold=0.0):
    daemon = start_daemon(kind, rtr, ["192.168.77.0/24"], ["rtr0"], "192.168.77.2")
    # Without repeats, a daemon that dropped messages never gets them all:
    # QUIET s without a change end its count.
    counter = scale.FibCounter(rtr, routes, timeout=timeout, linger=0, quiet=0 if repeat else QUIET)
    drops = scale.udp_rcvbuf_errors(rtr)
    t0 = time.monotonic()
    argv = [scale.RIP_GEN, "--device", "gen0", "--routes", str(routes), "--rate", str(rate)]
    if repeat:
        argv += ["--repeat-every", str(repeat)]
    gen_proc = scale.Proc("rip-gen", gen.argv(*argv))
    hit = counter.wait("target", timeout)
    done = counter.finish()
    elapsed = (hit["target"] - t0) if hit else (done["last_change"] - t0)
    time.sleep(2)
    cpu, hwm = daemon.stat()
    anon = scale.anon_mb(daemon.procs)
    result = {"daemon": kind, "anon_mb": anon, "routes": routes, "rate": rate, "complete": bool(hit),
              "time": elapsed, "cpu": cpu, "hwm_mb": hwm / 1024 if hwm else None}
    if hold:
        t_a = time.monotonic()
        us0 = scale.user_system(daemon.procs)
        time.sleep(hold)
        cpu2, hwm2 = daemon.stat()
        us1 = scale.user_system(daemon.procs)
        if None not in us0 + us1:
            result["hold_user"], result["hold_system"] = us1[0] - us0[0], us1[1] - us0[1]
        result["hold"] = time.monotonic() - t_a
        result["hold_cpu"] = cpu2 - cpu if cpu2 is not None and cpu is not None else None
        result["hwm_mb"] = hwm2 / 1024 if hwm2 else None
        if repeat:
            result["cycles"] = result["hold"] / repeat
            result["cpu_per_cycle"] = (result["hold_cpu"] / result["cycles"]
                                       if result["hold_cpu"] is not None else None)
    result["udp_drops"] = scale.udp_rcvbuf_errors(rtr) - drops
    result["installed"] = scale.count_routes(rtr, daemon.proto)
    result["pct"] = 100.0 * result["installed"] / routes
    gen_proc.stop()
    daemon.stop()
    scale.flush_routes(rtr, daemon.proto)
    log(f"{kind} {routes}@{rate}: {result['pct']:.1f}% in {elapsed:.3f} s, cpu {fmt(cpu)} s, "
        f"hwm {fmt(result['hwm_mb'], '.1f')} MB, {result['udp_drops']} messages dropped (rcvbuf)"
        + (f", {fmt(result.get('cpu_per_cycle'), '.3f')} s CPU per cycle" if repeat else ""))
    return result


def install(args):
    gen, rtr = pair()
    scenarios = [tuple(int(x) for x in s.split(":")) for s in args.scenarios.split(",")]
    results = []
    for rep in range(args.reps):
        for routes, rate in scenarios:
            f = scale.floor(rtr, routes, "192.168.77.1")
            log(f"floor {routes}: {f['installed']} in {f['time']:.3f} s")
            results.append({"daemon": "floor", "routes": routes, "rate": rate, "time": f["time"],
                            "installed": f["installed"], "pct": 100.0 * f["installed"] / routes,
                            "complete": f["installed"] == routes, "rep": rep})
            for kind in args.daemons:
                r = install_one(kind, gen, rtr, routes, rate, args.timeout)
                r["rep"] = rep
                results.append(r)
    return results, scenarios


def install_table(results, scenarios):
    lines = []
    for routes, rate in scenarios:
        rows = [r for r in results if r["routes"] == routes and r["rate"] == rate]
        floor_t = median([r["time"] for r in rows if r["daemon"] == "floor"])
        frr = [r for r in rows if r["daemon"] == "frr"]
        messages = (routes + 24) // 25
        sending = f", which rip-gen takes {messages / rate:.2f} s to send" if rate else ""
        lines.append(f"\n{routes} routes ({messages} messages), "
                     f"{'back to back' if rate == 0 else f'{rate} messages/s'}{sending}:\n")
        lines.append("| | installed | time to last route in kernel (s) | ratio to floor "
                     "| peak RSS (MB) | CPU (s) | RSS vs FRR | CPU vs FRR | CPU per 1000 routes installed (ms) "
                     "| messages dropped (full socket buffer) |")
        lines.append("|---|---|---|---|---|---|---|---|---|---|")
        frr_hwm = median([r["hwm_mb"] for r in frr])
        frr_cpu = median([r["cpu"] for r in frr])
        for kind in ("floor",) + DAEMONS:
            rs = [r for r in rows if r["daemon"] == kind]
            if not rs:
                continue
            t = median([r["time"] for r in rs])
            hwm = median([r.get("hwm_mb") for r in rs])
            cpu = median([r.get("cpu") for r in rs])
            incomplete = sum(1 for r in rs if not r["complete"])
            note = f" ({incomplete}/{len(rs)} runs incomplete)" if incomplete else ""
            lines.append(
                f"| {NAMES[kind]} | {median([r['pct'] for r in rs]):.1f}%{note} | {t:.3f} "
                f"| {t / floor_t:.2f} | {fmt(hwm, '.1f')} | {fmt(cpu)} "
                f"| {fmt(hwm / frr_hwm if hwm and frr_hwm else None)} "
                f"| {fmt(cpu / frr_cpu if cpu is not None and frr_cpu else None)} "
                f"| {fmt(median([1e6 * r['cpu'] / r['installed'] if r.get('cpu') is not None and r['installed'] else None for r in rs]), '.1f')} "
                f"| {fmt(median([r.get('udp_drops') for r in rs]), '.0f')} |")
    return "\n".join(lines)


# ---------------------------------------------------------------- steady

def steady(args):
    gen, rtr = pair()
    results = []
    for rep in range(args.reps):
        for kind in args.daemons:
            r = install_one(kind, gen, rtr, args.routes, args.rate, args.timeout,
                            repeat=args.every, hold=args.duration)
            r["rep"] = rep
            results.append(r)
    return results


def steady_table(results, args):
    lines = ["| | time until all were in the kernel (s) | installed at the end | peak RSS (MB) "
             "| CPU over the hold (s) | update cycles | CPU per cycle (s) | CPU vs FRR |",
             "|---|---|---|---|---|---|---|---|"]
    frr = median([r["cpu_per_cycle"] for r in results if r["daemon"] == "frr"])
    for kind in DAEMONS:
        rs = [r for r in results if r["daemon"] == kind]
        if not rs:
            continue
        c = median([r["cpu_per_cycle"] for r in rs])
        t = median([r["time"] for r in rs])
        incomplete = sum(1 for r in rs if not r["complete"])
        t_text = f"{t:.2f}" + (f" (never, in {incomplete} run(s))" if incomplete else "")
        lines.append(f"| {NAMES[kind]} | {t_text} | {median([r['pct'] for r in rs]):.1f}% "
                     f"| {fmt(median([r['hwm_mb'] for r in rs]), '.1f')} "
                     f"| {fmt(median([r['hold_cpu'] for r in rs]))} "
                     f"| {median([r['cycles'] for r in rs]):.1f} | {fmt(c, '.3f')} "
                     f"| {fmt(c / frr if c is not None and frr else None)} |")
    return "\n".join(lines)


# ---------------------------------------------------------------- hub

def hub_one(kind, args):
    spokes, subnets = args.spokes, args.subnets
    hub = scale.Netns("h")
    # FRR's ripd joins 224.0.0.9 on every interface with one socket, and a
    # socket may join net.ipv4.igmp_max_memberships (20) groups: past 20
    # interfaces ripd logs "can't setsockopt IP_ADD_MEMBERSHIP" and neither
    # hears nor sends there. Raised in the hub's namespace only (riprs and
    # BIRD use a socket per interface and do not need it).
    if not args.default_igmp:
        scale.sh("ip", "netns", "exec", hub.name, "sysctl", "-qw",
                 f"net.ipv4.igmp_max_memberships={spokes + 10}")
    spoke_ns = []
    for i in range(spokes):
        s = scale.Netns(f"s{i}")
        scale.veth(hub, f"h{i}", f"172.20.{i}.1/30", s, "s0", f"172.20.{i}.2/30")
        spoke_ns.append(s)
    observers = sorted({round(k * (spokes - 1) / max(1, args.observers - 1))
                        for k in range(args.observers)})
    obs = []
    for i in observers:
        d = scale.Riprs(spoke_ns[i], [f"172.20.{i}.0/30"], name=f"obs{i}")
        obs.append((i, d))
    for _, d in obs:
        d.wait_ready()
    daemon = start_daemon(kind, hub, ["172.20.0.0/16"], ["h*"], "172.20.0.1", sockets=spokes)
    hub_counter = scale.FibCounter(hub, spokes * subnets, match="10.0.0.0/8", interval=50,
                                   timeout=args.timeout, linger=0, quiet=40)
    counters = [(i, scale.FibCounter(spoke_ns[i], (spokes - 1) * subnets, match="10.0.0.0/8",
                                     interval=50, timeout=args.timeout, linger=0, quiet=40))
                for i, _ in obs]
    t0 = time.monotonic()
    gens = []
    for i, s in enumerate(spoke_ns):
        base = 0x0A000000 + i * subnets * 256
        gens.append(scale.Proc("rip-gen", s.argv(
            scale.RIP_GEN, "--device", "s0", "--routes", str(subnets), "--rate", "0",
            "--repeat-every", "30", "--base",
            f"{base >> 24}.{(base >> 16) & 255}.{(base >> 8) & 255}.0")))
    t_launched = time.monotonic() - t0
    hub_hit = hub_counter.wait("target", args.timeout)
    hub_done = hub_counter.finish()
    spoke_times, spoke_counts = [], []
    for i, c in counters:
        hit = c.wait("target", max(1.0, args.timeout - (time.monotonic() - t0)))
        done = c.finish()
        spoke_times.append((hit["target"] if hit else done["last_change"]) - t0)
        spoke_counts.append(done["count"] if not hit else hit["count"])
    t_conv = time.monotonic()
    cpu, hwm = daemon.stat()
    us0 = scale.user_system(daemon.procs)
    sched0 = scale.sched_cpu(daemon.procs)
    time.sleep(max(0.0, args.hold - (time.monotonic() - t_conv)))
    cpu2, hwm2 = daemon.stat()
    us1 = scale.user_system(daemon.procs)
    sched1 = scale.sched_cpu(daemon.procs)
    anon = scale.anon_mb(daemon.procs)
    hold = time.monotonic() - t_conv
    hub_installed = scale.count_routes(hub, daemon.proto, "10.0.0.0/8")
    spoke_installed = [scale.count_routes(spoke_ns[i], scale.RTPROT_RIP, "10.0.0.0/8")
                       for i, _ in obs]
    result = {
        "daemon": kind, "spokes": spokes, "subnets": subnets, "observers": observers,
        "launch": t_launched,
        "hub_time": (hub_hit["target"] if hub_hit else hub_done["last_change"]) - t0,
        "hub_complete": bool(hub_hit), "hub_pct": 100.0 * hub_installed / (spokes * subnets),
        "spoke_times": spoke_times, "spoke_time": max(spoke_times),
        "spoke_pct": [100.0 * n / ((spokes - 1) * subnets) for n in spoke_installed],
        "cpu_conv": cpu, "cpu_hold": (cpu2 - cpu) if cpu2 is not None else None,
        "hold": hold, "hwm_mb": (hwm2 or hwm or 0) / 1024, "anon_mb": anon,
        "hold_sched": sched1 - sched0 if None not in (sched0, sched1) else None,
        "hold_user": us1[0] - us0[0] if None not in us0 + us1 else None,
        "hold_system": us1[1] - us0[1] if None not in us0 + us1 else None,
    }
    log(f"hub {kind}: hub {result['hub_pct']:.1f}% in {result['hub_time']:.2f} s, spokes "
        f"{min(result['spoke_pct']):.1f}% (min) in {result['spoke_time']:.2f} s (max), cpu {fmt(cpu)} "
        f"+ {fmt(result['cpu_hold'])} s ({fmt(result['hold_sched'], '.4f')} s by schedstat; user {fmt(result['hold_user'])}, system "
        f"{fmt(result['hold_system'])}) over {hold:.0f} s, hwm {result['hwm_mb']:.1f} MB, "
        f"anon {fmt(anon, '.1f')} MB")
    for g in gens:
        g.stop()
    daemon.stop()
    for _, d in obs:
        d.stop()
    for s in spoke_ns:
        s.delete()
    hub.delete()
    return result


def hub(args):
    results = []
    for rep in range(args.reps):
        for kind in args.daemons:
            r = hub_one(kind, args)
            r["rep"] = rep
            results.append(r)
    return results


def hub_table(results, args):
    launch = median([r["launch"] for r in results])
    hold = median([r["hold"] for r in results])
    lines = [f"Starting the {args.spokes} generators took {launch:.2f} s (median); times count from the "
             f"first. Hold: {hold:.0f} s after convergence.\n",
             "| hub | hub's table | time until the hub has all (s) | observer spokes' tables "
             "| time until every observer has all others' (s) | hub CPU to convergence (s) "
             f"| hub CPU over the hold (s) | per 30 s cycle (ms) | per cycle, schedstat (ms) | hub peak RSS (MB) "
             "| hub RssAnon at the end (MB) | RSS vs FRR | CPU (hold) vs FRR | CPU (schedstat) vs FRR |",
             "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
    frr = [r for r in results if r["daemon"] == "frr"]
    frr_hwm = median([r["hwm_mb"] for r in frr])
    frr_cpu = median([r["cpu_hold"] for r in frr])
    frr_sched = median([r.get("hold_sched") for r in frr])
    for kind in DAEMONS:
        rs = [r for r in results if r["daemon"] == kind]
        if not rs:
            continue
        hwm = median([r["hwm_mb"] for r in rs])
        ch = median([r["cpu_hold"] for r in rs])
        sched = median([r.get("hold_sched") for r in rs])
        sched_cycle = median([1000 * r["hold_sched"] * 30 / r["hold"]
                              if r.get("hold_sched") is not None else None for r in rs])
        lines.append(
            f"| {NAMES[kind]} | {median([r['hub_pct'] for r in rs]):.1f}% "
            f"| {median([r['hub_time'] for r in rs]):.2f} "
            f"| {median([min(r['spoke_pct']) for r in rs]):.1f}% (lowest) "
            f"| {median([r['spoke_time'] for r in rs]):.2f} "
            f"| {fmt(median([r['cpu_conv'] for r in rs]))} | {fmt(ch)} "
            f"| {fmt(median([1000 * r['cpu_hold'] * 30 / r['hold'] for r in rs]), '.1f')} "
            f"| {fmt(sched_cycle, '.1f')} | {fmt(hwm, '.1f')} "
            f"| {fmt(median([r.get('anon_mb') for r in rs]), '.1f')} "
            f"| {fmt(hwm / frr_hwm if frr_hwm else None)} "
            f"| {fmt(ch / frr_cpu if ch is not None and frr_cpu else None)} "
            f"| {fmt(sched / frr_sched if sched is not None and frr_sched else None)} |")
    return "\n".join(lines)


# ---------------------------------------------------------------- main

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("mode", choices=("install", "steady", "hub", "table"),
                    help="table: print the tables of an earlier run's --json FILE again")
    ap.add_argument("--daemons", default=",".join(DAEMONS))
    ap.add_argument("--reps", type=int, default=None)
    ap.add_argument("--timeout", type=float, default=180)
    ap.add_argument("--scenarios", default="100000:4000,100000:20000,10000:0")
    ap.add_argument("--routes", type=int, default=100000)
    ap.add_argument("--rate", type=int, default=20000)
    ap.add_argument("--every", type=int, default=30)
    ap.add_argument("--duration", type=float, default=300)
    ap.add_argument("--spokes", type=int, default=100)
    ap.add_argument("--subnets", type=int, default=10)
    ap.add_argument("--observers", type=int, default=4)
    ap.add_argument("--hold", type=float, default=60)
    ap.add_argument("--default-igmp", action="store_true",
                    help="hub: keep net.ipv4.igmp_max_memberships at 20 (FRR then serves 20 links)")
    ap.add_argument("--json")
    args = ap.parse_args()
    args.daemons = [d for d in args.daemons.split(",") if d]
    if args.reps is None:
        args.reps = 3 if args.mode == "install" else 1

    if args.mode == "table":
        with open(args.json) as f:
            saved = json.load(f)
        info, results = saved["info"], saved["results"]
        old_args = argparse.Namespace(**info["args"])
        print(f"Machine: {info['machine']}; run {info['started']}, {old_args.reps} repetition(s); "
              f"load: {info['load']}")
        if old_args.mode == "install":
            scenarios = [tuple(int(x) for x in s.split(":")) for s in old_args.scenarios.split(",")]
            print(install_table(results, scenarios))
        elif old_args.mode == "steady":
            print(steady_table(results, old_args))
        else:
            print(hub_table(results, old_args))
        return

    load = scale.LoadSampler()
    started = time.strftime("%Y-%m-%d %H:%M")
    if args.mode == "install":
        results, scenarios = install(args)
        table = install_table(results, scenarios)
    elif args.mode == "steady":
        results = steady(args)
        table = steady_table(results, args)
    else:
        results = hub(args)
        table = hub_table(results, args)
    info = {"machine": scale.machine_info(), "load": load.summary(), "started": started,
            "args": vars(args)}
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"info": info, "results": results}, f, indent=1)
    print(f"Machine: {info['machine']}; run {started}, {args.reps} repetition(s); load: {info['load']}")
    print(table)


if __name__ == "__main__":
    main()
