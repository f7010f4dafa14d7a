#!/usr/bin/python3
"""rawreq: send one hand-made Route 53 request, signed by botocore.

  rawreq.py [options] URL METHOD PATH [BODYFILE]
    PATH includes the query string (e.g. /2013-04-01/hostedzone/Z1/rrset?maxitems=2)
    BODYFILE: file with the XML body ('-' = stdin)
  options:
    --access-key K --secret-key S --token T   (default: the emulator pair)
    --region R --service S                    (default us-east-1 route53)
    --time YYYYMMDDTHHMMSSZ                   sign as of that time
    --no-auth                                 send unsigned
    --drop-header NAME                        remove a header after signing
    --set-header NAME=VALUE                   set a header after signing
Prints the HTTP status on the first line, then the body.  Exit 0.
Used by tests as an independent client (botocore's signer, not ours).
"""
import argparse
import datetime
import sys
import http.client
from urllib.parse import urlsplit

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--access-key", default="AKIDEXAMPLE")
    ap.add_argument("--secret-key",
                    default="wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY")
    ap.add_argument("--token")
    ap.add_argument("--region", default="us-east-1")
    ap.add_argument("--service", default="route53")
    ap.add_argument("--time")
    ap.add_argument("--no-auth", action="store_true")
    ap.add_argument("--drop-header", action="append", default=[])
    ap.add_argument("--set-header", action="append", default=[])
    ap.add_argument("url")
    ap.add_argument("method")
    ap.add_argument("path")
    ap.add_argument("body", nargs="?")
    a = ap.parse_args()
    body = b""
    if a.body == "-":
        body = sys.stdin.buffer.read()
    elif a.body:
        with open(a.body, "rb") as fh:
            body = fh.read()
    req = AWSRequest(method=a.method, url=a.url.rstrip("/") + a.path,
                     data=body)
    if not a.no_auth:
        creds = Credentials(a.access_key, a.secret_key, a.token)
        signer = SigV4Auth(creds, a.service, a.region)
        if a.time:
            t = datetime.datetime.strptime(a.time, "%Y%m%dT%H%M%SZ")
            import botocore.auth as ba
            real = ba.datetime.datetime

            class Fixed(real):
                @classmethod
                def utcnow(cls):
                    return t
            ba.datetime.datetime = Fixed
            try:
                signer.add_auth(req)
            finally:
                ba.datetime.datetime = real
        else:
            signer.add_auth(req)
    headers = dict(req.headers.items())
    for h in a.drop_header:
        for k in list(headers):
            if k.lower() == h.lower():
                del headers[k]
    for hv in a.set_header:
        k, v = hv.split("=", 1)
        headers[k] = v
    u = urlsplit(a.url)
    conn = http.client.HTTPConnection(u.hostname, u.port, timeout=30)
    conn.request(a.method, a.path, body=body, headers=headers)
    r = conn.getresponse()
    data = r.read().decode("utf-8", "replace")
    sys.stdout.write("%d\n%s\n" % (r.status, data))
    return 0


if __name__ == "__main__":
    sys.exit(main())
