#!/usr/bin/env python3
"""fakeaws.py: a tiny loopback HTTP server for the client library tests.

Plays, from one JSON configuration file:
  - EC2 instance metadata (IMDSv2): PUT /latest/api/token, then
    GET /latest/meta-data/iam/security-credentials/[ROLE];
  - container credentials (ECS/EKS): GET of a configured path, checking
    the Authorization header;
  - canned answers: a list of rules (method, path, optional query
    substring) answered with a status and a body, or by dropping the
    connection, each a given number of times, in order.
Every request is appended to the log file as one JSON line (method, path,
query, headers, body, client port, whether it was answered), so tests can
count calls, check keep-alive and re-sign captured requests with botocore.

Usage: fakeaws.py --config CONF.json --log LOG [--listen 127.0.0.1:0]
                  [--tls CERT KEY]
The first line on stdout is the base URL (http[s]://127.0.0.1:PORT).
Standard library only.  Listens on loopback only.

Configuration keys (all optional):
  "imds": {"role": "r53role", "key_prefix": "ASIAIMDS",
           "expiration": "2026-11-26T23:59:00Z", "require_token": true,
           "token_status": 200}
  "container": {"path": "/creds", "authorization": "Bearer xyz",
                "key_prefix": "ASIAECS", "expiration": "..."}
  "canned": [{"method": "GET", "path": "/2013-04-01/hostedzone/Z1",
              "query": "name=", "status": 200, "body": "<x/>",
              "body_file": "file.xml", "times": 1, "drop": false,
              "delay_ms": 0}]
Credentials answers carry a counter in AccessKeyId (PREFIX0001, ...), so
a test sees when they were fetched again.
"""
import argparse
import json
import socketserver
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, HTTPServer

LOCK = threading.Lock()
STATE = {"creds": 0, "tokens": 0}


class Server(socketserver.ThreadingMixIn, HTTPServer):
    daemon_threads = True
    allow_reuse_address = True


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "fakeaws/1"

    def log_message(self, fmt, *args):
        pass

    def _body(self):
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n) if n > 0 else b""

    def _log(self, body, answered, status):
        path, _, query = self.path.partition("?")
        rec = {
            "method": self.command, "path": path, "query": query,
            "target": self.path,
            "headers": [[k, v] for k, v in self.headers.items()],
            "body": body.decode("utf-8", "replace"),
            "port": self.client_address[1], "answered": answered,
            "status": status,
        }
        with LOCK:
            with open(self.server.logfile, "a") as f:
                f.write(json.dumps(rec) + "\n")

    def _send(self, status, body, ctype="text/xml"):
        if isinstance(body, str):
            body = body.encode()
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("x-amzn-RequestId", "fake-%d" % int(time.time()))
        self.end_headers()
        self.wfile.write(body)

    def _creds(self, conf, default_prefix):
        with LOCK:
            STATE["creds"] += 1
            n = STATE["creds"]
        return json.dumps({
            "Code": "Success",
            "Type": "AWS-HMAC",
            "AccessKeyId": "%s%04d" % (conf.get("key_prefix",
                                                default_prefix), n),
            "SecretAccessKey": "fakeSecret/%04d" % n,
            "Token": "fakeToken%04d" % n,
            "Expiration": conf.get("expiration", "2099-01-01T00:00:00Z"),
            "LastUpdated": "2026-01-01T00:00:00Z",
        })

    def _imds(self, conf, body):
        path = self.path.partition("?")[0]
        base = "/latest/meta-data/iam/security-credentials/"
        if path == "/latest/api/token":
            st = conf.get("token_status", 200)
            if self.command != "PUT" or \
                    "X-aws-ec2-metadata-token-ttl-seconds" not in self.headers:
                st = 400
            if st != 200:
                self._log(body, True, st)
                self._send(st, "", "text/plain")
                return True
            with LOCK:
                STATE["tokens"] += 1
                tok = "imdstoken%04d" % STATE["tokens"]
            self._log(body, True, 200)
            self._send(200, tok, "text/plain")
            return True
        if not path.startswith(base):
            return False
        if conf.get("require_token", True):
            tok = self.headers.get("X-aws-ec2-metadata-token", "")
            if not tok.startswith("imdstoken"):
                self._log(body, True, 401)
                self._send(401, "", "text/plain")
                return True
        role = conf.get("role", "r53role")
        if path == base:
            self._log(body, True, 200)
            self._send(200, role, "text/plain")
        elif path == base + role:
            self._log(body, True, 200)
            self._send(200, self._creds(conf, "ASIAIMDS"), "text/plain")
        else:
            self._log(body, True, 404)
            self._send(404, "", "text/plain")
        return True

    def _container(self, conf, body):
        if self.path != conf.get("path", "/creds"):
            return False
        want = conf.get("authorization")
        if want is not None and self.headers.get("Authorization") != want:
            self._log(body, True, 403)
            self._send(403, '{"message":"bad token"}', "application/json")
            return True
        self._log(body, True, 200)
        self._send(200, self._creds(conf, "ASIAECS"), "application/json")
        return True

    def _canned(self, body):
        path, _, query = self.path.partition("?")
        rule = None
        with LOCK:
            for r in self.server.conf.get("canned", []):
                if r.get("method", self.command) != self.command:
                    continue
                if r.get("path") != path:
                    continue
                if r.get("query") is not None and r["query"] not in query:
                    continue
                if r.get("times", -1) == 0:
                    continue
                if r.get("times", -1) > 0:
                    r["times"] -= 1
                rule = r
                break
        if rule is None:
            return False
        if rule.get("delay_ms"):
            time.sleep(rule["delay_ms"] / 1000.0)
        if rule.get("drop"):
            self._log(body, False, 0)
            self.close_connection = True
            return True
        text = rule.get("body", "")
        if "body_file" in rule:
            with open(rule["body_file"], "rb") as f:
                text = f.read()
        st = rule.get("status", 200)
        self._log(body, True, st)
        self._send(st, text)
        return True

    def _any(self):
        body = self._body()
        conf = self.server.conf
        if "imds" in conf and self._imds(conf["imds"], body):
            return
        if "container" in conf and self._container(conf["container"], body):
            return
        if self._canned(body):
            return
        self._log(body, True, 404)
        self._send(404, "<ErrorResponse><Error><Code>FakeNoRule</Code>"
                   "<Message>fakeaws: no rule for %s %s</Message></Error>"
                   "</ErrorResponse>" % (self.command, self.path))

    do_GET = do_PUT = do_POST = do_DELETE = _any


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--listen", default="127.0.0.1:0")
    ap.add_argument("--config", required=True)
    ap.add_argument("--log", required=True)
    ap.add_argument("--tls", nargs=2, metavar=("CERT", "KEY"),
                    help="serve https with this certificate and key")
    a = ap.parse_args()
    host, _, port = a.listen.rpartition(":")
    if host not in ("127.0.0.1", "localhost"):
        sys.exit("fakeaws: loopback only")
    with open(a.config) as f:
        conf = json.load(f)
    srv = Server((host, int(port)), Handler)
    srv.conf = conf
    srv.logfile = a.log
    open(a.log, "a").close()
    scheme = "http"
    if a.tls:
        import ssl
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(a.tls[0], a.tls[1])
        srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
        scheme = "https"
    print("%s://%s:%d" % (scheme, srv.server_address[0], srv.server_address[1]), flush=True)
    try:
        srv.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
