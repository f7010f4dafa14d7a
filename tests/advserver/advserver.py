#!/usr/bin/python3
"""advserver.py: a small adversarial AXFR server for zxfr's tests.

Listens on 127.0.0.1 (TCP, and UDP for SOA probes) on a free port,
writes the port to --portfile, answers ONE transfer (or --conns of them)
in the way --mode says, and exits; it never runs longer than --lifetime
seconds.  TSIG (RFC 8945) is done here by hand with hmac, so that every
misbehaviour can be produced: unsigned messages, broken MAC chains,
replayed sessions, wrong times.  dnspython (Debian python3-dnspython)
parses the request and encodes RDATA only.

Modes (the transfer of adv.test., --per-msg records per message):
  ok                 every message signed (the control case)
  unsigned-middle    messages 2-4 (and 6-8) unsigned, covered by the next MAC
  unsigned-99        99 unsigned messages in a row, then a signed one (ok)
  unsigned-100       100 unsigned messages in a row
  first-unsigned     the first message unsigned
  last-unsigned      the last message unsigned
  bad-mac            one bit of the MAC of message 2 flipped
  bad-mac-first      one bit of the MAC of message 1 flipped
  replay             a session signed for another request (other request
                     MAC), message IDs patched to ours
  replay-middle      message 3 taken from another session
  badtime            correctly signed, but signed 1000 s in the past
  wrong-keyname      signed with the right secret under another key name
  wrong-alg          the TSIG claims another algorithm
  tsig-badkey        NOTAUTH with TSIG error BADKEY (what a server says)
  tsig-badsig        NOTAUTH with TSIG error BADSIG
  close-mid          closes after half of the messages
  close-after-soa    sends a first message holding only the SOA, closes
  close-in-message   sends half of a message, closes
  close-at-once      accepts and closes without a word
  hang               sends the first message, then nothing (until killed
                     or --lifetime)
  hang-at-once       sends nothing at all
  drip               every message, signed, but one each 0.4 s
  garbage            sends a length prefix and random octets
  garbage-name       a message whose owner name is a compression loop
  serial-mismatch    ends with an SOA of another serial
  no-soa-first       the first record is not the SOA
  after-soa          records after the closing SOA in the last message
  wrong-id           the second message has another ID
  refused            REFUSED
  notauth            NOTAUTH (signed when a key is given)
  servfail           SERVFAIL
  ttl-mixed          ok, but one RRset arrives with TTLs 300 and 60
  raw-owner          ok, with an owner holding raw UTF-8 octets
  big-ttl            ok, with one TTL above 2^31-1
  out-of-zone        a record outside the zone
  class-ch           a record of class CH
  a-junk             an A record with RDLENGTH 5 (one octet of junk)
  mx-junk            an MX record with 3 octets of junk after its name
  ns-spill           an NS record with RDLENGTH 1 whose name would run on
                     into the next record
  soa-soa            SOA then SOA: no NS, nothing else
  no-apex-ns         a zone of records without an NS RRset at the apex
  qd0-first          no question section in any message, the first too
  stream-empty       the first message, then an endless fast stream of
                     empty messages, never a closing SOA (until
                     --lifetime)
  stream-records     the same with messages of 1000 A records each
IXFR (RFC 1995; zxfr --ixfr-from).  Version k (0, 1, 2) of adv.test. is
the zone above with serial --serial - 2 + k and one more A record (old,
mid, new); an AXFR query gets version 2 (version 0 in ixfr-v0), so the
fallback of zxfr works with --conns 2.  Answers to an IXFR query from
version 0, each message signed (if keyed); one sequence per message:
  ixfr-v0            (AXFR) version 0: the base for the other modes
  ixfr-ok            two sequences, 0 -> 1 -> 2 (the control case)
  ixfr-uptodate      a single SOA of version 0
  ixfr-full          the whole of version 2 (an AXFR-style answer)
  ixfr-refused       REFUSED, unsigned
  ixfr-notimp        NOTIMP, unsigned
  ixfr-bad-apply     the second sequence deletes a record no version has
  ixfr-add-existing  the second sequence adds a record version 1 holds
  ixfr-chain         the second sequence starts at another serial
  ixfr-no-ns         the second sequence deletes the apex NS RRset
  ixfr-short         the differences end at version 1, then the SOA
                     of version 2 as if it were the last
  ixfr-truncated     closes after the first sequence
  ixfr-bad-mac-middle  one bit of the MAC of message 2 flipped
SOA probes (--serial), over UDP (TCP for probe-tc after truncation):
  probe              a signed (if keyed) SOA answer
  probe-bad-mac      its MAC flipped
  probe-unsigned     no TSIG although the query was signed
  probe-tc           UDP answer truncated (TC); the TCP answer is good
  probe-qd0          a signed SOA answer without the question section
Without --key the same modes run unsigned (for no-key tests).
"""
import argparse
import base64
import hashlib
import hmac
import os
import random
import re
import select
import signal
import socket
import struct
import sys
import time

