"""Shared pieces of the scale benchmarks: namespaces, daemons, counters.

Only namespaces created here are touched; every namespace, process and
directory made here is removed at exit (atexit, SIGTERM, SIGINT), and
processes are stopped by their pid.
"""

import atexit
import json
import os
import pwd
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.abspath(os.path.join(HERE, "..", ".."))
RIPRS = os.environ.get("RIPRS", os.path.join(REPO, "target", "release", "riprs"))
RIP_GEN = os.environ.get("RIP_GEN", os.path.join(REPO, "target", "release", "rip-gen"))
FIBCOUNT = os.path.join(HERE, "fibcount.py")
ZEBRA = "/usr/lib/frr/zebra"
RIPD = "/usr/lib/frr/ripd"
CLK_TCK = os.sysconf("SC_CLK_TCK")
RTPROT_RIP = 189
RTPROT_BIRD = 12

TAG = f"sc{os.getpid()}"
_namespaces = []
_processes = []
_dirs = []
_cleaned = False


def log(*args):
    print(f"[{time.strftime('%H:%M:%S')}]", *args, file=sys.stderr, flush=True)


# ---------------------------------------------------------------- cleanup

def cleanup():
    global _cleaned
    if _cleaned:
        return
    _cleaned = True
    for proc in reversed(_processes):
        proc.stop(timeout=10)
    for ns in reversed(_namespaces):
        subprocess.run(["ip", "netns", "del", ns], stderr=subprocess.DEVNULL)
    for d in _dirs:
        if os.environ.get("SCALE_KEEP_LOGS"):
            log(f"kept {d}")
        else:
            shutil.rmtree(d, ignore_errors=True)


def _on_signal(signum, _frame):
    cleanup()
    sys.exit(128 + signum)


atexit.register(cleanup)
signal.signal(signal.SIGTERM, _on_signal)
signal.signal(signal.SIGINT, _on_signal)


def workdir(name):
    d = tempfile.mkdtemp(prefix=f"{TAG}-{name}.", dir="/tmp")
    os.chmod(d, 0o755)
    _dirs.append(d)
    return d


# ---------------------------------------------------------------- namespaces

def sh(*argv, check=True, capture=False):
    r = subprocess.run(list(argv), check=False, text=True,
                       stdout=subprocess.PIPE if capture else subprocess.DEVNULL,
                       stderr=subprocess.PIPE)
    if check and r.returncode != 0:
        raise RuntimeError(f"{' '.join(argv)}: {r.stderr.strip()}")
    return r.stdout if capture else r.returncode


class Netns:
    def __init__(self, name):
        self.name = f"{TAG}{name}"
        sh("ip", "netns", "add", self.name)
        _namespaces.append(self.name)
        self.ip("link", "set", "lo", "up")

    def ip(self, *args, check=True, capture=False):
        return sh("ip", "-n", self.name, *args, check=check, capture=capture)

    def argv(self, *argv):
        return ["ip", "netns", "exec", self.name, *argv]

    def delete(self):
        if self.name in _namespaces:
            sh("ip", "netns", "del", self.name, check=False)
            _namespaces.remove(self.name)


def veth(a, a_if, a_addr, b, b_if, b_addr):
    """A veth pair from namespace a to namespace b, addressed and up."""
    sh("ip", "link", "add", a_if, "netns", a.name, "type", "veth", "peer", "name", b_if,
       "netns", b.name)
    a.ip("addr", "add", a_addr, "dev", a_if)
    b.ip("addr", "add", b_addr, "dev", b_if)
    a.ip("link", "set", a_if, "up")
    b.ip("link", "set", b_if, "up")


# ---------------------------------------------------------------- processes

