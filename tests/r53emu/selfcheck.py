"""selfcheck: random batches against the emulator's handlers; after each,
the incremental listing/name index must equal a full rebuild and no name
may hold a CNAME next to other types.  Usage: selfcheck.py SEED [DIR]"""
import sys, random
sys.path.insert(0, sys.argv[2] if len(sys.argv) > 2 else "tests/r53emu")
import r53emu
args = r53emu.argparse.Namespace(quota=10**6, pending_seconds=0, state=None, throttle_rate=0, prior_request_rate=0, error5xx_rate=0, drop_rate=0, latency_ms=0, account_rate_limit=0, drop_after_change=0, seed=None, quiet=True, access_key="a", secret_key="b", session_token=None)
emu = r53emu.Emulator(args)
z = emu.create_zone("example.com", "r")
rnd = random.Random(int(sys.argv[1]) if len(sys.argv) > 1 else 1)
def body(changes):
    x = "".join("<Change><Action>%s</Action><ResourceRecordSet><Name>%s</Name><Type>%s</Type><TTL>60</TTL><ResourceRecords><ResourceRecord><Value>%s</Value></ResourceRecord></ResourceRecords></ResourceRecordSet></Change>" % c for c in changes)
    return ('<ChangeResourceRecordSetsRequest xmlns="%s"><ChangeBatch><Changes>%s</Changes></ChangeBatch></ChangeResourceRecordSetsRequest>' % (r53emu.NS, x)).encode()
ok = bad = 0
for it in range(400):
    ch = []
    for _ in range(rnd.choice([1, 1, 1, 2, 4])):
        n = "%s.example.com" % rnd.choice(["a", "b", "c", "d", "*", "a.b", "x-y"])
        t = rnd.choice(["A", "TXT", "CNAME"])
        v = {"A": "192.0.2.%d" % rnd.randint(1, 3), "TXT": '"%d"' % rnd.randint(1, 3), "CNAME": "t%d.example.net." % rnd.randint(1, 3)}[t]
        act = rnd.choice(["CREATE", "UPSERT", "DELETE"])
        cur = z["rrsets"].get("\x00".join((r53emu.canon_name(n), t, "")))
        if act == "DELETE" and cur and rnd.random() < 0.8:
            v = cur["ResourceRecords"][0]
        ch.append((act, n, t, v))
    try:
        r53emu.api_change_rrsets(emu, (z["id"],), {}, body(ch), {})
        ok += 1
    except r53emu.ApiError:
        bad += 1
    idx = emu.zindex(z)
    full = sorted(z["rrsets"].values(), key=r53emu.rr_sort_key)
    assert idx["rrs"] == full, it
    assert idx["keys"] == [r53emu.rr_sort_key(r) for r in full]
    bn = {}
    for k, rr in z["rrsets"].items():
        bn.setdefault(rr["Name"], {})[k] = rr
    assert idx["by_name"] == bn, it
    # CNAME exclusivity invariant
    for name, d in bn.items():
        types = [r["Type"] for r in d.values()]
        assert "CNAME" not in types or set(types) == {"CNAME"}, (name, types)
print("ok", ok, "failed batches", bad, "rrsets", len(z["rrsets"]))
