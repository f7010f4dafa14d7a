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
sys.stdout are the process's).  The server loop is fieldserver.py's: it
exits when DIR is removed or after 600 s idle.  Only loopback, every wait
bounded.
"""

import os
import sys

import fieldserver

os.environ.pop("AWS_DATA_PATH", None)
import awscli.clidriver  # noqa: E402 (after the line above, on purpose)

# awscli's own data folder, which importing awscli appends to the
# caller's AWS_DATA_PATH (awscli/__init__.py); redone for each command.
DATA_DIR = os.path.join(os.path.dirname(os.path.abspath(awscli.__file__)),
                        "data")


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


def serve_one(srv, conn):
    fields = fieldserver.read_fields(conn, complete)
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
    return fieldserver.serve(sys.argv[1], "awsclid.py", serve_one)


if __name__ == "__main__":
    sys.exit(main())
