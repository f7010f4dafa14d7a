#!/usr/bin/env python3
"""gen-rrsets.py N PERMILLE OUTDIR: write OUTDIR/desired.rrset and
OUTDIR/current.rrset, two sorted r53mirror RRset streams (format/SPEC.md)
of about N RRsets each, PERMILLE/1000 of them different: a third changed
rdata, a third only in DESIRED, a third only in CURRENT.  Deterministic
(fixed seed), so a cached pair can be reused by bench/rrdiff.sh."""
import os
import random
import sys


def rrsets(n, origin, rng):
    """Yield (key, rest) for n RRsets of a plausible zone mix."""
    i = 0
    host = 0
    while i < n:
        owner = "h%07d.%s" % (host, origin)
        host += 1
        kinds = rng.random()
        a = "10.%d.%d.%d" % (host >> 16 & 255, host >> 8 & 255, host & 255)
        yield (owner + "\tA", "300\t" + a)
        i += 1
        if kinds < 0.30 and i < n:
            yield (owner + "\tAAAA", "300\t2001:db8:%x::%x" % (host >> 16, host & 0xffff))
            i += 1
        if kinds < 0.10 and i < n:
            yield (owner + "\tTXT", '3600\t"v=spf1 ip4:%s -all"' % a)
            i += 1
        if 0.10 <= kinds < 0.15 and i < n:
            yield (owner + "\tMX", "3600\t10 mx1.%s\t20 mx2.%s" % (origin, origin))
            i += 1
        if 0.15 <= kinds < 0.25 and i < n:
            yield ("w" + owner + "\tCNAME", "300\t" + owner)
            i += 1


def main():
    n, permille, outdir = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
    origin = "bench.example."
    rng = random.Random(53)
    desired, current = [], []
    for key, rest in rrsets(n, origin, rng):
        r = rng.randrange(3000)
        if r < permille:            # changed rdata
            desired.append(key + "\t" + rest)
            if r % 2:               # TTL only
                current.append(key + "\t" + "7" + rest)
            else:                   # last rdata field
                current.append(key + "\t" + rest + "9")
        elif r < 2 * permille:      # only in DESIRED
            desired.append(key + "\t" + rest)
        elif r < 3 * permille:      # only in CURRENT
            current.append(key + "\t" + rest)
        else:
            desired.append(key + "\t" + rest)
            current.append(key + "\t" + rest)
    os.makedirs(outdir, exist_ok=True)
    for name, lines in (("desired", desired), ("current", current)):
        lines.sort(key=lambda s: s.encode())
        tmp = os.path.join(outdir, name + ".rrset.tmp")
        with open(tmp, "w", newline="\n") as f:
            f.write("#!r53mirror-rrset 1\n#origin %s\n#producer gen-rrsets.py\n" % origin)
            f.write("\n".join(lines))
            f.write("\n#end rrsets=%d\n" % len(lines))
        os.replace(tmp, os.path.join(outdir, name + ".rrset"))


main()
