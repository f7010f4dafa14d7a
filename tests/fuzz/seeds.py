#!/usr/bin/env python3
"""seeds.py OUTDIR: the seed corpus of every fuzz target, derived from
tests/fixtures (and a few records built here), one folder per target:
OUTDIR/NAME/. Small and rebuilt on every run, so never committed.
Input layouts are described at the top of each tests/fuzz/fuzz_NAME.c."""
import hashlib
import hmac
import os
import struct
import sys

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
FIX = os.path.join(ROOT, "tests", "fixtures")
TYPES = {"A": 1, "NS": 2, "CNAME": 5, "SOA": 6, "WKS": 11, "PTR": 12,
         "HINFO": 13, "MX": 15, "TXT": 16, "RP": 17, "AFSDB": 18,
         "SIG": 24, "KEY": 25, "AAAA": 28, "LOC": 29, "NXT": 30,
         "SRV": 33, "NAPTR": 35, "KX": 36, "CERT": 37, "DNAME": 39,
         "APL": 42, "DS": 43, "SSHFP": 44, "IPSECKEY": 45, "RRSIG": 46,
         "NSEC": 47, "DNSKEY": 48, "DHCID": 49, "NSEC3": 50,
         "NSEC3PARAM": 51, "TLSA": 52, "SMIMEA": 53, "HIP": 55,
         "CDS": 59, "CDNSKEY": 60, "OPENPGPKEY": 61, "CSYNC": 62,
         "ZONEMD": 63, "SVCB": 64, "HTTPS": 65, "SPF": 99, "EUI48": 108,
         "EUI64": 109, "URI": 256, "CAA": 257}


def put(outdir, name, data):
    d = os.path.join(outdir, name)
    os.makedirs(d, exist_ok=True)
    h = hashlib.sha1(data).hexdigest()
    with open(os.path.join(d, h), "wb") as f:
        f.write(data)


def lines(path):
    with open(path, encoding="utf-8", errors="surrogateescape") as f:
        for line in f:
            line = line.rstrip("\n")
            if line and not line.startswith("#"):
                yield line


def files(folder):
    for n in sorted(os.listdir(folder)):
        p = os.path.join(folder, n)
        if os.path.isfile(p):
            with open(p, "rb") as f:
                yield n, f.read()


def stream_seeds(out):
    for sub in ("stream", "rrdiff"):
        for _, data in files(os.path.join(FIX, sub)):
            kind = b"\x01" if data.startswith(b"#!r53mirror-change") else b"\x00"
            put(out, "stream", kind + data)


def type_octets(t):
    return struct.pack(">H", t)


def canon_seeds(out):
    for line in lines(os.path.join(FIX, "canon", "fuzz.hex")):
        f = line.split("\t")
        if len(f) < 2 or f[0] not in TYPES:
            continue
        rd = bytes.fromhex(f[1])
        msg = bytes(12) + struct.pack(">H", len(rd)) + rd
        put(out, "canon_wire", type_octets(TYPES[f[0]]) + b"\x00\x0e" + msg)
    for n in ("r53values.tsv", "torture.r53"):
        for line in lines(os.path.join(FIX, "canon", n)):
            f = line.split("\t")
            if len(f) >= 2 and f[0] in TYPES:
                put(out, "canon_text", type_octets(TYPES[f[0]]) +
                    f[1].encode("utf-8", "surrogateescape"))
    for n in ("rare.canon", "torture.canon", "variants.canon"):
        for line in lines(os.path.join(FIX, "canon", n)):
            f = line.split("\t")
            if len(f) >= 3 and f[1] in TYPES:
                put(out, "canon_text", type_octets(TYPES[f[1]]) +
                    f[2].encode("utf-8", "surrogateescape"))


def r53api_seeds(out):
    ops = {"GetHostedZone": 4, "ListResourceRecordSets": 0,
           "ChangeResourceRecordSets": 2, "GetChange": 3,
           "GetHostedZoneLimit": 5, "ListHostedZonesByName": 6}
    for sub in ("aws", "r53dump"):
        for _, data in files(os.path.join(FIX, sub)):
            if not data.lstrip().startswith(b"<"):
                continue
            op = next((v for k, v in ops.items() if b"<" + k.encode() in data), 0)
            put(out, "r53api", bytes([op]) + data)
    err = (b'<?xml version="1.0"?><ErrorResponse xmlns="https://route53.'
           b'amazonaws.com/doc/2013-04-01/"><Error><Type>Sender</Type>'
           b'<Code>Throttling</Code><Message>Rate exceeded</Message></Error>'
           b'<RequestId>r1</RequestId></ErrorResponse>')
    batch = (b'<?xml version="1.0"?><InvalidChangeBatch xmlns="https://'
             b'route53.amazonaws.com/doc/2013-04-01/"><Messages><Message>'
             b'Tried to create resource record set [name=\'a.example.com.\','
             b' type=\'A\'] but it already exists</Message></Messages>'
             b'<RequestId>r2</RequestId></InvalidChangeBatch>')
    for op in range(7):
        put(out, "r53api", bytes([op | 1 << 3]) + err)
        put(out, "r53api", bytes([op | 1 << 3]) + batch)


