"""Client for the idle-connection workload.

Usage: idle_client.py HOST PORT COUNT TIMEOUT HOLD

Opens COUNT connections to HOST:PORT, at most 200 in progress at a time. A
connection counts as relayed once the backend's greeting came back through
the proxy; the client then sends one short line, so both directions have
carried data, and leaves the connection idle. Prints "ready N" (N relayed
connections) once all are relayed or TIMEOUT seconds have passed, then holds
them until stdin closes or HOLD seconds have passed, and exits.
"""

import errno
import selectors
import socket
import sys
import time

IN_FLIGHT = 200
GREETING_LEN = len(b"220 idle-sink\r\n")
LINE = b"NOOP\r\n"


def open_connections(host, port, count, timeout):
    sel = selectors.DefaultSelector()
    relayed, failed = [], 0
    started = 0
    pending = {}  # socket -> bytes of greeting received so far
    deadline = time.monotonic() + timeout
    while len(relayed) + failed < count and time.monotonic() < deadline:
        while started < count and len(pending) < IN_FLIGHT:
            s = socket.socket()
            s.setblocking(False)
            err = s.connect_ex((host, port))
            started += 1
            if err not in (0, errno.EINPROGRESS):
                s.close()
                failed += 1
                continue
            pending[s] = 0
            sel.register(s, selectors.EVENT_READ)
        for key, _ in sel.select(timeout=0.5):
            s = key.fileobj
            try:
                data = s.recv(GREETING_LEN - pending[s])
            except (BlockingIOError, InterruptedError):
                continue
            except OSError:
                data = b""
            sel.unregister(s)
            if not data:  # refused, reset or closed by the proxy
                del pending[s]
                s.close()
                failed += 1
                continue
            pending[s] += len(data)
            if pending[s] < GREETING_LEN:
                sel.register(s, selectors.EVENT_READ)
                continue
            del pending[s]
            try:
                s.send(LINE)
                relayed.append(s)
            except OSError:
                s.close()
                failed += 1
    for s in pending:
        s.close()
    return relayed


def main():
    host, port, count = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    timeout, hold = float(sys.argv[4]), float(sys.argv[5])
    relayed = open_connections(host, port, count, timeout)
    print(f"ready {len(relayed)}", flush=True)
    sel = selectors.DefaultSelector()
    sel.register(sys.stdin, selectors.EVENT_READ)
    sel.select(timeout=hold)  # stdin readable means EOF or a line: stop
    for s in relayed:
        s.close()


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:
        pass
