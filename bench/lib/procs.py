"""Processes the harness starts: ports, start/stop by PID, process trees, PSS and CPU.

Every process started through `start()` is remembered and stopped by its own
PID in `stop_all()`, which the entry point calls on normal exit, on errors and
on Ctrl-C.
"""

import os
import resource
import random
import signal
import socket
import subprocess
import time

LOOPBACK = "127.0.0.1"

_started = []  # Proc objects still running


class Proc:
    """A started process, with the PIDs of its tree captured for stopping."""

    def __init__(self, name, popen, log_path=None):
        self.name = name
        self.popen = popen
        self.pid = popen.pid
        self.log_path = log_path

    def alive(self):
        return self.popen.poll() is None

    def tree(self):
        return process_tree(self.pid)

    def log_tail(self, lines=5):
        if not self.log_path or not os.path.exists(self.log_path):
            return ""
        with open(self.log_path, errors="replace") as f:
            return "".join(f.readlines()[-lines:]).strip()


def free_port():
    """A random free TCP port on loopback, below the ephemeral range.

    Staying below 32768 keeps listen ports out of the way of the many
    ephemeral ports that load generators and proxies use for their own
    connections.
    """
    for _ in range(200):
        port = random.randint(20000, 32000)
        with socket.socket() as s:
            try:
                s.bind((LOOPBACK, port))
                return port
            except OSError:
                continue
    raise RuntimeError("no free port found on loopback")


def start(name, argv, log_path, env=None, stdin=subprocess.DEVNULL, stdout=None):
    """Start argv with stdout/stderr to log_path; remember it for stop_all()."""
    log = open(log_path, "ab")
    popen = subprocess.Popen(
        argv,
        stdin=stdin,
        stdout=stdout if stdout is not None else log,
        stderr=log,
        env=env,
        start_new_session=True,  # Ctrl-C in the terminal reaches only us
    )
    log.close()
    proc = Proc(name, popen, log_path)
    _started.append(proc)
    return proc


def stop(proc, grace=3.0):
    """SIGTERM the process and, if needed, SIGKILL it and its descendants."""
    if proc in _started:
        _started.remove(proc)
    tree = process_tree(proc.pid) if proc.alive() else []
    kill_pids(tree, grace)
    try:
        proc.popen.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        pass
    for stream in (proc.popen.stdin, proc.popen.stdout):
        if stream:
            try:
                stream.close()
            except OSError:
                pass


def kill_pids(pids, grace=3.0):
    """SIGTERM each PID (root of a tree first), then SIGKILL survivors."""
    for pid in pids:
        _signal(pid, signal.SIGTERM)
    deadline = time.monotonic() + grace
    while time.monotonic() < deadline and any(_exists(p) for p in pids):
        time.sleep(0.02)
    for pid in pids:
        if _exists(pid):
            _signal(pid, signal.SIGKILL)


def stop_all():
    for proc in list(reversed(_started)):
        try:
            stop(proc)
        except Exception as exc:  # keep stopping the others
            print(f"warning: could not stop {proc.name} ({proc.pid}): {exc}")


def _signal(pid, sig):
    try:
        os.kill(pid, sig)
    except (ProcessLookupError, PermissionError):
        pass


def _exists(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except (FileNotFoundError, ProcessLookupError, IndexError):
        return False


# --- /proc helpers -------------------------------------------------------


def _stat_fields(pid):
    with open(f"/proc/{pid}/stat") as f:
        return f.read().rsplit(")", 1)[1].split()


def process_tree(root):
    """root and all its descendants (by parent PID), root first."""
    children = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            ppid = int(_stat_fields(entry)[1])
        except (OSError, IndexError, ValueError):
            continue
        children.setdefault(ppid, []).append(int(entry))
    tree, todo = [], [root]
    while todo:
        pid = todo.pop()
        if _exists(pid):
            tree.append(pid)
        todo.extend(children.get(pid, []))
    return tree


def pss_kb(pids):
    """Sum of Pss (kB) over the given processes, from smaps_rollup."""
    total = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/smaps_rollup") as f:
                for line in f:
                    if line.startswith("Pss:"):
                        total += int(line.split()[1])
                        break
        except (FileNotFoundError, ProcessLookupError):
            pass
    return total


_CLK_TCK = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pids):
    """utime + stime of the given processes (all threads), in seconds."""
    total = 0
    for pid in pids:
        try:
            fields = _stat_fields(pid)
            total += int(fields[11]) + int(fields[12])  # utime, stime
        except (OSError, IndexError, ValueError):
            pass
    return total / _CLK_TCK


def kernel_worker_cpu_seconds():
    """utime + stime of the kernel's worker threads (kworker/*), in seconds.

    A proxy that lets the kernel move its bytes (balance --kernel-relay) has
    part of its work done by these threads, outside its own process; the
    harness adds their CPU to every proxy's, so that no proxy's work hides
    there. For proxies that relay in user space it is close to nothing.
    """
    total = 0
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                text = f.read()
            if "(kworker" not in text.split(")", 1)[0]:
                continue
            fields = text.rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])
        except (OSError, IndexError, ValueError):
            pass
    return total / _CLK_TCK


def children_cpu_seconds():
    """User + system CPU of this harness's finished children (wrk, once it has been waited for)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _listen_inodes(port):
    """Socket inodes of listening TCP sockets on the given port."""
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            with open(table) as f:
                next(f)
                for line in f:
                    cols = line.split()
                    local, state, inode = cols[1], cols[3], cols[9]
                    if state == "0A" and int(local.rsplit(":", 1)[1], 16) == port:
                        inodes.add(f"socket:[{inode}]")
        except FileNotFoundError:
            pass
    return inodes


def wait_bound(port, timeout, proc=None):
    """Wait until some socket listens on port, without connecting to it."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if _listen_inodes(port):
            return True
        if proc is not None and not proc.alive():
            return False
        time.sleep(0.005)
    return False


def listening_pids(port):
    """PIDs of processes holding a listening TCP socket on the given port."""
    inodes = _listen_inodes(port)
    pids = []
    if not inodes:
        return pids
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            for fd in os.listdir(f"/proc/{entry}/fd"):
                if os.readlink(f"/proc/{entry}/fd/{fd}") in inodes:
                    pids.append(int(entry))
                    break
        except (FileNotFoundError, ProcessLookupError, PermissionError):
            continue
    return pids


# --- ports ---------------------------------------------------------------


def can_connect(port, timeout=0.2):
    try:
        with socket.create_connection((LOOPBACK, port), timeout=timeout):
            return True
    except OSError:
        return False


def wait_listening(port, timeout, proc=None, interval=0.001):
    """Poll connect() until the port accepts; seconds taken or None on timeout.

    Gives up early when proc (if given) has exited (unless it exited 0 as a
    daemonizing launcher would).
    """
    t0 = time.monotonic()
    deadline = t0 + timeout
    while time.monotonic() < deadline:
        if can_connect(port, timeout=0.5):
            return time.monotonic() - t0
        if proc is not None and proc.popen.poll() not in (None, 0):
            return None
        time.sleep(interval)
    return None