import dns.message
import dns.name
import dns.rdata
import dns.rdataclass
import dns.rdatatype
import dns.tsigkeyring

ALGS = {
    "hmac-md5": ("hmac-md5.sig-alg.reg.int.", hashlib.md5),
    "hmac-md5.sig-alg.reg.int": ("hmac-md5.sig-alg.reg.int.", hashlib.md5),
    "hmac-sha1": ("hmac-sha1.", hashlib.sha1),
    "hmac-sha224": ("hmac-sha224.", hashlib.sha224),
    "hmac-sha256": ("hmac-sha256.", hashlib.sha256),
    "hmac-sha384": ("hmac-sha384.", hashlib.sha384),
    "hmac-sha512": ("hmac-sha512.", hashlib.sha512),
}


def wname(text):
    return dns.name.from_text(text).canonicalize().to_wire()


class Key:
    def __init__(self, path):
        text = open(path).read()
        self.name = re.search(r'key\s+"?([^"\s{]+)"?', text).group(1)
        alg = re.search(r'algorithm\s+"?([A-Za-z0-9.-]+)', text).group(1)
        self.secret = base64.b64decode(
            re.search(r'secret\s+"([^"]+)"', text).group(1))
        self.alg_name, self.digest = ALGS[alg.lower().rstrip(".")]
        self.name_wire = wname(self.name)
        self.alg_wire = wname(self.alg_name)


def rr_wire(owner, rtype, ttl, text, origin, rclass=1):
    rd = dns.rdata.from_text(rclass if rclass == 1 else 1, rtype, text,
                             origin=dns.name.from_text(origin),
                             relativize=False)
    rdw = rd.to_wire()
    if isinstance(owner, bytes):
        ow = owner
    else:
        ow = dns.name.from_text(owner, dns.name.from_text(origin)).to_wire()
    return ow + struct.pack("!HHIH", rtype, rclass, ttl, len(rdw)) + rdw


