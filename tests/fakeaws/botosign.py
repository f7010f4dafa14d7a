#!/usr/bin/python3
"""botosign.py: sign a raw HTTP request with botocore's own SigV4Auth.

Usage: /usr/bin/python3 botosign.py creq|authz REQFILE [--region R]
           [--service S] [--date YYYYMMDDTHHMMSSZ] [--scheme http|https]

REQFILE is a raw request ("METHOD TARGET HTTP/1.1", "Name:value" lines,
an empty line, the body).  Authorization, X-Amz-Date and
X-Amz-Security-Token lines in it are dropped: botocore adds its own, with
the clock pinned to --date (else the file's X-Amz-Date) and the session
token from AWS_SESSION_TOKEN.  The query string is handed to botocore as a
parameter dict, the way botocore's REST serialiser does for Route 53.
With --signed-from-authz yes, only the headers named in the file's own
Authorization SignedHeaders are given to botocore (a client may send
unsigned headers such as User-Agent or Content-Length that botocore would
add or sign differently); the comparison is then of the signature over
exactly those headers.
Prints the canonical request or the Authorization value, no newline.
Needs Debian's python3-botocore, hence /usr/bin/python3.
"""
import datetime
import os
import sys
import urllib.parse

import botocore.auth
import botocore.awsrequest
import botocore.credentials


def parse(path):
    with open(path, 'rb') as f:
        raw = f.read()
    head, sep, body = raw.partition(b'\n\n')
    lines = head.decode('utf-8').split('\n')
    method, target, _ = lines[0].split(' ', 2) if lines[0].count(' ') >= 2 \
        else (lines[0].split(' ') + [''])[:3]
    headers = []
    for line in lines[1:]:
        if line == '':
            continue
        if line[:1] in (' ', '\t') and headers:
            headers[-1][1] += '\n' + line
            continue
        name, _, value = line.partition(':')
        headers.append([name, value])
    return method, target, headers, body if sep else b''


def main():
    what, reqfile = sys.argv[1], sys.argv[2]
    opts = {'--region': 'us-east-1', '--service': 'service', '--date': None,
            '--scheme': 'https', '--signed-from-authz': 'no'}
    args = sys.argv[3:]
    while args:
        opts[args[0]] = args[1]
        args = args[2:]
    method, target, headers, body = parse(reqfile)
    if opts['--signed-from-authz'] == 'yes':
        authz = [v for k, v in headers if k.lower() == 'authorization'][0]
        signed = authz.split('SignedHeaders=')[1].split(',')[0].split(';')
        headers = [[k, v] for k, v in headers
                   if k.lower() in signed or k.lower() == 'authorization']
    date = opts['--date']
    keep = []
    host = None
    for name, value in headers:
        lname = name.lower()
        if lname == 'x-amz-date' and date is None:
            date = value.strip()
        if lname in ('authorization', 'x-amz-date', 'x-amz-security-token'):
            continue
        if lname == 'host':
            host = value.strip()
        keep.append((name, value))
    path, _, query = target.partition('?')
    params = dict(urllib.parse.parse_qsl(query, keep_blank_values=True))
    url = '%s://%s%s' % (opts['--scheme'], host, path)
    req = botocore.awsrequest.AWSRequest(method=method, url=url,
                                         data=body, params=params)
    for name, value in keep:
        req.headers[name] = value
    fixed = datetime.datetime.strptime(date, '%Y%m%dT%H%M%SZ')

    class FrozenDatetime(datetime.datetime):
        @classmethod
        def utcnow(cls):
            return fixed

    botocore.auth.datetime.datetime = FrozenDatetime
    creds = botocore.credentials.Credentials(
        os.environ['AWS_ACCESS_KEY_ID'], os.environ['AWS_SECRET_ACCESS_KEY'],
        os.environ.get('AWS_SESSION_TOKEN'))
    signer = botocore.auth.SigV4Auth(creds, opts['--service'],
                                     opts['--region'])
    # Keep the canonical request botocore builds while signing.
    seen = []
    orig = signer.canonical_request

    def canonical_request(r):
        seen.append(orig(r))
        return seen[-1]

    signer.canonical_request = canonical_request
    signer.add_auth(req)
    if what == 'creq':
        sys.stdout.write(seen[0])
    else:
        sys.stdout.write(req.headers['Authorization'])


if __name__ == '__main__':
    main()
