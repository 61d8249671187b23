"""Backend for the idle-connection workload.

Usage: idle_sink.py HOST PORT

Accepts connections, sends each a short greeting (as an SMTP or IMAP server
would), discards whatever the client sends and holds the connection open until
the client closes it. Runs until it is terminated.
"""

import selectors
import socket
import sys

GREETING = b"220 idle-sink\r\n"


def main():
    host, port = sys.argv[1], int(sys.argv[2])
    sel = selectors.DefaultSelector()
    lsock = socket.socket()
    lsock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    lsock.bind((host, port))
    lsock.listen(4096)
    lsock.setblocking(False)
    sel.register(lsock, selectors.EVENT_READ, None)
    while True:
        for key, _ in sel.select():
            if key.data is None:
                accept_some(lsock, sel)
            else:
                drain(key.fileobj, sel)


def accept_some(lsock, sel):
    for _ in range(256):
        try:
            conn, _ = lsock.accept()
        except (BlockingIOError, InterruptedError):
            return
        except OSError:  # out of descriptors: leave it in the backlog
            return
        conn.setblocking(False)
        try:
            conn.send(GREETING)
        except OSError:
            conn.close()
            continue
        sel.register(conn, selectors.EVENT_READ, True)


def drain(conn, sel):
    try:
        data = conn.recv(65536)
    except (BlockingIOError, InterruptedError):
        return
    except OSError:
        data = b""
    if not data:
        sel.unregister(conn)
        conn.close()


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:
        pass