def zone_records(origin, serial, count, mode):
    soa = rr_wire("@", dns.rdatatype.SOA, 3600,
                  "ns1 hostmaster %d 7200 900 1209600 300" % serial, origin)
    recs = [rr_wire("@", dns.rdatatype.NS, 3600, "ns1", origin),
            rr_wire("ns1", dns.rdatatype.A, 3600, "192.0.2.1", origin)]
    for i in range(count):
        recs.append(rr_wire("host%d" % i, dns.rdatatype.A, 300,
                            "198.51.%d.%d" % (i // 250, i % 250 + 1), origin))
    if mode == "ttl-mixed":
        recs.append(rr_wire("mixed", dns.rdatatype.A, 300, "192.0.2.7",
                            origin))
        recs.append(rr_wire("mixed", dns.rdatatype.A, 60, "192.0.2.8",
                            origin))
    if mode == "raw-owner":
        ow = b"\x05caf\xc3\xa9" + wname(origin)
        recs.append(rr_wire(ow, dns.rdatatype.A, 300, "192.0.2.9", origin))
    if mode == "big-ttl":
        recs.append(rr_wire("big", dns.rdatatype.A, 0x80000001, "192.0.2.10",
                            origin))
    if mode == "out-of-zone":
        recs.append(rr_wire("www.elsewhere.example.", dns.rdatatype.A, 300,
                            "192.0.2.11", origin))
    if mode == "class-ch":
        recs.append(rr_wire("chaos", dns.rdatatype.A, 300, "192.0.2.12",
                            origin, rclass=3))
    ow = dns.name.from_text("x", dns.name.from_text(origin)).to_wire()
    if mode == "a-junk":
        recs.append(ow + struct.pack("!HHIH", 1, 1, 300, 5) +
                    b"\xc0\x00\x02\x63\xff")
    if mode == "mx-junk":
        rd = struct.pack("!H", 10) + wname("mail." + origin) + b"JNK"
        recs.append(ow + struct.pack("!HHIH", 15, 1, 300, len(rd)) + rd)
    if mode == "ns-spill":
        # a parser ignoring RDLENGTH reads the next RR as the name's rest
        recs.append(ow + struct.pack("!HHIH", 2, 1, 300, 1) + b"\x01")
        recs.append(rr_wire("y", dns.rdatatype.A, 300, "192.0.2.55", origin))
    if mode == "soa-soa":
        recs = []
    if mode == "no-apex-ns":
        recs = recs[1:]
    return soa, recs


def message(qid, origin, rrs, rcode=0, question=True, qtype=252):
    flags = 0x8000 | 0x0400 | rcode      # QR AA
    q = b""
    if question:
        q = wname(origin) + struct.pack("!HH", qtype, 1)
    return (struct.pack("!HHHHHH", qid, flags, 1 if question else 0,
                        len(rrs), 0, 0) + q + b"".join(rrs))


def tsig_rr(key, mac, when, orig_id, error=0, alg_wire=None, name_wire=None,
            fudge=300):
    rd = ((alg_wire or key.alg_wire) + struct.pack("!Q", when)[2:] +
          struct.pack("!HH", fudge, len(mac)) + mac +
          struct.pack("!HHH", orig_id, error, 0))
    return ((name_wire or key.name_wire) +
            struct.pack("!HHIH", 250, 255, 0, len(rd)) + rd)


class Signer:
    """The server side of RFC 8945 5.3.1 for one transfer."""

    def __init__(self, key, request_mac):
        self.key = key
        self.prev = request_mac
        self.first = True
        self.pending = b""          # unsigned messages since the last MAC

    def unsigned(self, msg):
        self.pending += msg
        return msg

    def sign(self, msg, when=None, error=0, flip=False, name_wire=None,
             alg_wire=None):
        key = self.key
        when = int(time.time()) if when is None else when
        qid = struct.unpack("!H", msg[:2])[0]
        h = hmac.new(key.secret, digestmod=key.digest)
        h.update(struct.pack("!H", len(self.prev)) + self.prev)
        h.update(self.pending)
        h.update(msg)
        t = struct.pack("!Q", when)[2:] + struct.pack("!H", 300)
        if self.first:
            h.update(key.name_wire + struct.pack("!HI", 255, 0) +
                     key.alg_wire + t + struct.pack("!HH", error, 0))
        else:
            h.update(t)
        mac = h.digest()
        self.prev = mac
        self.first = False
        self.pending = b""
        if flip:
            mac = bytes([mac[0] ^ 1]) + mac[1:]
        ar = struct.unpack("!H", msg[10:12])[0] + 1
        return (msg[:10] + struct.pack("!H", ar) + msg[12:] +
                tsig_rr(key, mac, when, qid, error, alg_wire, name_wire))


def frame(msg):
    return struct.pack("!H", len(msg)) + msg


def read_query(conn, deadline):
    buf = b""
    while True:
        if len(buf) >= 2:
            n = struct.unpack("!H", buf[:2])[0]
            if len(buf) >= 2 + n:
                return buf[2:2 + n]
        left = deadline - time.time()
        if left <= 0:
            return None
        r, _, _ = select.select([conn], [], [], left)
        if not r:
            return None
        chunk = conn.recv(65536)
        if not chunk:
            return None
        buf += chunk


def parse_query(wire, key):
    """The query, its ID, and the request MAC (verified if signed)."""
    if key is not None:
        ring = dns.tsigkeyring.from_text(
            {key.name: (key.alg_name, base64.b64encode(key.secret).decode())})
        q = dns.message.from_wire(wire, keyring=ring)
        return q, q.id, q.mac or b""
    # no key: ignore a TSIG the client may have added (ARCOUNT 0, the
    # TSIG record then counts as trailing junk)
    wire = wire[:10] + b"\0\0" + wire[12:]
    q = dns.message.from_wire(wire, ignore_trailing=True)
    return q, q.id, b""


def transfer(args, key, qid, reqmac):
    """The list of wire messages (unframed) the mode wants sent."""
    mode = args.mode
    origin = args.zone
    count = args.records
    per = args.per_msg
    if mode in ("unsigned-99", "unsigned-100"):
        per = 1
        count = max(count, 110)
    soa, recs = zone_records(origin, args.serial, count, mode)
    end_serial = args.serial + 1 if mode == "serial-mismatch" else args.serial
    end_soa = zone_records(origin, end_serial, 0, "")[0]
    body = [soa] + recs
    if mode == "no-soa-first":
        body = recs[:1] + [soa] + recs[1:]
    chunks = [body[i:i + per] for i in range(0, len(body), per)]
    if mode == "after-soa":
        chunks.append([end_soa, recs[0]])
    else:
        chunks.append([end_soa])
    n = len(chunks)
    msgs = [message(qid, origin, c, question=(i == 0 and
                                              mode != "qd0-first"))
            for i, c in enumerate(chunks)]

    if mode in ("refused", "notauth", "servfail"):
        rc = {"refused": 5, "notauth": 9, "servfail": 2}[mode]
        m = message(qid, origin, [], rcode=rc)
        if key is not None and mode == "notauth":
            m = Signer(key, reqmac).sign(m)
        return [m]
    if mode in ("tsig-badkey", "tsig-badsig"):
        m = message(qid, origin, [], rcode=9)
        err = 17 if mode == "tsig-badkey" else 16
        ar = 1
        m = (m[:10] + struct.pack("!H", ar) + m[12:] +
             tsig_rr(key, b"", int(time.time()), qid, err))
        return [m]

    if key is None:
        out = msgs
    else:
        sg = Signer(key, reqmac)
        unsigned = set()
        if mode == "unsigned-middle":
            unsigned = {1, 2, 3, 5, 6, 7}
        elif mode == "unsigned-99":
            unsigned = set(range(1, 100))
        elif mode == "unsigned-100":
            unsigned = set(range(1, 101))
        elif mode == "first-unsigned":
            unsigned = {0}
        elif mode == "last-unsigned":
            unsigned = {n - 1}
        if mode in ("replay", "replay-middle"):
            other = Signer(key, os.urandom(len(reqmac)))
            stolen = [other.sign(m) for m in msgs]
        out = []
        for i, m in enumerate(msgs):
            if i in unsigned and i < n - 1 or (i in unsigned and
                                               mode == "last-unsigned"):
                out.append(sg.unsigned(m))
            elif mode == "replay" or (mode == "replay-middle" and i == 2):
                out.append(stolen[i])
                sg.sign(m)          # keep our chain going (irrelevant)
            elif mode == "bad-mac" and i == 1 or \
                    mode == "bad-mac-first" and i == 0:
                out.append(sg.sign(m, flip=True))
            elif mode == "badtime":
                out.append(sg.sign(m, when=int(time.time()) - 1000))
            elif mode == "wrong-keyname":
                out.append(sg.sign(m, name_wire=wname("otherkey")))
            elif mode == "wrong-alg":
                alt = "hmac-sha1." if key.alg_name != "hmac-sha1." \
                    else "hmac-sha256."
                out.append(sg.sign(m, alg_wire=wname(alt)))
            else:
                out.append(sg.sign(m))
    if mode == "wrong-id" and len(out) > 1:
        m = out[1]
        out[1] = struct.pack("!H", (qid + 1) & 0xffff) + m[2:]
    return out


def version(args, k):
    """Version K of the IXFR modes: its SOA and its other records."""
    soa, recs = zone_records(args.zone, args.serial - 2 + k, args.records,
                             "")
    extra = rr_wire(("old", "mid", "new")[k], dns.rdatatype.A, 300,
                    "192.0.2.%d" % (200 + k), args.zone)
    return soa, recs + [extra]


def ixfr_chunks(args):
    """The answer records of an IXFR mode, one list per message."""
    mode = args.mode
    v = [version(args, k) for k in range(3)]
    s = [x[0] for x in v]
    x = [x[1][-1] for x in v]
    if mode == "ixfr-uptodate":
        return [[s[0]]]
    if mode == "ixfr-full":
        body = [s[2]] + v[2][1]
        per = args.per_msg
        return [body[i:i + per] for i in range(0, len(body), per)] + [[s[2]]]
    seq1 = [s[0], x[0], s[1], x[1]]
    seq2 = [s[1], x[1], s[2], x[2]]
    if mode == "ixfr-bad-apply":
        ghost = rr_wire("ghost", dns.rdatatype.A, 300, "192.0.2.99",
                        args.zone)
        seq2 = [s[1], ghost, s[2], x[2]]
    elif mode == "ixfr-add-existing":
        seq2 = [s[1], x[1], s[2], x[2], v[1][1][0]]
    elif mode == "ixfr-chain":
        other = zone_records(args.zone, args.serial + 5, 0, "")[0]
        seq2 = [other, x[1], s[2], x[2]]
    elif mode == "ixfr-no-ns":
        seq2 = [s[1], x[1], v[1][1][0], s[2], x[2]]
    elif mode == "ixfr-short":
        return [[s[2]], seq1, [s[2]]]
    return [[s[2]], seq1, seq2, [s[2]]]


def ixfr_messages(args, key, qid, reqmac, is_ixfr):
    """Signed (if keyed) messages of an IXFR mode; AXFR queries get the
    whole of version 2 (version 0 in ixfr-v0)."""
    mode = args.mode
    if not is_ixfr or mode == "ixfr-v0":
        soa, recs = version(args, 0 if mode == "ixfr-v0" else 2)
        body = [soa] + recs
        per = args.per_msg
        chunks = [body[i:i + per] for i in range(0, len(body), per)]
        chunks.append([soa])
        qtype = 252
    elif mode in ("ixfr-refused", "ixfr-notimp"):
        return [message(qid, args.zone, [], rcode=5 if mode ==
                        "ixfr-refused" else 4, qtype=251)]
    else:
        chunks = ixfr_chunks(args)
        qtype = 251
    msgs = [message(qid, args.zone, c, question=(i == 0), qtype=qtype)
            for i, c in enumerate(chunks)]
    if key is None:
        return msgs
    sg = Signer(key, reqmac)
    return [sg.sign(m, flip=(mode == "ixfr-bad-mac-middle" and is_ixfr and
                             i == 2)) for i, m in enumerate(msgs)]


def serve_ixfr(args, key, conn, q, qid, reqmac):
    is_ixfr = q.question[0].rdtype == dns.rdatatype.IXFR
    msgs = ixfr_messages(args, key, qid, reqmac, is_ixfr)
    if args.mode == "ixfr-truncated" and is_ixfr:
        msgs = msgs[:2]
    for m in msgs:
        conn.sendall(frame(m))
    time.sleep(0.2)


def garbage_name_msg(qid, origin):
    # an answer RR whose owner is a pointer to itself
    m = message(qid, origin, [], question=True)
    off = len(m)
    rr = struct.pack("!H", 0xc000 | off) + struct.pack("!HHIH", 1, 1, 300, 4) \
        + b"\xc0\x00\x02\x01"
    return m[:6] + struct.pack("!H", 1) + m[8:] + rr


def stream(args, conn, qid, deadline):
    """stream-empty, stream-records: a first message, then messages
    without end, as fast as the socket takes them, until DEADLINE.
    Unsigned: run without --key.  The frames are built once and sent
    again and again (the owners of stream-records repeat after 100)."""
    origin = args.zone
    soa, recs = zone_records(origin, args.serial, 0, "")
    conn.sendall(frame(message(qid, origin, [soa] + recs)))
    if args.mode == "stream-empty":
        block = frame(message(qid, origin, [], question=False)) * 5000
        blocks = [block]
    else:
        a = [rr_wire("h%d" % i, dns.rdatatype.A, 300, "192.0.2.1", origin)
             for i in range(1000)]
        blocks = []
        for k in range(5):
            msgs = []
            for j in range(20):
                lab = b"m%05d" % (k * 20 + j)
                rrs = [bytes([len(lab)]) + lab + r for r in a]
                msgs.append(frame(message(qid, origin, rrs, question=False)))
            blocks.append(b"".join(msgs))
    k = 0
    while time.time() < deadline:
        conn.sendall(blocks[k % len(blocks)])
        k += 1


def serve_tcp(args, key, conn, deadline):
    wire = read_query(conn, deadline)
    if wire is None:
        return
    try:
        q, qid, reqmac = parse_query(wire, key)
    except Exception as e:          # a bad query: tell the test log
        print("advserver: bad query: %s" % e, file=sys.stderr)
        return
    mode = args.mode
    if mode.startswith("probe"):
        m = soa_answer(args, key, wire, True)
        if m is not None:
            conn.sendall(frame(m))
        time.sleep(0.2)
        return
    if mode.startswith("ixfr-"):
        serve_ixfr(args, key, conn, q, qid, reqmac)
        return
    if mode == "close-at-once":
        return
    if mode.startswith("stream-"):
        stream(args, conn, qid, deadline)
        return
    if mode == "hang-at-once":
        time.sleep(max(0, deadline - time.time()))
        return
    if mode == "garbage":
        conn.sendall(struct.pack("!H", 200) + os.urandom(200))
        time.sleep(0.5)
        return
    if mode == "garbage-name":
        conn.sendall(frame(garbage_name_msg(qid, args.zone)))
        time.sleep(0.5)
        return
    msgs = transfer(args, key, qid, reqmac)
    if mode == "close-after-soa":
        soa = zone_records(args.zone, args.serial, 0, "")[0]
        m = message(qid, args.zone, [soa])
        if key is not None:
            m = Signer(key, reqmac).sign(m)
        conn.sendall(frame(m))
        time.sleep(0.3)
        return
    if mode == "close-mid":
        msgs = msgs[:len(msgs) // 2]
    if mode == "close-in-message":
        msgs = msgs[:2]
        last = frame(msgs[-1])
        conn.sendall(b"".join(frame(m) for m in msgs[:-1]))
        conn.sendall(last[:len(last) // 2])
        time.sleep(0.3)
        return
    if mode == "hang":
        conn.sendall(frame(msgs[0]))
        time.sleep(max(0, deadline - time.time()))
        return
    for m in msgs:
        conn.sendall(frame(m))
        if mode == "drip":
            time.sleep(0.4)
    time.sleep(0.2)


def serve_udp(args, key, sock):
    """SOA probes over UDP."""
    wire, peer = sock.recvfrom(65535)
    m = soa_answer(args, key, wire, False)
    if m is not None:
        sock.sendto(m, peer)


def soa_answer(args, key, wire, tcp):
    """The answer to an SOA query (signed if keyed), as the mode says."""
    try:
        q, qid, reqmac = parse_query(wire, key)
    except Exception as e:
        print("advserver: bad SOA query: %s" % e, file=sys.stderr)
        return None
    soa = zone_records(args.zone, args.serial, 0, "")[0]
    m = message(qid, args.zone, [soa], question=False)
    qd = wname(args.zone) + struct.pack("!HH", 6, 1)
    m = m[:4] + struct.pack("!H", 1) + m[6:12] + qd + m[12:]
    if args.mode == "probe-qd0":    # the answer without its question
        m = message(qid, args.zone, [soa], question=False)
    if args.mode == "probe-tc" and not tcp:
        m = message(qid, args.zone, [], question=False)
        m = m[:2] + struct.pack("!H", 0x8000 | 0x0400 | 0x0200) + \
            struct.pack("!H", 1) + m[6:12] + qd
    elif key is not None and args.mode != "probe-unsigned":
        m = Signer(key, reqmac).sign(m, flip=args.mode == "probe-bad-mac")
    return m


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--mode", default="ok")
    ap.add_argument("--key")
    ap.add_argument("--zone", default="adv.test.")
    ap.add_argument("--serial", type=int, default=2026112601)
    ap.add_argument("--records", type=int, default=40)
    ap.add_argument("--per-msg", type=int, default=3)
    ap.add_argument("--portfile", required=True)
    ap.add_argument("--conns", type=int, default=1)
    ap.add_argument("--lifetime", type=float, default=30)
    args = ap.parse_args()
    signal.alarm(int(args.lifetime) + 5)      # a hard bound, whatever happens
    deadline = time.time() + args.lifetime
    key = Key(args.key) if args.key else None

    tcp = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    tcp.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    for _ in range(50):
        port = random.randint(20000, 59999)
        try:
            tcp.bind(("127.0.0.1", port))
            udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            udp.bind(("127.0.0.1", port))
            break
        except OSError:
            tcp.close()
            tcp = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            tcp.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    else:
        sys.exit("advserver: no free port")
    tcp.listen(4)
    tmp = args.portfile + ".tmp"
    with open(tmp, "w") as f:
        f.write("%d\n" % port)
    os.rename(tmp, args.portfile)

    served = 0
    while served < args.conns and time.time() < deadline:
        r, _, _ = select.select([tcp, udp], [], [],
                                max(0, deadline - time.time()))
        if tcp in r:
            conn, _ = tcp.accept()
            try:
                serve_tcp(args, key, conn, deadline)
            except (BrokenPipeError, ConnectionResetError):
                pass
            finally:
                conn.close()
            served += 1
        if udp in r:
            serve_udp(args, key, udp)
            if args.mode.startswith("probe"):
                served += 1


if __name__ == "__main__":
    main()
