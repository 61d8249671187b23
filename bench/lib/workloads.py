"""The workloads. Each runs one proxy once and returns its figures.

A workload's run(ctx, proxy) starts the proxy in front of the backend it
needs, measures, stops the proxy and returns {row name: {metric: value}}
(a row name is usually the proxy's name). Every load generator runs for a
fixed time and is killed if it overruns it.
"""

import json
import os
import re
import selectors
import statistics
import subprocess
import sys
import time
from contextlib import contextmanager

from . import backends, procs
from .procs import LOOPBACK

HERE = os.path.dirname(os.path.abspath(__file__))


class Metric:
    def __init__(self, key, label, unit, better, digits=1, ratios=True):
        self.key, self.label, self.unit = key, label, unit
        self.better = better  # "higher" or "lower"
        self.digits = digits
        self.ratios = ratios  # False where figures near zero make ratios meaningless


@contextmanager
def running(ctx, proxy, backend_port, probe=True):
    r = proxy.start(ctx.workdir, backend_port, probe)
    try:
        yield r
    finally:
        r.stop()


# --- wrk -----------------------------------------------------------------

_UNITS = {"us": 1e-3, "ms": 1.0, "s": 1e3, "m": 60e3}


def _ms(text):
    m = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text)
    return float(m.group(1)) * _UNITS[m.group(2)] if m else None


def parse_wrk(out):
    res = {}
    m = re.search(r"Requests/sec:\s+([\d.]+)", out)
    res["rps"] = float(m.group(1)) if m else 0.0
    m = re.search(r"(\d+) requests in", out)
    res["requests"] = int(m.group(1)) if m else 0
    for pct in ("50", "99"):
        m = re.search(rf"^\s+{pct}%\s+(\S+)", out, re.M)
        res[f"p{pct}_ms"] = _ms(m.group(1)) if m else None
    errors = 0
    m = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    if m:
        errors += sum(int(x) for x in m.groups())
    m = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if m:
        errors += int(m.group(1))
    res["errors"] = errors
    return res


def run_wrk(ctx, port, conns, duration, close=False, threads=2):
    argv = ["wrk", "-t", str(min(threads, conns)), "-c", str(conns), "-d", f"{duration}s",
            "--latency", "--timeout", "2s"]
    if close:
        argv += ["-H", "Connection: close"]
    argv.append(f"http://{LOOPBACK}:{port}/")
    try:
        out = subprocess.run(argv, capture_output=True, text=True, timeout=duration + 20)
    except subprocess.TimeoutExpired:
        raise RuntimeError("wrk overran its time")
    res = parse_wrk(out.stdout)
    if res["requests"] == 0:
        raise RuntimeError(f"wrk made no requests: {(out.stderr or out.stdout).strip()[:200]}")
    return res


def _cpu_us_per_request(before, after, requests):
    return (after - before) * 1e6 / requests if requests else None


