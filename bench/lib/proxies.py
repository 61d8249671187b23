"""The proxies under test, each in its best configuration for this machine.

A proxy knows how to start itself on a free loopback port in front of one
backend port and how to report its version. `start()` returns a Running
handle; `Running.stop()` stops exactly the processes that were started.
"""

import os
import re
import shlex
import resource
import shutil
import subprocess
import time

from . import procs
from .procs import LOOPBACK

START_TIMEOUT = 10.0


class Running:
    """A started proxy: its listen port, its processes, how long it took."""

    def __init__(self, port, proc=None, pids=None, startup=None):
        self.port = port
        self.proc = proc  # Proc we launched and that keeps running, or None
        self.daemon_pids = pids or []  # processes that daemonized away from us
        self.startup = startup  # seconds from launch to accepting connections

    def pids(self):
        """The proxy's whole process tree right now."""
        roots = [self.proc.pid] if self.proc else self.daemon_pids
        tree = []
        for pid in roots:
            tree.extend(p for p in procs.process_tree(pid) if p not in tree)
        return tree

    def alive(self):
        return bool(self.pids()) if self.proc or self.daemon_pids else True

    def stop(self):
        if self.proc:
            procs.stop(self.proc)
        if self.daemon_pids:
            procs.kill_pids(self.pids())


class Proxy:
    name = "?"
    is_peer = True  # False for direct and for our own balance builds

    def available(self):
        """None if usable, else the reason it is skipped."""
        return None

    def version(self):
        return ""

    def start(self, workdir, backend_port, probe=True):
        """Start in front of backend_port; wait until it accepts connections.

        With probe=False, wait only until the port is bound, without the test
        connection that a proxy would relay to the backend (an iperf3 server
        takes any connection for a test client).
        """
        port = procs.free_port()
        d = os.path.join(workdir, self.name)
        os.makedirs(d, exist_ok=True)
        argv = self.argv(d, port, backend_port)
        t0 = time.monotonic()
        proc = procs.start(self.name, argv, os.path.join(d, "stderr.log"))
        if probe:
            ready = procs.wait_listening(port, START_TIMEOUT, proc) is not None
        else:
            ready = procs.wait_bound(port, START_TIMEOUT, proc)
        if not ready:
            tail = proc.log_tail()
            procs.stop(proc)
            raise RuntimeError(f"{self.name} did not start listening: {tail or 'no output'}")
        return Running(port, proc=proc, startup=time.monotonic() - t0)

    def argv(self, workdir, port, backend_port):
        raise NotImplementedError


class Direct(Proxy):
    """No proxy: the load generator talks to the backend itself."""

    name = "direct"
    is_peer = False

    def start(self, workdir, backend_port, probe=True):
        return Running(backend_port)


def _fd_limit():
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


def _first_line(argv):
    try:
        out = subprocess.run(argv, capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.TimeoutExpired):
        return ""
    text = (out.stdout or out.stderr).strip()
    return text.splitlines()[0] if text else ""


def _dpkg_version(package):
    try:
        out = subprocess.run(["dpkg-query", "-W", "-f", "${Version}", package],
                             capture_output=True, text=True, timeout=10)
        return out.stdout.strip() if out.returncode == 0 else ""
    except OSError:
        return ""


class HAProxy(Proxy):
    """HAProxy in TCP mode with splicing, N threads."""

    MAXPIPES = 500  # splice pipes cost 2 fds each; a few hundred suffice here

    def __init__(self, threads):
        self.threads = threads
        self.name = f"haproxy-{threads}t"

    def available(self):
        return None if shutil.which("haproxy") else "haproxy is not installed"

    def version(self):
        m = re.search(r"version (\S+)", _first_line(["haproxy", "-v"]))
        return m.group(1) if m else ""

    def maxconn(self):
        # HAProxy needs 2 fds per connection plus 2 per pipe and a few more;
        # it refuses to start if that exceeds the descriptor limit.
        return (_fd_limit() - 2 * self.MAXPIPES - 100) // 2

    def argv(self, d, port, backend_port):
        conf = os.path.join(d, "haproxy.cfg")
        with open(conf, "w") as f:
            f.write(f"""\
global
    nbthread {self.threads}
    maxconn {self.maxconn()}
    maxpipes {self.MAXPIPES}
defaults
    mode tcp
    maxconn {self.maxconn()}
    timeout connect 5s
    timeout client 10m
    timeout server 10m
    option splice-auto
frontend fe
    bind {LOOPBACK}:{port}
    default_backend be
backend be
    server s1 {LOOPBACK}:{backend_port}
""")
        return ["haproxy", "-db", "-f", conf]


