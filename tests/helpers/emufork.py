#!/usr/bin/python3
"""emufork.py DIR: start Route 53 emulators by fork(2) from one python3
process that has already imported r53emu, instead of one python3 start
and import each.

Why: the suite starts an emulator for almost every test it runs against
Route 53 (about 300 a run), and a start costs 0.16 CPU-s on the test
machine, nearly all of it the interpreter's start and r53emu's imports.
A fork of a process that holds them costs a few milliseconds.  Each
emulator is still its own process with its own port, state file, log and
arguments, running the same r53emu.main() a start by "python3 -m r53emu"
runs: only the import is shared, and r53emu keeps no state at module
level.

Protocol (tests/helpers/emu.bash, emu_start): listen on 127.0.0.1 port 0,
write the port to DIR/port.  A connection sends NUL-terminated fields:
  emufork1, CWD, OUTFILE, ERRFILE, M, M x ARG
The server forks; the child changes to CWD, takes stdin from /dev/null,
stdout to OUTFILE (truncated), stderr to ERRFILE (appended), and runs
r53emu.main(ARGs), then exits with its status.  The answer is the child's
pid, NUL-terminated.  Children are reaped here (SIGCHLD ignored), so a
stopped emulator leaves no zombie behind; to end one with the test that
started it, pass r53emu's --exit-with-pid.  The server loop is
fieldserver.py's: it exits when DIR is removed or after 600 s idle.  Only
loopback, every wait bounded.
"""

import os
import signal
import sys
import traceback

import fieldserver
import r53emu  # the import every child shares (PYTHONPATH: tests/r53emu)


def complete(fields):
    """True when fields (a split on NUL, last one partial) hold a request."""
    try:
        return len(fields) - 1 >= 5 + int(fields[4])
    except (ValueError, IndexError):
        return False


def redirect(path, flags, fd):
    new = os.open(path, flags, 0o644)
    if new != fd:
        os.dup2(new, fd)
        os.close(new)


def run_child(cwd, out, err, argv):
    """In the forked child: the emulator, then exit.  Never returns."""
    rc = 1
    try:
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        os.chdir(cwd)
        redirect(os.devnull, os.O_RDONLY, 0)
        redirect(out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 1)
        redirect(err, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 2)
        sys.argv = ["r53emu"] + argv   # argparse names itself from it
        rc = r53emu.main(argv)
    except SystemExit as e:
        rc = e.code if isinstance(e.code, int) else (0 if e.code is None
                                                     else 1)
        if isinstance(e.code, str):
            print(e.code, file=sys.stderr)
    except BaseException:
        traceback.print_exc()
    finally:
        try:
            sys.stdout.flush()
            sys.stderr.flush()
        finally:
            os._exit(rc or 0)


def serve_one(srv, conn):
    fields = fieldserver.read_fields(conn, complete, 1 << 16, 10)
    if fields[0] != "emufork1":
        raise ValueError("bad request")
    cwd, out, err = fields[1:4]
    argv = fields[5:5 + int(fields[4])]
    sys.stdout.flush()
    sys.stderr.flush()
    pid = os.fork()
    if pid == 0:
        srv.close()
        conn.close()
        run_child(cwd, out, err, argv)
    conn.sendall(b"%d\0" % pid)


def main():
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)
    return fieldserver.serve(sys.argv[1], "emufork.py", serve_one)


if __name__ == "__main__":
    sys.exit(main())