def name(text):
    return b"".join(bytes([len(l)]) + l.encode() for l in text.split(".") if l) + b"\0"


def rr(owner, rtype, rdata, ttl=3600):
    return owner + struct.pack(">HHIH", rtype, 1, ttl, len(rdata)) + rdata


ZONE = name("torture.test")
APEX = b"\xc0\x0c"     # pointer to the question's name


def axfr_records():
    soa = (name("ns1.torture.test") + b"\x04host\xc0\x0c" +
           struct.pack(">IIIII", 2026112601, 7200, 900, 1209600, 300))
    return [rr(APEX, 6, soa), rr(APEX, 2, b"\x03ns1" + APEX),
            rr(APEX, 15, b"\x00\x0a\x04mail" + APEX),
            rr(APEX, 16, b"\x0ev=spf1 mx -all"),
            rr(b"\x03ns1" + APEX, 1, bytes([192, 0, 2, 1])),
            rr(b"\x03ns1" + APEX, 28, bytes.fromhex("20010db8" + "00" * 11 + "53")),
            rr(b"\x03www" + APEX, 5, b"\x03ns1" + APEX),
            rr(b"\x03www" + APEX, 99, b"\x01x"),
            rr(APEX, 6, soa)]


def message(rrs, qd=True, ident=0, ar=b"", arcount=0):
    q = ZONE + struct.pack(">HH", 252, 1) if qd else b""
    hdr = struct.pack(">HHHHHH", ident, 0x8400, 1 if qd else 0, len(rrs), 0,
                      arcount)
    return hdr + q + b"".join(rrs) + ar


def tcp(*msgs):
    return b"".join(struct.pack(">H", len(m)) + m for m in msgs)


def xfr_seeds(out):
    recs = axfr_records()
    put(out, "xfr", b"\x00" + tcp(message(recs)))
    put(out, "xfr", b"\x00" + tcp(message(recs[:4]), message(recs[4:], qd=False)))
    put(out, "xfr", b"\x01" + tcp(message(recs)))
    put(out, "xfr", b"\x00" + tcp(struct.pack(">HHHHHH", 0, 0x8405, 1, 0, 0, 0)
                                   + ZONE + struct.pack(">HH", 252, 1)))


TSIG_KEY = b"secret-secret-secret-secret-0123"   # fuzz_tsig.c's key
TSIG_NAME = name("fuzzkey")
TSIG_ALG = name("hmac-sha256")
TSIG_TIME = 1764547200


def tsig_vars(t, error=0):
    return (TSIG_NAME + struct.pack(">HI", 255, 0) + TSIG_ALG +
            struct.pack(">HIH", t >> 32, t & 0xffffffff, 300) +
            struct.pack(">HH", error, 0))


def tsig_rr(mac, ident, t):
    rd = (TSIG_ALG + struct.pack(">HIH", t >> 32, t & 0xffffffff, 300) +
          struct.pack(">H", len(mac)) + mac + struct.pack(">HHH", ident, 0, 0))
    return TSIG_NAME + struct.pack(">HHIH", 250, 255, 0, len(rd)) + rd


def tsig_seeds(out):
    """Responses signed as RFC 8945 says, to fuzz_tsig.c's query: the
    fuzzer starts from messages that verify and mutates from there."""
    for _, data in files(os.path.join(FIX, "zones", "keys")):
        put(out, "tsig", b"k" + data)
    q = (struct.pack(">HHHHHH", 0x1234, 0, 1, 0, 0, 0) + name("example") +
         struct.pack(">HH", 252, 1))
    qmac = hmac.new(TSIG_KEY, q + tsig_vars(TSIG_TIME), "sha256").digest()
    zone = name("example")
    soa = rr(b"\xc0\x0c", 6, b"\x00\x00" + bytes(20))
    body = (struct.pack(">HHHHHH", 0x1234, 0x8400, 1, 1, 0, 0) + zone +
            struct.pack(">HH", 252, 1) + soa)
    mac = hmac.new(TSIG_KEY, struct.pack(">H", len(qmac)) + qmac + body +
                   tsig_vars(TSIG_TIME), "sha256").digest()
    signed = (body[:10] + struct.pack(">H", 1) + body[12:] +
              tsig_rr(mac, 0x1234, TSIG_TIME))
    put(out, "tsig", b"\x01" + tcp(signed))
    put(out, "tsig", b"\x01" + tcp(signed, body))


def main():
    out = sys.argv[1]
    stream_seeds(out)
    canon_seeds(out)
    r53api_seeds(out)
    xfr_seeds(out)
    tsig_seeds(out)


if __name__ == "__main__":
    main()
