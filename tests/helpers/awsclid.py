#!/usr/bin/python3
"""awsclid.py DIR: run the Debian aws CLI's own entry point (what
/usr/bin/aws runs: awscli.clidriver.AWSCLIEntryPoint) for many commands in
one python3 process, one command at a time.

Why: a start of /usr/bin/aws costs about 1.2 CPU-s on the test machine,
almost all of it importing the CLI (815 modules); the test suite runs it
about a hundred times.  Imported once here, each command costs what the
command costs.  Each command gets a new driver and botocore session built
from the caller's own environment and working folder, as a new process
would, so the CLI under test is the same code with the same inputs.

Protocol (tests/helpers/aws.bash, aws_cli): listen on 127.0.0.1 port 0,
write the port to DIR/port.  A connection sends NUL-terminated fields:
  awscli1, CWD, OUTFILE, ERRFILE, N, N x "NAME=VALUE", M, M x ARG
and gets back the exit status, NUL-terminated; stdout and stderr are in
OUTFILE and ERRFILE.  Commands run one after another (the environment and
sys.stdout are the process's).  Exits when DIR is removed (bats removes
the file's temporary folder when the file ends) or after 600 s idle.
Only loopback, every wait bounded.
"""

import os
import select
import socket
import sys
import time

os.environ.pop("AWS_DATA_PATH", None)
import awscli.clidriver  # noqa: E402 (after the line above, on purpose)

IDLE_LIMIT = 600.0
# awscli's own data folder, which importing awscli appends to the
# caller's AWS_DATA_PATH (awscli/__init__.py); redone for each command.
DATA_DIR = os.path.join(os.path.dirname(os.path.abspath(awscli.__file__)),
                        "data")


def read_fields(conn):
    """All NUL-terminated fields of one request (bounded: 1 MiB)."""
    data = b""
    conn.settimeout(30)
    while True:
        chunk = conn.recv(65536)
        if not chunk:
            break
        data += chunk
        if len(data) > (1 << 20):
            raise ValueError("request too large")
        fields = data.split(b"\0")
        if len(fields) >= 6 and complete(fields):
            return [f.decode("utf-8", "surrogateescape") for f in fields]
    raise ValueError("short request")


def complete(fields):
    """True when fields (a split on NUL, last one partial) hold a request."""
    try:
        n = int(fields[4])
        m = int(fields[5 + n])
    except (ValueError, IndexError):
        return False
    return len(fields) - 1 >= 6 + n + m


def run_command(cwd, out, err, env, argv):
    """One aws command as /usr/bin/aws would run it; its exit status."""
    os.environ.clear()
    os.environ.update(env)
    # What /usr/bin/aws does before it imports the CLI.
    if os.environ.get("LC_CTYPE", "") == "UTF-8":
        os.environ["LC_CTYPE"] = "en_US.UTF-8"
    paths = []
    if "AWS_DATA_PATH" in os.environ:
        paths = [os.path.expanduser(os.path.expandvars(p))
                 for p in os.environ["AWS_DATA_PATH"].split(os.pathsep)]
    os.environ["AWS_DATA_PATH"] = os.pathsep.join(paths + [DATA_DIR])
    os.chdir(cwd)
    sys.argv = ["/usr/bin/aws"] + argv  # argparse names itself from it
    saved = sys.stdout, sys.stderr
    with open(out, "w", encoding="utf-8", errors="surrogateescape") as fo, \
            open(err, "w", encoding="utf-8", errors="surrogateescape") as fe:
        sys.stdout, sys.stderr = fo, fe
        try:
            rc = awscli.clidriver.AWSCLIEntryPoint().main(argv)
        except SystemExit as e:
            rc = e.code
        finally:
            sys.stdout, sys.stderr = saved
    if rc is None:
        return 0
    return rc if isinstance(rc, int) else 1


def serve_one(conn):
    fields = read_fields(conn)
    if fields[0] != "awscli1":
        raise ValueError("bad request")
    cwd, out, err = fields[1:4]
    n = int(fields[4])
    env = dict(f.split("=", 1) for f in fields[5:5 + n])
    m = int(fields[5 + n])
    argv = fields[6 + n:6 + n + m]
    rc = run_command(cwd, out, err, env, argv)
    conn.sendall(b"%d\0" % rc)


def main():
    folder = sys.argv[1]
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
            serve_one(conn)
        except Exception as e:  # one bad request never stops the server
            print("awsclid.py: %s" % e, file=sys.stderr)
        finally:
            conn.close()
        last = time.monotonic()
    return 0


if __name__ == "__main__":
    sys.exit(main())
