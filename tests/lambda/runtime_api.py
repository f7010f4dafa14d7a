#!/usr/bin/python3
"""runtime_api.py: a local AWS Lambda Runtime API for the r53mirror tests.

Python 3 standard library only; listens on loopback only.

  runtime_api.py serve [--listen 127.0.0.1:0] [--function-timeout S]
      serve the Runtime API (2018-06-01) to one function; the first line
      on stdout is ADDR:PORT, the value of AWS_LAMBDA_RUNTIME_API.
  runtime_api.py invoke ADDR:PORT EVENT-FILE [--wait S]
      queue one invocation, wait (at most S s, default 120) for the
      function's answer, print it as JSON:
      {"kind": "response"|"error", "body": ..., "errorType": header}
      Exit 0 when answered, 1 on timeout.
  runtime_api.py init-error ADDR:PORT [--wait S]
      print the init error the function reported (exit 1 if none).

Runtime API, as Lambda's: GET /2018-06-01/runtime/invocation/next (long
poll; headers Lambda-Runtime-Aws-Request-Id, Lambda-Runtime-Deadline-Ms,
Lambda-Runtime-Invoked-Function-Arn, Lambda-Runtime-Trace-Id), POST
.../invocation/ID/response, POST .../invocation/ID/error, POST
/2018-06-01/runtime/init/error (202 {"status": "OK"}; an unknown ID 400
InvalidRequestID).  Test endpoints under /_test/: POST invoke (body: the
event) -> {"id"}, GET result/ID?wait=S, GET init-error?wait=S.
"""
import argparse
import json
import sys
import threading
import time
import urllib.error
import urllib.request
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

PREFIX = "/2018-06-01/runtime/"
ARN = "arn:aws:lambda:us-east-1:123456789012:function:r53mirror"
# Longest wait of a long poll or a result request: every wait is bounded.
MAX_WAIT = 900


class State:
    def __init__(self, timeout):
        self.cond = threading.Condition()
        self.queue = []            # (id, event bytes)
        self.results = {}          # id -> result dict
        self.open = set()          # ids handed out, not answered
        self.init_error = None
        self.timeout = timeout


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *a):
        sys.stderr.write("runtime_api: %s\n" % (fmt % a))

    def send(self, status, body, headers=None):
        data = body if isinstance(body, bytes) else \
            (json.dumps(body) + "\n").encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)

    def body(self):
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n) if n > 0 else b""

    def wait_arg(self):
        try:
            return min(float(self.path.split("wait=", 1)[1]), MAX_WAIT)
        except (IndexError, ValueError):
            return 0.0

    def do_GET(self):
        st = self.server.st
        if self.path == PREFIX + "invocation/next":
            return self.next_invocation(st)
        if self.path.startswith("/_test/result/"):
            rid = self.path.split("/")[3].split("?")[0]
            with st.cond:
                st.cond.wait_for(lambda: rid in st.results, self.wait_arg())
                res = st.results.get(rid)
            return self.send(200 if res else 404, res or {"error": "none"})
        if self.path.startswith("/_test/init-error"):
            with st.cond:
                st.cond.wait_for(lambda: st.init_error is not None,
                                 self.wait_arg())
                res = st.init_error
            return self.send(200 if res else 404, res or {"error": "none"})
        self.send(404, {"errorType": "NotFound", "errorMessage": self.path})

    def next_invocation(self, st):
        with st.cond:
            if not st.cond.wait_for(lambda: st.queue, MAX_WAIT):
                return self.send(503, {"errorType": "NoInvocation"})
            rid, event = st.queue.pop(0)
            st.open.add(rid)
        deadline = int((time.time() + st.timeout) * 1000)
        self.send(200, event, {
            "Lambda-Runtime-Aws-Request-Id": rid,
            "Lambda-Runtime-Deadline-Ms": str(deadline),
            "Lambda-Runtime-Invoked-Function-Arn": ARN,
            "Lambda-Runtime-Trace-Id": "Root=1-%s" % uuid.uuid4().hex[:24]})

    def do_POST(self):
        st = self.server.st
        data = self.body()
        if self.path == "/_test/invoke":
            rid = str(uuid.uuid4())
            with st.cond:
                st.queue.append((rid, data))
                st.cond.notify_all()
            return self.send(200, {"id": rid})
        etype = self.headers.get("Lambda-Runtime-Function-Error-Type")
        if self.path == PREFIX + "init/error":
            with st.cond:
                st.init_error = {"kind": "init-error", "errorType": etype,
                                 "body": parse(data)}
                st.cond.notify_all()
            return self.send(202, {"status": "OK"})
        parts = self.path[len(PREFIX):].split("/")
        if self.path.startswith(PREFIX + "invocation/") and len(parts) == 3 \
                and parts[2] in ("response", "error"):
            rid = parts[1]
            with st.cond:
                if rid not in st.open:
                    return self.send(400, {"errorType": "InvalidRequestID",
                                           "errorMessage": rid})
                st.open.discard(rid)
                st.results[rid] = {"kind": parts[2], "errorType": etype,
                                   "body": parse(data)}
                st.cond.notify_all()
            return self.send(202, {"status": "OK"})
        self.send(404, {"errorType": "NotFound", "errorMessage": self.path})


def parse(data):
    try:
        return json.loads(data)
    except ValueError:
        return data.decode("utf-8", "replace")


def serve(args):
    host, _, port = args.listen.rpartition(":")
    if host not in ("127.0.0.1", "localhost"):
        sys.exit("runtime_api.py: loopback only")
    srv = ThreadingHTTPServer((host, int(port)), Handler)
    srv.daemon_threads = True
    srv.st = State(args.function_timeout)
    print("%s:%d" % srv.server_address[:2], flush=True)
    srv.serve_forever(poll_interval=0.2)


def call(url, method, data=None, timeout=10):
    req = urllib.request.Request(url, data=data, method=method)
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return r.status, json.loads(r.read())
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read() or b"{}")


def main(argv):
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("serve")
    s.add_argument("--listen", default="127.0.0.1:0")
    s.add_argument("--function-timeout", type=float, default=300.0)
    i = sub.add_parser("invoke")
    i.add_argument("api")
    i.add_argument("event")
    i.add_argument("--wait", type=float, default=120.0)
    e = sub.add_parser("init-error")
    e.add_argument("api")
    e.add_argument("--wait", type=float, default=10.0)
    args = ap.parse_args(argv)
    if args.cmd == "serve":
        return serve(args)
    base = "http://%s/_test/" % args.api
    if args.cmd == "invoke":
        with open(args.event, "rb") as f:
            _, r = call(base + "invoke", "POST", f.read())
        st, res = call(base + "result/%s?wait=%g" % (r["id"], args.wait),
                       "GET", timeout=args.wait + 10)
    else:
        st, res = call(base + "init-error?wait=%g" % args.wait, "GET",
                       timeout=args.wait + 10)
    print(json.dumps(res))
    return 0 if st == 200 else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
