#!/usr/bin/python3
"""emuctl: talk to the r53emu admin API (/_emu/...) from shell tests.

  emuctl.py URL get PATH            print the JSON answer of GET /_emu/PATH
  emuctl.py URL post PATH [JSON]    POST JSON (default {}) to /_emu/PATH
  emuctl.py URL count API           print the request count of one API
  emuctl.py URL wait SECONDS        wait until /_emu/health answers

Exit status 0 on HTTP 2xx, 1 otherwise (the answer is still printed).
Standard library only.
"""
import json
import sys
import time
import urllib.error
import urllib.request


def call(url, method, path, data=None):
    req = urllib.request.Request(url.rstrip("/") + "/_emu/" + path.lstrip("/"),
                                 data=data, method=method)
    if data is not None:
        req.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.status, r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()
    except OSError as e:
        if path == "health":
            raise
        return 599, "emuctl: %s: %s\n" % (url, e)


def main(argv):
    if len(argv) < 3:
        sys.stderr.write(__doc__)
        return 3
    url, cmd = argv[1], argv[2]
    if cmd == "get":
        st, body = call(url, "GET", argv[3])
    elif cmd == "post":
        data = argv[4] if len(argv) > 4 else "{}"
        st, body = call(url, "POST", argv[3], data.encode())
    elif cmd == "count":
        st, body = call(url, "GET", "counters")
        if st == 200:
            body = "%d\n" % json.loads(body).get(argv[3], 0)
    elif cmd == "wait":
        end = time.monotonic() + float(argv[3])
        while True:
            try:
                st, body = call(url, "GET", "health")
                break
            except OSError:
                if time.monotonic() > end:
                    sys.stderr.write("emuctl: %s not answering\n" % url)
                    return 1
                time.sleep(0.05)
    else:
        sys.stderr.write(__doc__)
        return 3
    sys.stdout.write(body if body.endswith("\n") else body + "\n")
    return 0 if 200 <= st < 300 else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
