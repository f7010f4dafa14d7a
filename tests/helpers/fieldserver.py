"""fieldserver.py: the loopback server loop of the suite's per-file
helper daemons (awsclid.py, emufork.py).

Each listens on 127.0.0.1 port 0, writes the port to DIR/port (atomically,
so a reader never sees half of it), and answers one connection at a time:
a request is NUL-terminated fields, read until the daemon's own
complete(fields) says they are all there (bounded in size and time).  It
exits when DIR is removed (bats removes the file's temporary folder when
the file ends) or after IDLE_LIMIT seconds without a request, so an
interrupted run leaves nothing behind.  One bad request never stops it.
"""

import os
import select
import socket
import sys
import time

IDLE_LIMIT = 600.0


def read_fields(conn, complete, limit=1 << 20, timeout=30):
    """The fields of one request, decoded; complete(fields) is given the
    NUL-split data so far (last item partial) and says when it is whole."""
    data = b""
    conn.settimeout(timeout)
    while True:
        chunk = conn.recv(65536)
        if not chunk:
            break
        data += chunk
        if len(data) > limit:
            raise ValueError("request too large")
        fields = data.split(b"\0")
        if complete(fields):
            return [f.decode("utf-8", "surrogateescape") for f in fields[:-1]]
    raise ValueError("short request")


def serve(folder, name, serve_one):
    """Write folder/port, then call serve_one(srv, conn) per connection."""
    srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    srv.bind(("127.0.0.1", 0))
    srv.listen(16)
    tmp = os.path.join(folder, "port.tmp")
    with open(tmp, "w") as f:
        f.write("%d\n" % srv.getsockname()[1])
    os.rename(tmp, os.path.join(folder, "port"))
    last = time.monotonic()
    while os.path.isdir(folder) and time.monotonic() - last < IDLE_LIMIT:
        ready, _, _ = select.select([srv], [], [], 1.0)
        if not ready:
            continue
        conn, _ = srv.accept()
        try:
            serve_one(srv, conn)
        except Exception as e:  # one bad request never stops the server
            print("%s: %s" % (name, e), file=sys.stderr, flush=True)
        finally:
            conn.close()
        last = time.monotonic()
    return 0
