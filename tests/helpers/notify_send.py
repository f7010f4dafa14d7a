#!/usr/bin/env python3
"""notify_send.py: send NOTIFY messages (RFC 1996), right or forged, to
zxfr --listen and print what came back; the standard library only
(dnspython is not always installed).  Used by tests/27-zxfr-notify.bats.

One line per answer:
  RCODE tsig=ERROR signed=0|1 verified=0|1|- qid=ID match=0|1 aa=0|1
(match: QR set, opcode NOTIFY, the request's ID and question), or
"NOANSWER" when nothing came back within --wait seconds.

  --port P [--addr A] [--source S]   where to send, from which address
  --zone Z [--serial N]              the question (and SOA in the answer)
  --key FILE                         sign with this BIND-format key
  --wrong-secret                     ... but with another secret
  --time-offset S                    ... as if signed S seconds from now
  --tcp                              over TCP (else UDP)
  --repeat N                         send the same octets N times
  --save FILE / --load FILE          keep the octets sent / send these
  --no-send                          with --save: build and keep only
  --garbage N                        send N random octets instead
  --raw HEX                          send these octets instead
  --qr                               set QR (a response, not a request)
  --opcode N, --qtype N              other header values (forgeries)
  --flood N                          send N copies without waiting
"""
import argparse
import base64
import hashlib
import hmac
import os
import re
import socket
import struct
import sys
import time

ALGS = {"hmac-md5": ("hmac-md5.sig-alg.reg.int", hashlib.md5),
        "hmac-sha1": ("hmac-sha1", hashlib.sha1),
        "hmac-sha224": ("hmac-sha224", hashlib.sha224),
        "hmac-sha256": ("hmac-sha256", hashlib.sha256),
        "hmac-sha384": ("hmac-sha384", hashlib.sha384),
        "hmac-sha512": ("hmac-sha512", hashlib.sha512)}
RCODES = {0: "NOERROR", 1: "FORMERR", 2: "SERVFAIL", 3: "NXDOMAIN",
          4: "NOTIMP", 5: "REFUSED", 9: "NOTAUTH", 16: "BADSIG",
          17: "BADKEY", 18: "BADTIME", 22: "BADTRUNC"}


def wire(name):
    out = b""
    for lab in name.rstrip(".").split("."):
        if lab:
            out += bytes([len(lab)]) + lab.lower().encode()
    return out + b"\0"


def read_key(path):
    text = open(path).read()
    name = re.search(r'key\s+"?([^"\s{]+)"?', text).group(1)
    alg = re.search(r'algorithm\s+"?([a-z0-9-]+)', text).group(1)
    secret = re.search(r'secret\s+"([^"]+)"', text).group(1)
    return name, ALGS[alg], base64.b64decode(secret)


def tsig_vars(kname, alg, t, fudge, error, other):
    return (wire(kname) + struct.pack("!HI", 255, 0) + wire(alg) +
            struct.pack("!HIHHH", t >> 32, t & 0xffffffff, fudge, error,
                        len(other)) + other)


def build(a):
    qid = int.from_bytes(os.urandom(2), "big")
    flags = (a.opcode << 11) | 0x0400 | (0x8000 if a.qr else 0)
    q = wire(a.zone) + struct.pack("!HH", a.qtype, 1)
    an = b""
    if a.serial is not None:
        rdata = b"\0\0" + struct.pack("!IIIII", a.serial, 3600, 600,
                                      86400, 300)
        an = b"\xc0\x0c" + struct.pack("!HHIH", 6, 1, 3600, len(rdata)) + rdata
    msg = struct.pack("!HHHHHH", qid, flags, 1, 1 if an else 0, 0, 0) + q + an
    if not a.key:
        return msg, None
    kname, (alg, hfn), secret = read_key(a.key)
    if a.wrong_secret:
        secret = os.urandom(len(secret))
    t = int(time.time()) + a.time_offset
    mac = hmac.new(secret, msg + tsig_vars(kname, alg, t, 300, 0, b""),
                   hfn).digest()
    rdata = (wire(alg) + struct.pack("!HIHH", t >> 32, t & 0xffffffff, 300,
                                     len(mac)) + mac +
             struct.pack("!HHH", qid, 0, 0))
    rr = wire(kname) + struct.pack("!HHIH", 250, 255, 0, len(rdata)) + rdata
    msg = msg[:10] + struct.pack("!H", 1) + msg[12:] + rr
    return msg, mac


def skip_name(m, off):
    while True:
        n = m[off]
        if n == 0:
            return off + 1
        if n >= 0xc0:
            return off + 2
        off += n + 1


def question(m):
    """The octets of the first question of M (b"" if none)."""
    try:
        if struct.unpack("!H", m[4:6])[0] == 0:
            return b""
        return m[12:skip_name(m, 12) + 4]
    except (IndexError, struct.error):
        return b"(malformed)"