class NginxStream(Proxy):
    """nginx stream module proxy_pass, 1 worker or one per core."""

    MODULE = "/usr/lib/nginx/modules/ngx_stream_module.so"

    def __init__(self, workers):
        self.workers = workers
        self.name = f"nginx-{workers}w" if workers != "auto" else "nginx-auto"

    def available(self):
        if not shutil.which("nginx"):
            return "nginx is not installed"
        if self._dynamic_stream() and not os.path.exists(self.MODULE):
            return f"nginx stream module missing ({self.MODULE}; apt-get install libnginx-mod-stream)"
        return None

    def _dynamic_stream(self):
        out = subprocess.run(["nginx", "-V"], capture_output=True, text=True, timeout=10)
        return "--with-stream=dynamic" in out.stderr

    def version(self):
        m = re.search(r"nginx/(\S+)", _first_line(["nginx", "-v"]))
        return m.group(1) if m else ""

    def argv(self, d, port, backend_port):
        conf = os.path.join(d, "nginx.conf")
        load = f"load_module {self.MODULE};\n" if self._dynamic_stream() else ""
        reuseport = " reuseport" if self.workers != 1 else ""
        with open(conf, "w") as f:
            f.write(f"""\
{load}worker_processes {self.workers};
worker_rlimit_nofile {_fd_limit()};
daemon off;
pid {d}/nginx.pid;
error_log {d}/error.log warn;
events {{
    worker_connections {_fd_limit()};
    use epoll;
}}
stream {{
    server {{
        listen {LOOPBACK}:{port} backlog=4096{reuseport};
        proxy_pass {LOOPBACK}:{backend_port};
        proxy_connect_timeout 5s;
        proxy_timeout 10m;
    }}
}}
""")
        return ["nginx", "-p", d, "-e", os.path.join(d, "error.log"), "-c", conf]


class Pen(Proxy):
    """pen in the foreground, plain round robin, large connection table."""

    name = "pen"

    def available(self):
        return None if shutil.which("pen") else "pen is not installed"

    def version(self):
        return _dpkg_version("pen")

    def argv(self, d, port, backend_port):
        limit = str((_fd_limit() - 100) // 2)
        return ["pen", "-f", "-r", "-x", limit, "-c", limit,
                f"{LOOPBACK}:{port}", f"{LOOPBACK}:{backend_port}"]


class Balance(Proxy):
    """balance (ours, or the original C one), foreground or background."""

    is_peer = False

    def __init__(self, name, path, source=None, is_peer=False, extra=()):
        self.name = name
        self.path = path
        self.source = source  # e.g. the git commit it was built from
        self.is_peer = is_peer
        self.extra = list(extra)  # options after -b, e.g. --kernel-relay

    def available(self):
        if not self.path or not os.access(self.path, os.X_OK):
            return f"no {self.name} binary at {self.path}"
        return None

    def version(self):
        # The usage text names the version: "this is balance X.Y". The
        # original prints it for any option it does not know.
        try:
            out = subprocess.run([self.path, "--help"], capture_output=True, text=True,
                                 timeout=10)
            text = out.stdout + out.stderr
        except (OSError, subprocess.TimeoutExpired):
            text = ""
        m = re.search(r"this is balance (\S+)", text)
        version = m.group(1) if m else "unknown"
        return f"{version} ({self.source})" if self.source else version

    def argv(self, d, port, backend_port, foreground=True):
        flags = "-f" if foreground else None
        argv = [self.path, "-b", LOOPBACK] + self.extra
        if flags:
            argv.append(flags)
        # Extra options for our balance only (e.g. "--log-connections"), to
        # measure what a feature costs: BALANCE_BENCH_OPTIONS, split as sh would.
        if not self.is_peer:
            argv += shlex.split(os.environ.get("BALANCE_BENCH_OPTIONS", ""))
        return argv + [str(port), f"{LOOPBACK}:{backend_port}"]

    def start(self, workdir, backend_port, probe=True):
        running = super().start(workdir, backend_port, probe)
        # balance --kernel-relay falls back to user space when the kernel
        # refuses, and says so: such a row would measure the wrong thing.
        log = os.path.join(workdir, self.name, "stderr.log")
        if "--kernel-relay" in self.extra and os.path.exists(log):
            with open(log, errors="replace") as f:
                text = f.read()
            if "kernel relay unavailable" in text:
                running.stop()
                raise RuntimeError(text.strip().splitlines()[-1])
        return running

    def start_background(self, workdir, backend_port):
        """Default mode: the command returns once the daemon is listening."""
        port = procs.free_port()
        d = os.path.join(workdir, self.name + "-bg")
        os.makedirs(d, exist_ok=True)
        argv = self.argv(d, port, backend_port, foreground=False)
        t0 = time.monotonic()
        launcher = procs.start(self.name + "-launcher", argv, os.path.join(d, "stderr.log"))
        try:
            launcher.popen.wait(timeout=START_TIMEOUT)
        except subprocess.TimeoutExpired:
            pass
        waited = procs.wait_listening(port, START_TIMEOUT)
        elapsed = time.monotonic() - t0
        daemon = [p for p in procs.listening_pids(port) if p != launcher.pid]
        rc = launcher.popen.poll()
        procs.stop(launcher)
        if waited is None or rc != 0:
            procs.kill_pids(daemon)
            raise RuntimeError(f"{self.name} background start failed (exit {rc}): "
                               f"{launcher.log_tail() or 'no output'}")
        return Running(port, pids=daemon, startup=elapsed)


def all_proxies(balance_path=None, balance_source=None, original_path=None):
    """direct first, then ours, then the peers, in a fixed order."""
    found = [Direct()]
    if balance_path:
        found.append(Balance("balance", balance_path, balance_source))
        found.append(Balance("balance-kernel", balance_path, balance_source, extra=["--kernel-relay"]))
    if original_path:
        found.append(Balance("balance-orig", original_path, "original", is_peer=True))
    found += [HAProxy(1), HAProxy(2), NginxStream(1), NginxStream("auto"), Pen()]
    return found
