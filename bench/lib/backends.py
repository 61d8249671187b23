"""The backends every proxy relays to: an nginx HTTP server, an iperf3 server
and a sink that accepts and holds idle connections."""

import os
import subprocess
import sys

from . import procs
from .procs import LOOPBACK

HERE = os.path.dirname(os.path.abspath(__file__))

NGINX_HTTP_CONF = """\
worker_processes 1;
worker_rlimit_nofile 20000;
daemon off;
pid {dir}/nginx.pid;
error_log {dir}/error.log warn;
events {{
    worker_connections 20000;
    use epoll;
}}
http {{
    access_log off;
    keepalive_requests 10000000;
    keepalive_timeout 300s;
    client_body_temp_path {dir}/body;
    proxy_temp_path {dir}/proxy;
    fastcgi_temp_path {dir}/fastcgi;
    uwsgi_temp_path {dir}/uwsgi;
    scgi_temp_path {dir}/scgi;
    server {{
        listen {addr}:{port} backlog=4096;
        location / {{
            default_type text/plain;
            return 200 "ok\\n";
        }}
    }}
}}
"""


def start_http(workdir):
    """nginx serving a tiny static response; returns (proc, port)."""
    d = os.path.join(workdir, "backend-http")
    os.makedirs(d, exist_ok=True)
    port = procs.free_port()
    conf = os.path.join(d, "nginx.conf")
    with open(conf, "w") as f:
        f.write(NGINX_HTTP_CONF.format(dir=d, addr=LOOPBACK, port=port))
    argv = ["nginx", "-p", d, "-e", os.path.join(d, "error.log"), "-c", conf]
    proc = procs.start("backend-http", argv, os.path.join(d, "stderr.log"))
    if procs.wait_listening(port, 5.0, proc) is None:
        raise RuntimeError(f"nginx HTTP backend did not start: {proc.log_tail()}")
    return proc, port


def start_iperf3(workdir):
    """iperf3 server for one test (-1); returns (proc, port).

    A fresh server per test: a server whose previous client went away while
    the proxy in between was being stopped can refuse the next test.
    """
    port = procs.free_port()
    log = os.path.join(workdir, "backend-iperf3.log")
    argv = ["iperf3", "-s", "-1", "-B", LOOPBACK, "-p", str(port)]
    proc = procs.start("backend-iperf3", argv, log)
    if not procs.wait_bound(port, 5.0, proc):  # a probe connection would be its one test
        raise RuntimeError(f"iperf3 server did not start: {proc.log_tail()}")
    return proc, port


def start_sink(workdir):
    """Sink that greets, drains and holds connections; returns (proc, port)."""
    port = procs.free_port()
    log = os.path.join(workdir, "backend-sink.log")
    argv = [sys.executable, os.path.join(HERE, "idle_sink.py"), LOOPBACK, str(port)]
    proc = procs.start("backend-sink", argv, log)
    if procs.wait_listening(port, 5.0, proc) is None:
        raise RuntimeError(f"idle sink did not start: {proc.log_tail()}")
    return proc, port


class Backends:
    """The backends shared by the whole run (iperf3 servers are per test)."""

    def __init__(self, workdir):
        self.http_proc, self.http = start_http(workdir)
        self.sink_proc, self.sink = start_sink(workdir)

    def check(self):
        for p in (self.http_proc, self.sink_proc):
            if not p.alive():
                raise RuntimeError(f"backend {p.name} exited: {p.log_tail()}")