def parse_answer(m, key, req_mac, req):
    """The line for the answer M to the request REQ."""
    qid, flags, qd, an, ns, ar = struct.unpack("!HHHHHH", m[:12])
    rcode = RCODES.get(flags & 15, str(flags & 15))
    match = int(m[:2] == req[:2] and flags & 0x8000 != 0 and
                question(req) != b"(malformed)" and
                (flags >> 11) & 15 == 4 and question(m) == question(req))
    tail = " qid=%d match=%d aa=%d" % (qid, match, 1 if flags & 0x0400 else 0)
    off = 12
    for _ in range(qd):
        off = skip_name(m, off) + 4
    for _ in range(an + ns + ar):
        start = off
        off = skip_name(m, off)
        rtype, _, _, rdlen = struct.unpack("!HHIH", m[off:off + 10])
        off += 10 + rdlen
        if rtype != 250:
            continue
        rd = m[off - rdlen:off]
        ao = skip_name(rd, 0)
        th, tl, fudge, maclen = struct.unpack("!HIHH", rd[ao:ao + 10])
        mac = rd[ao + 10:ao + 10 + maclen]
        oid, err, olen = struct.unpack("!HHH", rd[ao + 10 + maclen:
                                                  ao + 16 + maclen])
        other = rd[ao + 16 + maclen:ao + 16 + maclen + olen]
        verified = "-"
        if key and maclen:
            kname, (alg, hfn), secret = read_key(key)
            body = (m[:10] + struct.pack("!H", ar - 1) + m[12:start])
            body = struct.pack("!H", oid) + body[2:]
            data = (struct.pack("!H", len(req_mac)) + req_mac + body +
                    tsig_vars(kname, alg, (th << 32) | tl, fudge, err,
                              other))
            good = hmac.new(secret, data, hfn).digest()
            verified = "1" if hmac.compare_digest(good, mac) else "0"
        return "%s tsig=%s signed=%d verified=%s%s" % (
            rcode, RCODES.get(err, str(err)), 1 if maclen else 0, verified,
            tail)
    return "%s tsig=none signed=0 verified=-%s" % (rcode, tail)


def exchange(a, msg, wait):
    fam = socket.AF_INET6 if ":" in a.addr else socket.AF_INET
    s = socket.socket(fam, socket.SOCK_STREAM if a.tcp else socket.SOCK_DGRAM)
    s.settimeout(wait)
    if a.source:
        s.bind((a.source, 0))
    try:
        if a.tcp:
            s.connect((a.addr, a.port))
            s.sendall(struct.pack("!H", len(msg)) + msg)
            hdr = s.recv(2)
            if len(hdr) < 2:
                return None
            n = struct.unpack("!H", hdr)[0]
            buf = b""
            while len(buf) < n:
                part = s.recv(n - len(buf))
                if not part:
                    return None
                buf += part
            return buf
        s.sendto(msg, (a.addr, a.port))
        return s.recvfrom(65535)[0]
    except (socket.timeout, ConnectionError, OSError):
        return None
    finally:
        s.close()


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--addr", default="127.0.0.1")
    p.add_argument("--source")
    p.add_argument("--zone", default="example.test")
    p.add_argument("--serial", type=int)
    p.add_argument("--key")
    p.add_argument("--wrong-secret", action="store_true")
    p.add_argument("--time-offset", type=int, default=0)
    p.add_argument("--tcp", action="store_true")
    p.add_argument("--repeat", type=int, default=1)
    p.add_argument("--save")
    p.add_argument("--load")
    p.add_argument("--no-send", action="store_true")
    p.add_argument("--garbage", type=int)
    p.add_argument("--raw")
    p.add_argument("--qr", action="store_true")
    p.add_argument("--opcode", type=int, default=4)
    p.add_argument("--qtype", type=int, default=6)
    p.add_argument("--flood", type=int)
    p.add_argument("--wait", type=float, default=3.0)
    a = p.parse_args()
    mac = b""
    if a.load:
        with open(a.load) as f:
            msg, mac = (bytes.fromhex(x) for x in f.read().split("\n")[:2])
    elif a.raw is not None:
        msg = bytes.fromhex(a.raw)
    elif a.garbage is not None:
        msg = os.urandom(a.garbage)
    else:
        msg, mac = build(a)
        mac = mac or b""
    if a.save:
        with open(a.save, "w") as f:
            f.write(msg.hex() + "\n" + mac.hex() + "\n")
        if a.no_send:
            return 0
    if a.flood:
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        for _ in range(a.flood):
            s.sendto(msg, (a.addr, a.port))
        s.close()
        return 0
    for _ in range(a.repeat):
        ans = exchange(a, msg, a.wait)
        print("NOANSWER" if ans is None else parse_answer(ans, a.key, mac, msg))
    return 0


if __name__ == "__main__":
    sys.exit(main())