def http_check(port):
    """One GET through the proxy; True if the backend's answer came back."""
    import socket
    try:
        with socket.create_connection((LOOPBACK, port), timeout=3) as s:
            s.settimeout(3)
            s.sendall(b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            data = b""
            while len(data) < 4096:
                chunk = s.recv(4096)
                if not chunk:
                    break
                data += chunk
    except OSError:
        return False
    return data.startswith(b"HTTP/1.1 200") and data.endswith(b"ok\n")


class Workload:
    name = "?"
    title = "?"
    backend = "http"  # which backend the proxy fronts
    direct = True  # measured without a proxy too
    first_round_only = False
    metrics = []

    def backend_port(self, ctx):
        return {"http": ctx.backends.http, "sink": ctx.backends.sink}[self.backend]


class KeepAlive(Workload):
    name = "keepalive"
    title = "Keep-alive HTTP through the proxy (wrk, 50 connections, 2 threads)"
    metrics = [
        Metric("rps", "requests/s", "req/s", "higher", 0),
        Metric("p50_ms", "p50 latency", "ms", "lower", 2),
        Metric("p99_ms", "p99 latency", "ms", "lower", 2),
        Metric("cpu_us", "proxy CPU per request", "us", "lower", 1),
        Metric("cpu_kw_us", "proxy + kernel worker CPU per request", "us", "lower", 1),
        Metric("rig_cpu_us", "CPU of wrk + backend + proxy + kernel workers per request", "us", "lower", 1),
        Metric("pss_mb", "proxy memory (PSS) at the end of the load", "MB", "lower", 1),
    ]
    close = False

    def run(self, ctx, proxy):
        with running(ctx, proxy, self.backend_port(ctx)) as r:
            backend = ctx.backends.http_proc.tree()
            cpu0 = procs.cpu_seconds(r.pids())
            kw0 = procs.kernel_worker_cpu_seconds()
            rest0 = procs.cpu_seconds(backend) + procs.children_cpu_seconds()
            res = run_wrk(ctx, r.port, 50, ctx.duration, close=self.close)
            rest1 = procs.cpu_seconds(backend) + procs.children_cpu_seconds()
            kw1 = procs.kernel_worker_cpu_seconds()
            cpu1 = procs.cpu_seconds(r.pids())
            pss = procs.pss_kb(r.pids())
        # The whole rig's CPU (the load generator, the backend, the proxy,
        # the kernel's workers), not the machine's: other work on a shared
        # machine stays out of it.
        res["rig_cpu_us"] = _cpu_us_per_request(cpu0 + kw0 + rest0, cpu1 + kw1 + rest1, res["requests"])
        if proxy.name != "direct":
            res["cpu_us"] = _cpu_us_per_request(cpu0, cpu1, res["requests"])
            res["cpu_kw_us"] = _cpu_us_per_request(cpu0 + kw0, cpu1 + kw1, res["requests"])
            res["pss_mb"] = pss / 1024
        return {proxy.name: res}


class NewConnection(KeepAlive):
    name = "newconn"
    title = "New connection per request (wrk, 50 connections, Connection: close)"
    metrics = [
        Metric("rps", "requests/s", "req/s", "higher", 0),
        Metric("p99_ms", "p99 latency", "ms", "lower", 2),
        Metric("cpu_us", "proxy CPU per request", "us", "lower", 1),
        Metric("cpu_kw_us", "proxy + kernel worker CPU per request", "us", "lower", 1),
        Metric("rig_cpu_us", "CPU of wrk + backend + proxy + kernel workers per request", "us", "lower", 1),
        Metric("pss_mb", "proxy memory (PSS) at the end of the load", "MB", "lower", 1),
    ]
    close = True


class Scaling(Workload):
    name = "scaling"
    title = "Keep-alive req/s by concurrent connections (wrk, 2 threads)"
    levels = (10, 100, 1000)
    metrics = [Metric(f"rps_{n}", f"req/s at {n} connections", "req/s", "higher", 0)
               for n in levels]

    def run(self, ctx, proxy):
        res = {}
        with running(ctx, proxy, self.backend_port(ctx)) as r:
            for n in self.levels:
                out = run_wrk(ctx, r.port, n, ctx.scaling_duration)
                res[f"rps_{n}"] = out["rps"]
                res[f"errors_{n}"] = out["errors"]
        return {proxy.name: res}


class Bulk(Workload):
    name = "bulk"
    title = "Bulk transfer, one TCP stream (iperf3)"
    backend = "iperf"
    metrics = [
        Metric("up_gbps", "client to server", "Gbit/s", "higher", 2),
        Metric("down_gbps", "server to client (-R)", "Gbit/s", "higher", 2),
    ]

    def run(self, ctx, proxy):
        res = {}
        for key, reverse in (("up_gbps", False), ("down_gbps", True)):
            server, port = backends.start_iperf3(ctx.workdir)
            try:
                with running(ctx, proxy, port, probe=False) as r:
                    res[key] = self.iperf3(ctx, r.port, reverse)
            finally:
                procs.stop(server)
        return {proxy.name: res}

    def iperf3(self, ctx, port, reverse):
        t = ctx.bulk_duration
        argv = ["iperf3", "-c", LOOPBACK, "-p", str(port), "-t", str(t), "-J",
                "--connect-timeout", "3000"]
        if reverse:
            argv.append("-R")
        try:
            out = subprocess.run(argv, capture_output=True, text=True, timeout=t + 15)
        except subprocess.TimeoutExpired:
            raise RuntimeError("iperf3 overran its time")
        try:
            data = json.loads(out.stdout)
        except ValueError:
            raise RuntimeError(f"iperf3 gave no result: {out.stderr.strip()[:200]}")
        if "error" in data:
            raise RuntimeError(f"iperf3: {data['error']}")
        return data["end"]["sum_received"]["bits_per_second"] / 1e9


class IdleMemory(Workload):
    name = "memory"
    title = "Memory with idle relayed connections (PSS of the proxy's processes)"
    backend = "sink"
    direct = False
    first_round_only = True

    def __init__(self, sizes):
        self.sizes = sizes
        self.metrics = [Metric("base_mb", "PSS with no connections", "MB", "lower", 1)]
        for n in sizes:
            self.metrics.append(Metric(f"mb_{n}", f"PSS at {n} connections", "MB", "lower", 1))
            self.metrics.append(Metric(f"kb_per_conn_{n}", f"KB per connection at {n}",
                                       "KB", "lower", 2, ratios=False))

    def run(self, ctx, proxy):
        res = {}
        for n in self.sizes:
            with running(ctx, proxy, self.backend_port(ctx)) as r:
                time.sleep(0.3)
                base = procs.pss_kb(r.pids())
                relayed, pss = self.hold(ctx, r, n)
            res["base_mb"] = min(res.get("base_mb", 1e9), base / 1024)
            res[f"mb_{n}"] = pss / 1024
            res[f"kb_per_conn_{n}"] = (pss - base) / relayed if relayed else None
            res[f"relayed_{n}"] = relayed
            if relayed < n:
                ctx.log(f"    warning: {proxy.name} relayed only {relayed} of {n} connections")
        return {proxy.name: res}

    def hold(self, ctx, r, n):
        """Open n idle relayed connections; PSS of the proxy while they are held."""
        timeout = 10 + n / 500
        argv = [sys.executable, os.path.join(HERE, "idle_client.py"), LOOPBACK,
                str(r.port), str(n), str(timeout), str(timeout + 30)]
        client = procs.start("idle-client", argv, os.path.join(ctx.workdir, "idle-client.log"),
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        try:
            relayed = self._read_ready(client, timeout + 10)
            time.sleep(1.0)  # let the proxy settle (freed buffers, lazy pools)
            pss = procs.pss_kb(r.pids())
        finally:
            try:
                client.popen.stdin.close()  # tells the client to close everything
                client.popen.wait(timeout=10)
            except (OSError, subprocess.TimeoutExpired):
                pass
            procs.stop(client)
        return relayed, pss

    @staticmethod
    def _read_ready(client, timeout):
        sel = selectors.DefaultSelector()
        sel.register(client.popen.stdout, selectors.EVENT_READ)
        if not sel.select(timeout=timeout):
            raise RuntimeError("idle client did not report")
        line = client.popen.stdout.readline().decode().strip()
        if not line.startswith("ready "):
            raise RuntimeError(f"idle client failed: {client.log_tail()}")
        return int(line.split()[1])


class Startup(Workload):
    name = "startup"
    title = "Start-up: launch to accepting connections"
    direct = False
    metrics = [Metric("launch_ms", "launch to listening", "ms", "lower", 1)]

    def run(self, ctx, proxy):
        port = self.backend_port(ctx)
        times = []
        for _ in range(ctx.starts):
            r = proxy.start(ctx.workdir, port)
            times.append(r.startup)
            r.stop()
        rows = {proxy.name: {"launch_ms": statistics.median(times) * 1e3}}
        if hasattr(proxy, "start_background"):
            times = []
            for _ in range(ctx.starts):
                r = proxy.start_background(ctx.workdir, port)
                times.append(r.startup)
                r.stop()
            rows[f"{proxy.name} (background)"] = {"launch_ms": statistics.median(times) * 1e3}
        return rows


def all_workloads(idle_sizes):
    return [KeepAlive(), NewConnection(), Bulk(), Scaling(), IdleMemory(idle_sizes), Startup()]