class Proc:
    """A child started by us; stopped by its pid only."""

    def __init__(self, name, argv, logfile=None, stdout=None, user=None):
        self.name = name
        out = open(logfile, "ab") if logfile else subprocess.DEVNULL
        self.popen = subprocess.Popen(argv, stdin=subprocess.DEVNULL,
                                      stdout=stdout if stdout is not None else out,
                                      stderr=out)
        self.pid = self.popen.pid
        self.logfile = logfile
        _processes.append(self)

    def running(self):
        return self.popen.poll() is None

    def stat(self):
        """(cpu seconds, VmHWM in kB) of the process, all threads."""
        try:
            with open(f"/proc/{self.pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            cpu = (int(fields[11]) + int(fields[12])) / CLK_TCK
            hwm = 0
            with open(f"/proc/{self.pid}/status") as f:
                for line in f:
                    if line.startswith("VmHWM:"):
                        hwm = int(line.split()[1])
            return cpu, hwm
        except (OSError, IndexError, ValueError):
            return None, None

    def thread_cpu(self):
        """{thread name: [user s, system s]} of the process's threads."""
        out = {}
        try:
            for tid in os.listdir(f"/proc/{self.pid}/task"):
                with open(f"/proc/{self.pid}/task/{tid}/stat") as f:
                    head, rest = f.read().rsplit(")", 1)
                name = head.split("(", 1)[1]
                fields = rest.split()
                user, system = out.get(name, [0, 0])
                out[name] = [round(user + int(fields[11]) / CLK_TCK, 2),
                             round(system + int(fields[12]) / CLK_TCK, 2)]
        except (OSError, IndexError, ValueError):
            pass
        return out

    def stop(self, timeout=30, sig=signal.SIGTERM):
        if self.popen.poll() is None:
            try:
                os.kill(self.pid, sig)
            except ProcessLookupError:
                pass
            try:
                self.popen.wait(timeout)
            except subprocess.TimeoutExpired:
                try:
                    os.kill(self.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                self.popen.wait()
        if self in _processes:
            _processes.remove(self)

    def log_text(self):
        try:
            with open(self.logfile, errors="replace") as f:
                return f.read()
        except (OSError, TypeError):
            return ""


def wait_until(pred, timeout, interval=0.02):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        v = pred()
        if v:
            return v
        time.sleep(interval)
    return None


# ---------------------------------------------------------------- counting

class FibCounter:
    """fibcount.py inside a namespace; see its docstring."""

    def __init__(self, ns, target, interval=20, timeout=600, linger=-1, match=None, baseline=None,
                 quiet=0.0):
        argv = ns.argv(sys.executable, FIBCOUNT, "--target", str(target), "--interval",
                       str(interval), "--timeout", str(timeout), "--linger", str(linger),
                       "--quiet", str(quiet))
        if match:
            argv += ["--match", match]
        if baseline is not None:
            argv += ["--baseline", str(baseline)]
        self.proc = Proc("fibcount", argv, stdout=subprocess.PIPE)
        self.events = {}
        self.cond = threading.Condition()
        self.thread = threading.Thread(target=self._read, daemon=True)
        self.thread.start()
        if not self.wait("ready", 10):
            raise RuntimeError("fibcount did not start")

    def _read(self):
        for line in self.proc.popen.stdout:
            try:
                obj = json.loads(line)
            except ValueError:
                continue
            with self.cond:
                for key in ("ready", "target", "done"):
                    if key in obj:
                        self.events[key] = obj
                self.cond.notify_all()

    def wait(self, key, timeout):
        with self.cond:
            self.cond.wait_for(lambda: key in self.events or "done" in self.events, timeout)
            return self.events.get(key)

    def finish(self):
        if "done" not in self.events:
            self.proc.stop(timeout=10)
        self.thread.join(10)
        self.proc.stop()
        return self.events.get("done")

    @property
    def baseline(self):
        return self.events["ready"]["baseline"]


def count_routes(ns, proto=None, prefix="0.0.0.0/0"):
    """Routes of the main table inside prefix (and of protocol proto): one
    `ip route` listing, for verification after a run."""
    args = ["route", "show", "table", "main", "root", prefix]
    if proto is not None:
        args += ["proto", str(proto)]
    out = ns.ip(*args, capture=True)
    return sum(1 for line in out.splitlines() if line.strip())


def udp_rcvbuf_errors(ns):
    """UDP datagrams the namespace dropped for a full receive buffer."""
    out = sh("ip", "netns", "exec", ns.name, "cat", "/proc/net/snmp", capture=True)
    rows = [line.split() for line in out.splitlines() if line.startswith("Udp:")]
    if len(rows) >= 2 and "RcvbufErrors" in rows[0]:
        return int(rows[1][rows[0].index("RcvbufErrors")])
    return 0


def gen_routes(n, base=0x0A000000):
    """The prefixes rip-gen sends, as strings."""
    out = []
    for i in range(n):
        a = base + i * 256
        out.append(f"{a >> 24}.{(a >> 16) & 255}.{(a >> 8) & 255}.0/24")
    return out


def floor(ns, n, gateway, proto=RTPROT_RIP, metric=20):
    """`ip -batch` adds the generator's n routes (protocol, gateway, metric as
    the daemon would), and the time it takes; then removes them again."""
    d = workdir("floor")
    path = os.path.join(d, "routes.batch")
    with open(path, "w") as f:
        for prefix in gen_routes(n):
            f.write(f"route add {prefix} via {gateway} proto {proto} metric {metric}\n")
    before = count_routes(ns, proto)
    t0 = time.monotonic()
    sh("ip", "-n", ns.name, "-batch", path)
    elapsed = time.monotonic() - t0
    installed = count_routes(ns, proto) - before
    flush_routes(ns, proto)
    shutil.rmtree(d, ignore_errors=True)
    return {"time": elapsed, "installed": installed}


def flush_routes(ns, proto):
    ns.ip("route", "flush", "table", "main", "proto", str(proto), check=False)


# ---------------------------------------------------------------- daemons

class Riprs:
    kind = "riprs"
    proto = RTPROT_RIP

    def __init__(self, ns, networks, name="riprs", level="info", update=30):
        self.dir = workdir(name)
        conf = os.path.join(self.dir, "ripd.toml")
        nets = ", ".join(f'"{n}"' for n in networks)
        with open(conf, "w") as f:
            f.write(f'[rip]\nnetworks = [{nets}]\n[rip.timers]\nupdate = {update}\n'
                    f'[kernel]\ntable = "main"\nmetric = 20\n'
                    f'[control]\nsocket = "{self.dir}/riprs.sock"\n'
                    f'[log]\nlevel = "{level}"\n')
        self.procs = [Proc(name, ns.argv(RIPRS, "-c", conf), os.path.join(self.dir, "riprs.log"))]

    def wait_ready(self, sockets=1, timeout=20):
        p = self.procs[0]
        ok = wait_until(lambda: not p.running() or p.log_text().count("RIP socket open") >= sockets,
                        timeout, 0.05)
        if not ok or not p.running():
            raise RuntimeError(f"riprs not ready:\n{p.log_text()[-3000:]}")

    def stat(self):
        return sum_stats(self.procs)

    def stop(self):
        for p in self.procs:
            p.stop(timeout=60)


class Frr:
    """zebra + ripd of Debian's frr, as tests/support/frr.rs runs them."""
    kind = "frr"
    proto = RTPROT_RIP

    def __init__(self, ns, networks, name="frr"):
        self.ns = ns
        self.name = f"{TAG}-{name}"
        self.dir = workdir(name)
        pw = pwd.getpwnam("frr")
        with open(os.path.join(self.dir, "zebra.conf"), "w") as f:
            f.write(f"hostname {self.name}\n")
        with open(os.path.join(self.dir, "ripd.conf"), "w") as f:
            f.write(f"hostname {self.name}\nrouter rip\n")
            for n in networks:
                f.write(f" network {n}\n")
        for p in (self.dir, os.path.join(self.dir, "zebra.conf"), os.path.join(self.dir, "ripd.conf")):
            os.chown(p, pw.pw_uid, pw.pw_gid)
        # Debian's /etc/frr/daemons runs zebra with a 90 MB netlink buffer.
        zebra = Proc("zebra", self._argv(ZEBRA, "zebra") + ["-s", "90000000"],
                     os.path.join(self.dir, "zebra.out"))
        self.procs = [zebra]
        if not wait_until(lambda: os.path.exists(os.path.join(self.dir, "zserv.api")), 10):
            raise RuntimeError("zebra did not start")
        ripd = Proc("ripd", self._argv(RIPD, "ripd"), os.path.join(self.dir, "ripd.out"))
        self.procs.append(ripd)
        if not wait_until(lambda: os.path.exists(os.path.join(self.dir, "ripd.vty")), 10):
            raise RuntimeError("ripd did not start")

    def _argv(self, program, daemon):
        d = self.dir
        return self.ns.argv(program, "-N", self.name, "-f", f"{d}/{daemon}.conf", "-i",
                            f"{d}/{daemon}.pid", "-z", f"{d}/zserv.api", "--vty_socket", d,
                            "-P", "0", "--log", f"file:{d}/{daemon}.log")

    def vtysh(self, command):
        return subprocess.run(["vtysh", "--vty_socket", self.dir, "-c", command],
                              capture_output=True, text=True).stdout

    def wait_ready(self, sockets=1, timeout=20):
        ok = wait_until(lambda: "Routing Protocol is" in self.vtysh("show ip rip status"), timeout, 0.1)
        if not ok:
            raise RuntimeError("ripd does not answer")
        # ripd learns the interfaces from zebra; give it that moment.
        time.sleep(1.0)

    def stat(self):
        return sum_stats(self.procs)

    def stop(self):
        pids = [(p.name, p.pid) for p in self.procs]
        for p in reversed(self.procs):  # ripd, then zebra (which removes the routes)
            p.stop(timeout=120)
        for daemon, pid in pids:
            shutil.rmtree(f"/var/tmp/frr/{daemon}.{pid}", ignore_errors=True)
        try:
            os.rmdir(f"/run/frr/{self.name}")
        except OSError:
            pass


class Bird:
    kind = "bird"
    proto = RTPROT_BIRD

    def __init__(self, ns, interfaces, router_id, name="bird", direct=False):
        self.ns = ns
        self.dir = workdir(name)
        conf = os.path.join(self.dir, "bird.conf")
        ifs = ", ".join(f'"{i}"' for i in interfaces)
        with open(conf, "w") as f:
            f.write(f'log "{self.dir}/bird.log" {{ info, remote, warning, error, auth, fatal, bug }};\n'
                    f"router id {router_id};\n"
                    "protocol device { }\n"
                    "protocol kernel { ipv4 { export all; }; }\n")
            if direct:
                f.write(f"protocol direct {{ ipv4; interface {ifs}; }}\n")
            f.write(f"protocol rip {{ ipv4 {{ import all; export all; }}; interface {ifs} {{ }}; }}\n")
        self.socket = os.path.join(self.dir, "bird.ctl")
        self.procs = [Proc("bird", ns.argv("bird", "-f", "-c", conf, "-s", self.socket, "-P",
                                           os.path.join(self.dir, "bird.pid")),
                           os.path.join(self.dir, "bird.out"))]

    def birdc(self, *command):
        return subprocess.run(["birdc", "-s", self.socket, *command], capture_output=True,
                              text=True).stdout

    def wait_ready(self, sockets=1, timeout=20):
        ok = wait_until(lambda: "Daemon is up" in self.birdc("show", "status"), timeout, 0.1)
        if not ok:
            raise RuntimeError(f"bird does not answer:\n{self.procs[0].log_text()}")
        time.sleep(0.5)

    def stat(self):
        return sum_stats(self.procs)

    def stop(self):
        for p in self.procs:
            p.stop(timeout=120)


def anon_mb(procs):
    """RssAnon now, summed (MB): VmHWM also counts the file-backed pages of
    the program and its libraries."""
    total = 0
    for p in procs:
        try:
            with open(f"/proc/{p.pid}/status") as f:
                for line in f:
                    if line.startswith("RssAnon:"):
                        total += int(line.split()[1])
        except OSError:
            return None
    return total / 1024


def sched_cpu(procs):
    """CPU seconds of the live threads of procs, to the nanosecond
    (/proc/PID/task/TID/schedstat): utime and stime come in 10 ms ticks,
    too coarse for a daemon that uses 10 ms per update cycle. Threads that
    exit in between are missed, so use it over a quiet interval."""
    total = 0
    for p in procs:
        try:
            for tid in os.listdir(f"/proc/{p.pid}/task"):
                with open(f"/proc/{p.pid}/task/{tid}/schedstat") as f:
                    total += int(f.read().split()[0])
        except (OSError, IndexError, ValueError):
            return None
    return total / 1e9


def user_system(procs):
    """(user s, system s), summed over procs."""
    user = system = 0.0
    for p in procs:
        try:
            with open(f"/proc/{p.pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            user += int(fields[11]) / CLK_TCK
            system += int(fields[12]) / CLK_TCK
        except (OSError, IndexError, ValueError):
            return None, None
    return user, system


def sum_stats(procs):
    cpu = hwm = 0.0
    for p in procs:
        c, h = p.stat()
        if c is None:
            return None, None
        cpu += c
        hwm += h
    return cpu, hwm


# ---------------------------------------------------------------- results

def median(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def load_info():
    with open("/proc/loadavg") as f:
        load = f.read().split()[:3]
    return {"loadavg": " ".join(load), "cpus": os.cpu_count()}


def machine_info():
    model = ""
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    mem = 0
    with open("/proc/meminfo") as f:
        for line in f:
            if line.startswith("MemTotal:"):
                mem = int(line.split()[1]) // (1024 * 1024)
    return f"{os.cpu_count()} cores ({model}), {mem} GiB, kernel {os.uname().release}"


class LoadSampler:
    """Samples /proc/loadavg and the machine's busy CPU fraction while running."""

    def __init__(self):
        self.samples = []
        self.stop_flag = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    @staticmethod
    def _cpu():
        with open("/proc/stat") as f:
            v = [int(x) for x in f.readline().split()[1:]]
        idle = v[3] + v[4]
        return sum(v), idle

    def _run(self):
        last = self._cpu()
        while not self.stop_flag.wait(5):
            now = self._cpu()
            total, idle = now[0] - last[0], now[1] - last[1]
            last = now
            with open("/proc/loadavg") as f:
                load1 = float(f.read().split()[0])
            self.samples.append((load1, 1 - idle / total if total else 0))

    def summary(self):
        self.stop_flag.set()
        if not self.samples:
            with open("/proc/loadavg") as f:
                return f"load average {f.read().split()[0]}"
        loads = [s[0] for s in self.samples]
        busy = [s[1] for s in self.samples]
        return (f"1-min load average {min(loads):.2f}-{max(loads):.2f} (median {median(loads):.2f}), "
                f"machine CPU busy {100 * median(busy):.0f}% median over the run (all processes)")


def fmt(v, spec=".2f", none="-"):
    return none if v is None else format(v, spec)
