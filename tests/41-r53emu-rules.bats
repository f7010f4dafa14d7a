#!/usr/bin/env bats
# The Route 53 emulator's rules, checked with botocore (/usr/bin/python3)
# and hand-made signed requests (tests/r53emu/rawreq.py): batch semantics,
# limits, listing order and start points, octal escapes, value syntax,
# XSD element order, quota, SigV4 failures, faults and counters.

load test_helper

setup() {
	/usr/bin/python3 -c 'import botocore' 2>/dev/null ||
		skip "no python3-botocore"
	emu_start
	Z=$(emu_create_zone example.com)
	export Z
}

teardown() {
	emu_stop
}

# py: run a Python script from stdin with tests/r53emu on the path.
py() {
	PYTHONPATH="$TOP_DIR/tests/r53emu" /usr/bin/python3 - "$@"
}

raw() {
	/usr/bin/python3 "$TOP_DIR/tests/r53emu/rawreq.py" "$@"
}

@test "batch: in order against a working copy, atomic, DELETE is compare-and-swap" {
	run py <<'EOF'
import os
from boto import r53, err, change, listing
c = r53(); z = os.environ["Z"]
change(c, z, ("CREATE", "a.example.com", "A", 300, ["192.0.2.1", "192.0.2.2"]))
# DELETE then CREATE of one name/type in one batch works.
change(c, z, ("DELETE", "a.example.com", "A", 300, ["192.0.2.2", "192.0.2.1"]),
       ("CREATE", "a.example.com", "A", 60, ["192.0.2.3"]))
r = c.list_resource_record_sets(HostedZoneId=z, StartRecordName="a.example.com",
                                MaxItems="1")["ResourceRecordSets"][0]
assert r["TTL"] == 60 and r["ResourceRecords"] == [{"Value": "192.0.2.3"}], r
# Deleting the same set twice in one batch fails.
e = err(lambda: change(c, z, ("DELETE", "a.example.com", "A", 60, ["192.0.2.3"]),
                       ("DELETE", "a.example.com", "A", 60, ["192.0.2.3"])))
assert e == ("InvalidChangeBatch", "[The request contains an invalid set of changes for a resource record set 'A a.example.com.']"), e
# Atomic: a good change followed by a bad one applies nothing.
before = listing(c, z)
e = err(lambda: change(c, z, ("CREATE", "new.example.com", "A", 60, ["192.0.2.9"]),
                       ("CREATE", "a.example.com", "A", 60, ["192.0.2.3"])))
assert e[0] == "InvalidChangeBatch" and "already exists" in e[1], e
assert listing(c, z) == before
# Every problem of a batch is reported.
e = err(lambda: change(c, z, ("DELETE", "x.example.com", "A", 60, ["192.0.2.3"]),
                       ("CREATE", "a.example.com", "A", 60, ["192.0.2.3"])))
assert e[1] == "[Tried to delete resource record set [name='x.example.com.', type='A'] but it was not found, Tried to create resource record set [name='a.example.com.', type='A'] but it already exists]", e
# Values keep their case; DELETE must repeat them exactly (any order).
change(c, z, ("CREATE", "c.example.com", "CNAME", 300, ["Target.Example.NET."]))
e = err(lambda: change(c, z, ("DELETE", "c.example.com", "CNAME", 300, ["target.example.net."])))
assert "values provided do not match" in e[1], e
e = err(lambda: change(c, z, ("DELETE", "c.example.com", "CNAME", 301, ["Target.Example.NET."])))
assert "values provided do not match" in e[1], e
change(c, z, ("DELETE", "C.EXAMPLE.COM.", "CNAME", 300, ["Target.Example.NET."]))
# UPSERT creates, then replaces.
change(c, z, ("UPSERT", "u.example.com", "TXT", 10, ['"one"']))
change(c, z, ("UPSERT", "u.example.com", "TXT", 20, ['"two"', '"Three"']))
r = c.list_resource_record_sets(HostedZoneId=z, StartRecordName="u.example.com",
                                StartRecordType="TXT", MaxItems="1")["ResourceRecordSets"][0]
assert r["TTL"] == 20 and [v["Value"] for v in r["ResourceRecords"]] == ['"two"', '"Three"'], r
print("OK")
EOF
	assert_success
	assert_output OK
}

@test "batch: apex SOA/NS, CNAME rules, names outside the zone, wildcard NS" {
	run py <<'EOF'
import os
from boto import r53, err, change
c = r53(); z = os.environ["Z"]
rr = c.list_resource_record_sets(HostedZoneId=z)["ResourceRecordSets"]
ns = [x for x in rr if x["Type"] == "NS"][0]
soa = [x for x in rr if x["Type"] == "SOA"][0]
e = err(lambda: change(c, z, ("DELETE", soa)))
assert e == ("InvalidChangeBatch", "[A HostedZone must contain exactly one SOA record.]"), e
e = err(lambda: change(c, z, ("DELETE", ns)))
assert e == ("InvalidChangeBatch", "[A HostedZone must contain at least one NS record for the zone itself.]"), e
e = err(lambda: change(c, z, ("CREATE", "example.com", "SOA", 900, [soa["ResourceRecords"][0]["Value"]])))
assert e[1] == "[Tried to create resource record set [name='example.com.', type='SOA'] but it already exists]", e
# UPSERT of the apex SOA and NS is allowed.
change(c, z, ("UPSERT", "example.com", "SOA", 60, ["ns1.example.com. hostmaster.example.com. 7 3600 600 86400 60"]))
change(c, z, ("UPSERT", "example.com", "NS", 3600, ["ns1.example.com.", "ns2.example.net."]))
e = err(lambda: change(c, z, ("CREATE", "example.com", "CNAME", 60, ["x.example.net."])))
assert e[1] == "[RRSet of type CNAME with DNS name example.com. is not permitted at apex in zone example.com.]", e
change(c, z, ("CREATE", "c.example.com", "CNAME", 60, ["x.example.net."]))
e = err(lambda: change(c, z, ("CREATE", "c.example.com", "TXT", 60, ['"x"'])))
assert e[1] == "[RRSet of type TXT with DNS name c.example.com. is not permitted because a conflicting RRSet of type CNAME with the same DNS name already exists in zone example.com.]", e
# A plain RRset and routing records of one name and type exclude each other.
w = {"Name": "w.example.com", "Type": "A", "SetIdentifier": "eu", "Weight": 10,
     "TTL": 60, "ResourceRecords": [{"Value": "192.0.2.80"}]}
change(c, z, ("CREATE", w))
e = err(lambda: change(c, z, ("CREATE", "w.example.com", "A", 60, ["192.0.2.81"])))
assert e[1] == "[RRSet with DNS name w.example.com., type A cannot be created as other RRSets exist with the same name and type.]", e
change(c, z, ("CREATE", "p.example.com", "A", 60, ["192.0.2.82"]))
e = err(lambda: change(c, z, ("CREATE", dict(w, Name="p.example.com"))))
assert e[1] == "[RRSet with DNS name p.example.com., type A, SetIdentifier eu cannot be created as a non-weighted set exists with the same name and type.]", e
e = err(lambda: change(c, z, ("CREATE", "d.example.com", "CNAME", 60, ["x.example.net.", "y.example.net."])))
assert e[0] == "InvalidChangeBatch" and "more than one" in e[1], e
e = err(lambda: change(c, z, ("CREATE", "www.example.org", "A", 60, ["192.0.2.1"])))
assert e[1] == "[RRSet with DNS name www.example.org. is not permitted in zone example.com.]", e
e = err(lambda: change(c, z, ("CREATE", "notexample.com", "A", 60, ["192.0.2.1"])))
assert e[1] == "[RRSet with DNS name notexample.com. is not permitted in zone example.com.]", e
e = err(lambda: change(c, z, ("CREATE", "*.example.com", "NS", 60, ["ns.example.net."])))
assert e[0] == "InvalidChangeBatch" and "wildcard" in e[1], e
# NS below the apex (a delegation) is fine, and so is a wildcard A.
change(c, z, ("CREATE", "sub.example.com", "NS", 60, ["ns.example.net."]),
       ("CREATE", "*.example.com", "A", 60, ["192.0.2.1"]))
e = err(lambda: change(c, z, ("CREATE", "a..example.com", "A", 60, ["192.0.2.1"])))
assert e[0] == "InvalidChangeBatch" and "DomainLabelEmpty" in e[1], e
e = err(lambda: change(c, z, ("CREATE", "x" * 64 + ".example.com", "A", 60, ["192.0.2.1"])))
assert "DomainLabelTooLong" in e[1], e
print("OK")
EOF
	assert_success
	assert_output OK
}

@test "limits: 1,000 ResourceRecords and 32,000 characters, UPSERT counted twice" {
	run py <<'EOF'
import os
from boto import r53, err, change
c = r53(); z = os.environ["Z"]
def many(action, n, name="m%d.example.com", val=lambda i: "10.0.%d.%d" % (i // 256, i % 256)):
    return [(action, name % i, "A", 60, [val(i)]) for i in range(n)]
e = err(lambda: change(c, z, *many("CREATE", 1001)))
assert e == ("InvalidChangeBatch", "[Number of records limit of 1000 exceeded.]"), e
e = err(lambda: change(c, z, *many("UPSERT", 501)))
assert e == ("InvalidChangeBatch", "[Number of records limit of 1000 exceeded.]"), e
change(c, z, *many("UPSERT", 500))
change(c, z, *many("DELETE", 500))
big = '"' + "x" * 250 + '"'            # 252 characters
tx = lambda action, n: [(action, "t%d.example.com" % i, "TXT", 60, [big]) for i in range(n)]
e = err(lambda: change(c, z, *tx("CREATE", 127)))   # 32004
assert e == ("InvalidChangeBatch", "[RDATA character limit of 32000 exceeded.]"), e
change(c, z, *tx("CREATE", 126))                    # 31752
e = err(lambda: change(c, z, *tx("UPSERT", 64)))    # 2 * 16128
assert e == ("InvalidChangeBatch", "[RDATA character limit of 32000 exceeded.]"), e
change(c, z, *tx("UPSERT", 63))
# One Value: at most 4,000 characters; one TXT string at most 255.
long = " ".join(['"' + "y" * 250 + '"'] * 16)       # 4047
e = err(lambda: change(c, z, ("CREATE", "long.example.com", "TXT", 60, [long])))
assert e[0] == "InvalidChangeBatch" and "TooLong" in e[1], e
e = err(lambda: change(c, z, ("CREATE", "s.example.com", "TXT", 60, ['"' + "z" * 256 + '"'])))
assert e[0] == "InvalidChangeBatch" and "CharacterStringTooLong" in e[1], e
change(c, z, ("CREATE", "s.example.com", "TXT", 60, ['"' + "z" * 255 + '" "second"']))
print("OK")
EOF
	assert_success
	assert_output OK
}

@test "value syntax for all 17 types" {
	run py <<'EOF'
import os
from boto import r53, err, change
c = r53(); z = os.environ["Z"]
good = {
 "A": ["192.0.2.1", "0.0.0.0"],
 "AAAA": ["2001:db8::1", "::1", "2001:DB8:0:0:0:0:0:1"],
 "CAA": ['0 issue "ca.example.net"', '128 iodef "mailto:x@example.com"'],
 "CNAME": ["target.example.net.", "relative"],
 "DS": ["12345 13 2 " + "ab" * 32, "1 8 1 " + "CD" * 20],
 "HTTPS": ['1 . alpn="h2,h3" port=443', "0 svc.example.net."],
 "MX": ["10 mail.example.com.", "0 ."],
 "NAPTR": ['100 50 "u" "E2U+sip" "!^.*$!sip:info@example.com!" .'],
 "NS": ["ns1.example.net."],
 "PTR": ["host.example.com."],
 "SPF": ['"v=spf1 -all"'],
 "SRV": ["10 5 80 host.example.com.", "0 0 0 ."],
 "SSHFP": ["1 1 " + "a" * 40, "4 2 " + "b" * 64],
 "SVCB": ["1 svc.example.net. ipv4hint=192.0.2.1", "2 . key65000=x"],
 "TLSA": ["3 1 1 " + "c" * 64],
 "TXT": ['"hello"', '"a" "b"', '"quote \\" inside"', '"octal \\012 escape"', '""'],
}
bad = {
 "A": ["192.0.2", "256.1.1.1", "1.2.3.4 ", "01.2.3.4", "::1", "host"],
 "AAAA": ["192.0.2.1", "2001:db8::g", "fe80::1%eth0"],
 "CAA": ["0 issue ca.example.net", "256 issue \"x\"", "0 iss-ue \"x\"", "0 tbs \"x\""],
 "CNAME": ["a b", "x..y"],
 "DS": ["12345 13 2 abc", "70000 13 2 " + "ab" * 32, "1 8 2 " + "zz" * 32],
 "HTTPS": ["x . alpn=h2", "1", "1 . bogus=1"],
 "MX": ["mail.example.com.", "70000 mail.example.com.", "10"],
 "NAPTR": ['100 50 u "E2U+sip" "!x!" .', "100 50"],
 "NS": ["ns1 ns2"],
 "PTR": ["a..b"],
 "SPF": ["v=spf1 -all"],
 "SRV": ["10 5 host.example.com.", "10 5 70000 host."],
 "SSHFP": ["1 1 xyz", "1 1 " + "a" * 39],
 "SVCB": ["svc.example.net."],
 "TLSA": ["3 1 1 xyz", "3 1 one " + "c" * 64],
 "TXT": ["unquoted", '"unterminated', '"a""b"', '"tab\there"'],
 "SOA": ["ns1.example.com. host.example.com. 1 2 3 4", "a b c d e f g"],
}
n = 0
for t, vals in good.items():
    for v in vals:
        n += 1
        e = err(lambda: change(c, z, ("CREATE", "g%d.example.com" % n, t, 60, [v])))
        assert e is None, (t, v, e)
for t, vals in bad.items():
    for v in vals:
        n += 1
        e = err(lambda: change(c, z, ("CREATE", "b%d.example.com" % n, t, 60, [v])))
        assert e is not None and e[0] == "InvalidChangeBatch" and "Invalid Resource Record: 'FATAL problem: " in e[1], (t, v, e)
e = err(lambda: change(c, z, ("CREATE", "b.example.com", "A", 60, ["1.2.3"])))
assert e[1] == "[Invalid Resource Record: 'FATAL problem: ARRDATAIllegalIPv4Address (Value is not a valid IPv4 address) encountered with '1.2.3'']", e
for t in ("LOC", "HINFO", "RRSIG", "TYPE65280"):
    e = err(lambda: change(c, z, ("CREATE", "x.example.com", t, 60, ["1"])))
    assert e[0] == "InvalidInput" and "Member must satisfy enum value set" in e[1], (t, e)
print("OK", n)
EOF
	assert_success
	assert_output --regexp '^OK [0-9]+$'
}

@test "names: lowercase, octal escapes on output, both forms on input" {
	z2=$(emu_create_zone 2.0.192.in-addr.arpa)
	export z2
	run py <<'EOF'
import os
from boto import r53, err, change, listing
c = r53(); z = os.environ["Z"]; z2 = os.environ["z2"]
change(c, z, ("CREATE", "*.Example.COM", "A", 60, ["192.0.2.1"]),
       ("CREATE", "Under_Score.example.com.", "TXT", 60, ['"Case Kept"']),
       ("CREATE", "a\\056b.example.com", "A", 60, ["192.0.2.2"]),
       ("CREATE", "sp\\040ace.example.com", "A", 60, ["192.0.2.3"]),
       ("CREATE", "\\052.sub.example.com", "A", 60, ["192.0.2.4"]))
names = [n for n, t, s in listing(c, z)]
assert "\\052.example.com." in names, names
assert "under_score.example.com." in names, names
assert "a\\056b.example.com." in names, names
assert "sp\\040ace.example.com." in names, names
assert "\\052.sub.example.com." in names, names
# Octets 000-040 and 177-377 must be escaped on input.
for bad in ("sp ace.example.com", "t\tab.example.com", "caf\u00e9.example.com"):
    e = err(lambda: change(c, z, ("CREATE", bad, "A", 60, ["192.0.2.3"])))
    assert e[0] == "InvalidChangeBatch" and "InvalidCharacter" in e[1], (bad, e)
# The escaped and the raw spelling are the same name.
e = err(lambda: change(c, z, ("CREATE", "\\052.example.com", "A", 60, ["192.0.2.1"])))
assert e[1] == "[Tried to create resource record set [name='\\052.example.com.', type='A'] but it already exists]", e
change(c, z, ("DELETE", "\\052.EXAMPLE.com", "A", 60, ["192.0.2.1"]))
change(c, z2, ("CREATE", "0/26.2.0.192.in-addr.arpa", "NS", 60, ["ns.example.net."]),
       ("CREATE", "1.0/26.2.0.192.in-addr.arpa", "PTR", 60, ["h.example.com."]))
names = [n for n, t, s in listing(c, z2)]
assert names[-2:] == ["0\\05726.2.0.192.in-addr.arpa.", "1.0\\05726.2.0.192.in-addr.arpa."], names
# Start point given with an escape or raw.
r = c.list_resource_record_sets(HostedZoneId=z2, StartRecordName="0/26.2.0.192.in-addr.arpa")
assert r["ResourceRecordSets"][0]["Name"] == "0\\05726.2.0.192.in-addr.arpa.", r
print("OK")
EOF
	assert_success
	assert_output OK
	# The admin dump shows the stored (escaped, lowercase) names.
	run emu_rrsets "$Z"
	assert_success
	assert_output --partial '"Name": "under_score.example.com."'
}

@test "listing order: reversed labels as ASCII with the trailing dot, then type, then SetIdentifier; start points and Next*" {
	run py <<'EOF'
import os
from boto import r53, err, change, listing
c = r53(); z = os.environ["Z"]
for n in ["a.example.com", "a-b.example.com", "b.a.example.com", "z.example.com",
          "0.example.com", "a.b.example.com"]:
    change(c, z, ("CREATE", n, "TXT", 60, ['"x"']), ("CREATE", n, "A", 60, ["192.0.2.1"]))
w = lambda sid, wt: {"Name": "w.example.com", "Type": "A", "SetIdentifier": sid,
                     "Weight": wt, "TTL": 60, "ResourceRecords": [{"Value": "192.0.2.%d" % wt}]}
change(c, z, ("CREATE", w("s2", 2)), ("CREATE", w("s1", 1)), ("CREATE", w("s3", 3)))
got = listing(c, z)
want = [("example.com.", "NS", None), ("example.com.", "SOA", None),
        ("0.example.com.", "A", None), ("0.example.com.", "TXT", None),
        ("a-b.example.com.", "A", None), ("a-b.example.com.", "TXT", None),
        ("a.example.com.", "A", None), ("a.example.com.", "TXT", None),
        ("b.a.example.com.", "A", None), ("b.a.example.com.", "TXT", None),
        ("a.b.example.com.", "A", None), ("a.b.example.com.", "TXT", None),
        ("w.example.com.", "A", "s1"), ("w.example.com.", "A", "s2"), ("w.example.com.", "A", "s3"),
        ("z.example.com.", "A", None), ("z.example.com.", "TXT", None)]
assert got == want, got
# Page by page with maxitems 2: Next* tokens, NextRecordIdentifier for weighted sets.
pages = []
kw = {"HostedZoneId": z, "MaxItems": "2"}
for _ in range(20):
    r = c.list_resource_record_sets(**kw)
    pages.append([(x["Name"], x["Type"], x.get("SetIdentifier")) for x in r["ResourceRecordSets"]])
    assert r["MaxItems"] == "2", r["MaxItems"]
    if not r["IsTruncated"]:
        assert "NextRecordName" not in r
        break
    kw = {"HostedZoneId": z, "MaxItems": "2", "StartRecordName": r["NextRecordName"],
          "StartRecordType": r["NextRecordType"]}
    if r["NextRecordName"] == "w.example.com.":
        assert "NextRecordIdentifier" in r, r
    if "NextRecordIdentifier" in r:
        kw["StartRecordIdentifier"] = r["NextRecordIdentifier"]
assert sum(pages, []) == want, pages
assert len(pages) == 9
# Start at a name that does not exist: the next one in order.
r = c.list_resource_record_sets(HostedZoneId=z, StartRecordName="a.a.example.com", MaxItems="1")
assert r["ResourceRecordSets"][0]["Name"] == "b.a.example.com.", r
r = c.list_resource_record_sets(HostedZoneId=z, StartRecordName="a.example.com", StartRecordType="TXT", MaxItems="1")
assert (r["ResourceRecordSets"][0]["Name"], r["ResourceRecordSets"][0]["Type"]) == ("a.example.com.", "TXT"), r
r = c.list_resource_record_sets(HostedZoneId=z, StartRecordName="w.example.com", StartRecordType="A", StartRecordIdentifier="s2")
assert r["ResourceRecordSets"][0].get("SetIdentifier") == "s2", r
r = c.list_resource_record_sets(HostedZoneId=z, MaxItems="1000")
assert r["MaxItems"] == "300" and len(r["ResourceRecordSets"]) == 17, r["MaxItems"]
print("OK")
EOF
	assert_success
	assert_output OK
	# type without name is InvalidInput
	run raw "$EMU_URL" GET "/2013-04-01/hostedzone/$Z/rrset?type=A"
	assert_line --index 0 400
	assert_output --partial '<Code>InvalidInput</Code>'
}

@test "XML: routing and alias elements listed back in XSD order; XSD order enforced" {
	cat >"$T/ok.xml" <<'EOF'
<?xml version="1.0" encoding="UTF-8"?>
<ChangeResourceRecordSetsRequest xmlns="https://route53.amazonaws.com/doc/2013-04-01/"><ChangeBatch><Comment>routing</Comment><Changes>
<Change><Action>CREATE</Action><ResourceRecordSet><Name>geo.example.com</Name><Type>A</Type><SetIdentifier>de</SetIdentifier><GeoLocation><CountryCode>DE</CountryCode></GeoLocation><TTL>60</TTL><ResourceRecords><ResourceRecord><Value>192.0.2.1</Value></ResourceRecord></ResourceRecords><HealthCheckId>abcdef11-2222-3333-4444-555555fedcba</HealthCheckId></ResourceRecordSet></Change>
<Change><Action>CREATE</Action><ResourceRecordSet><Name>geo.example.com</Name><Type>A</Type><SetIdentifier>eu</SetIdentifier><GeoLocation><ContinentCode>EU</ContinentCode></GeoLocation><TTL>60</TTL><ResourceRecords><ResourceRecord><Value>192.0.2.2</Value></ResourceRecord></ResourceRecords></ResourceRecordSet></Change>
<Change><Action>CREATE</Action><ResourceRecordSet><Name>fo.example.com</Name><Type>A</Type><SetIdentifier>primary</SetIdentifier><Failover>PRIMARY</Failover><AliasTarget><HostedZoneId>Z35SXDOTRQ7X7K</HostedZoneId><DNSName>My-ELB.us-east-1.elb.amazonaws.com</DNSName><EvaluateTargetHealth>true</EvaluateTargetHealth></AliasTarget></ResourceRecordSet></Change>
<Change><Action>CREATE</Action><ResourceRecordSet><Name>lat.example.com</Name><Type>AAAA</Type><SetIdentifier>use1</SetIdentifier><Region>us-east-1</Region><TTL>60</TTL><ResourceRecords><ResourceRecord><Value>2001:db8::1</Value></ResourceRecord></ResourceRecords></ResourceRecordSet></Change>
<Change><Action>CREATE</Action><ResourceRecordSet><Name>mv.example.com</Name><Type>A</Type><SetIdentifier>m1</SetIdentifier><MultiValueAnswer>true</MultiValueAnswer><TTL>60</TTL><ResourceRecords><ResourceRecord><Value>192.0.2.3</Value></ResourceRecord></ResourceRecords></ResourceRecordSet></Change>
<Change><Action>CREATE</Action><ResourceRecordSet><Name>cidr.example.com</Name><Type>A</Type><SetIdentifier>c1</SetIdentifier><TTL>60</TTL><ResourceRecords><ResourceRecord><Value>192.0.2.4</Value></ResourceRecord></ResourceRecords><CidrRoutingConfig><CollectionId>c8c02a84-aaaa-bbbb-e0d2-d833a2f80106</CollectionId><LocationName>office</LocationName></CidrRoutingConfig></ResourceRecordSet></Change>
</Changes></ChangeBatch></ChangeResourceRecordSetsRequest>
EOF
	run raw "$EMU_URL" POST "/2013-04-01/hostedzone/$Z/rrset/" "$T/ok.xml"
	assert_line --index 0 200
	assert_output --partial '<Status>PENDING</Status>'
	assert_output --partial '<Comment>routing</Comment>'
	run raw "$EMU_URL" GET "/2013-04-01/hostedzone/$Z/rrset?name=cidr.example.com&maxitems=5"
	assert_line --index 0 200
	assert_output --partial '<ResourceRecordSet><Name>cidr.example.com.</Name><Type>A</Type><SetIdentifier>c1</SetIdentifier><TTL>60</TTL><ResourceRecords><ResourceRecord><Value>192.0.2.4</Value></ResourceRecord></ResourceRecords><CidrRoutingConfig><CollectionId>c8c02a84-aaaa-bbbb-e0d2-d833a2f80106</CollectionId><LocationName>office</LocationName></CidrRoutingConfig></ResourceRecordSet>'
	assert_output --partial '<ResourceRecordSet><Name>fo.example.com.</Name><Type>A</Type><SetIdentifier>primary</SetIdentifier><Failover>PRIMARY</Failover><AliasTarget><HostedZoneId>Z35SXDOTRQ7X7K</HostedZoneId><DNSName>my-elb.us-east-1.elb.amazonaws.com.</DNSName><EvaluateTargetHealth>true</EvaluateTargetHealth></AliasTarget></ResourceRecordSet>'
	assert_output --partial '<ResourceRecordSet><Name>geo.example.com.</Name><Type>A</Type><SetIdentifier>de</SetIdentifier><GeoLocation><CountryCode>DE</CountryCode></GeoLocation><TTL>60</TTL><ResourceRecords><ResourceRecord><Value>192.0.2.1</Value></ResourceRecord></ResourceRecords><HealthCheckId>abcdef11-2222-3333-4444-555555fedcba</HealthCheckId></ResourceRecordSet>'
	assert_output --partial '<NextRecordName>mv.example.com.</NextRecordName><NextRecordType>A</NextRecordType><NextRecordIdentifier>m1</NextRecordIdentifier><MaxItems>5</MaxItems>'
	# TTL before Type: the XSD error Route 53 gives.
	sed 's|<Type>A</Type><SetIdentifier>de</SetIdentifier>|<SetIdentifier>de</SetIdentifier><Type>A</Type>|' "$T/ok.xml" >"$T/order.xml"
	run raw "$EMU_URL" POST "/2013-04-01/hostedzone/$Z/rrset/" "$T/order.xml"
	assert_line --index 0 400
	assert_output --partial "<Code>InvalidInput</Code><Message>Invalid XML ; cvc-complex-type.2.4.a: Invalid content was found starting with element 'SetIdentifier'. One of '{\"https://route53.amazonaws.com/doc/2013-04-01/\":Type}' is expected.</Message>"
	sed 's|<TTL>60</TTL><ResourceRecords><ResourceRecord><Value>192.0.2.3</Value></ResourceRecord></ResourceRecords>|<ResourceRecords><ResourceRecord><Value>192.0.2.3</Value></ResourceRecord></ResourceRecords><TTL>60</TTL>|' "$T/ok.xml" >"$T/order2.xml"
	run raw "$EMU_URL" POST "/2013-04-01/hostedzone/$Z/rrset/" "$T/order2.xml"
	assert_line --index 0 400
	assert_output --partial "cvc-complex-type.2.4.a: Invalid content was found starting with element 'TTL'."
	sed 's|<ResourceRecords><ResourceRecord><Value>192.0.2.3</Value></ResourceRecord></ResourceRecords>|<ResourceRecords></ResourceRecords>|' "$T/ok.xml" >"$T/empty.xml"
	run raw "$EMU_URL" POST "/2013-04-01/hostedzone/$Z/rrset/" "$T/empty.xml"
	assert_line --index 0 400
	assert_output --partial "Invalid XML ; cvc-complex-type.2.4.b: The content of element 'ResourceRecords' is not complete. One of '{\"https://route53.amazonaws.com/doc/2013-04-01/\":ResourceRecord}' is expected."
	sed 's|xmlns="https://route53.amazonaws.com/doc/2013-04-01/"||' "$T/ok.xml" >"$T/nons.xml"
	run raw "$EMU_URL" POST "/2013-04-01/hostedzone/$Z/rrset/" "$T/nons.xml"
	assert_line --index 0 400
	assert_output --partial "Invalid XML ; cvc-elt.1: Cannot find the declaration of element 'ChangeResourceRecordSetsRequest'."
	# Nothing of the refused batches was applied.
	run raw "$EMU_URL" GET "/2013-04-01/hostedzonelimit/$Z/MAX_RRSETS_BY_ZONE"
	assert_output --partial '<Count>8</Count>'
	# Messages form of InvalidChangeBatch, when asked for.
	emu_faults '{"icb_form":"messages"}'
	run raw "$EMU_URL" POST "/2013-04-01/hostedzone/$Z/rrset/" "$T/ok.xml"
	assert_line --index 0 400
	assert_output --partial "<InvalidChangeBatch xmlns=\"https://route53.amazonaws.com/doc/2013-04-01/\"><Messages><Message>Tried to create resource record set [name='geo.example.com.', type='A', set-identifier='de'] but it already exists</Message><Message>"
}

@test "quota: MAX_RRSETS_BY_ZONE limit, GetHostedZoneLimit, the error past it" {
	emu_quota 5 "$Z"
	run py <<'EOF'
import os
from boto import r53, err, change
c = r53(); z = os.environ["Z"]
l = c.get_hosted_zone_limit(Type="MAX_RRSETS_BY_ZONE", HostedZoneId=z)
assert l["Limit"] == {"Type": "MAX_RRSETS_BY_ZONE", "Value": 5} and l["Count"] == 2, l
change(c, z, *[("CREATE", "q%d.example.com" % i, "A", 60, ["192.0.2.1"]) for i in range(3)])
e = err(lambda: change(c, z, ("CREATE", "q9.example.com", "A", 60, ["192.0.2.1"])))
assert e == ("InvalidChangeBatch", "[Exceeded limit MAX_RRSETS_BY_ZONE for zone: %s]" % z), e
# Replacing and deleting still work at the limit.
change(c, z, ("UPSERT", "q1.example.com", "A", 60, ["192.0.2.2"]))
change(c, z, ("DELETE", "q0.example.com", "A", 60, ["192.0.2.1"]),
       ("CREATE", "q9.example.com", "A", 60, ["192.0.2.1"]))
assert c.get_hosted_zone_limit(Type="MAX_RRSETS_BY_ZONE", HostedZoneId=z)["Count"] == 5
e = err(lambda: c.get_hosted_zone_limit(Type="MAX_RRSETS_BY_ZONE", HostedZoneId="ZNOPE"))
assert e == ("NoSuchHostedZone", "No hosted zone found with ID: ZNOPE"), e
print("OK")
EOF
	assert_success
	assert_output OK
}

@test "SigV4: skew, missing headers, tampering, keep-alive connection reuse" {
	run raw --time 20200101T000000Z "$EMU_URL" GET /2013-04-01/hostedzonesbyname
	assert_line --index 0 403
	assert_output --regexp '<Code>SignatureDoesNotMatch</Code><Message>Signature expired: 20200101T000000Z is now earlier than [0-9]{8}T[0-9]{6}Z \([0-9]{8}T[0-9]{6}Z - 5 min.\)</Message>'
	future=$(date -u -d '+10 minutes' +%Y%m%dT%H%M%SZ)
	run raw --time "$future" "$EMU_URL" GET /2013-04-01/hostedzonesbyname
	assert_line --index 0 403
	assert_output --partial "Signature not yet current: $future is still later than"
	near=$(date -u -d '-4 minutes' +%Y%m%dT%H%M%SZ)
	run raw --time "$near" "$EMU_URL" GET /2013-04-01/hostedzonesbyname
	assert_line --index 0 200
	run raw --no-auth "$EMU_URL" GET /2013-04-01/hostedzonesbyname
	assert_line --index 0 403
	assert_output --partial '<Code>MissingAuthenticationToken</Code><Message>Missing Authentication Token</Message>'
	run raw --drop-header X-Amz-Date "$EMU_URL" GET /2013-04-01/hostedzonesbyname
	assert_line --index 0 403
	assert_output --partial "<Code>IncompleteSignature</Code><Message>Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. Authorization=AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/"
	run raw --set-header 'Authorization=AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20200101/us-east-1/route53/aws4_request' "$EMU_URL" GET /2013-04-01/hostedzonesbyname
	assert_line --index 0 403
	assert_output --partial "<Code>IncompleteSignature</Code><Message>Authorization header requires 'Signature' parameter. Authorization header requires 'SignedHeaders' parameter."
	run raw --region eu-west-1 "$EMU_URL" GET /2013-04-01/hostedzonesbyname
	assert_line --index 0 403
	assert_output --partial "Credential should be scoped to a valid region, not 'eu-west-1'."
	run raw --service route54 "$EMU_URL" GET /2013-04-01/hostedzonesbyname
	assert_line --index 0 403
	assert_output --partial "Credential should be scoped to correct service: 'route53'."
	# A header changed after signing (the signed date): mismatch.  Both
	# dates lie in one minute, so the credential scope's day matches
	# whatever the time of day (a change across midnight is another error).
	local signed tampered ss
	signed=$(date -u -d '-2 minutes' +%Y%m%dT%H%M%SZ)
	ss=${signed:13:2}
	tampered="${signed:0:13}$(printf '%02d' $(( (10#$ss + 1) % 60 )))Z"
	run raw --time "$signed" --set-header "X-Amz-Date=$tampered" "$EMU_URL" GET /2013-04-01/hostedzonesbyname
	assert_line --index 0 403
	assert_output --partial '<Code>SignatureDoesNotMatch</Code><Message>The request signature we calculated does not match the signature you provided.'
	# A body hash header that does not match the body.
	printf '<x/>' >"$T/body.xml"
	run raw --set-header "X-Amz-Content-SHA256=$(printf 'other' | sha256sum | cut -d' ' -f1)" "$EMU_URL" POST "/2013-04-01/hostedzone/$Z/rrset/" "$T/body.xml"
	assert_line --index 0 400
	assert_output --partial '<Code>XAmzContentSHA256Mismatch</Code>'
	# Query strings with characters needing encoding, and ids with the prefix.
	run raw "$EMU_URL" GET "/2013-04-01/hostedzone/%2Fhostedzone%2F$Z/rrset?name=%2A.example.com&maxitems=1"
	assert_line --index 0 200
	# One kept-alive connection: requests, an error answer, a body.
	run py <<'EOF'
import os, http.client
from urllib.parse import urlsplit
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
url = os.environ["EMU_URL"]; z = os.environ["Z"]
u = urlsplit(url)
conn = http.client.HTTPConnection(u.hostname, u.port, timeout=10)
socks = set()
cred = Credentials("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY")
for path, want in [("/2013-04-01/hostedzone/%s" % z, 200), ("/2013-04-01/hostedzone/ZNOPE", 404),
                   ("/2013-04-01/hostedzone/%s/rrset" % z, 200), ("/2013-04-01/change/CNOPE", 404)]:
    req = AWSRequest(method="GET", url=url + path)
    SigV4Auth(cred, "route53", "us-east-1").add_auth(req)
    conn.request("GET", path, headers=dict(req.headers.items()))
    r = conn.getresponse()
    body = r.read()
    assert r.status == want, (path, r.status, body)
    assert int(r.getheader("Content-Length")) == len(body)
    assert r.getheader("x-amzn-RequestId")
    socks.add(id(conn.sock))
assert len(socks) == 1, socks
print("OK")
EOF
	assert_success
	assert_output OK
}

@test "faults: seeded throttling/5xx/prior are deterministic, drops, latency" {
	run py <<'EOF'
import os, json, time, urllib.request
from boto import r53, err
url = os.environ["EMU_URL"]; z = os.environ["Z"]
def admin(path, obj):
    req = urllib.request.Request(url + "/_emu/" + path, data=json.dumps(obj).encode(), method="POST")
    return json.load(urllib.request.urlopen(req, timeout=10))
def run_seq():
    c = r53()
    out = []
    for _ in range(40):
        try:
            c.get_hosted_zone(Id=z)
            out.append("ok")
        except Exception as e:
            code = (getattr(e, "response", None) or {}).get("Error", {}).get("Code")
            out.append(code or type(e).__name__)
    return out
admin("faults", {"throttle_rate": 0.2, "prior_request_rate": 0.1, "error5xx_rate": 0.2, "drop_rate": 0.1, "seed": 7})
a = run_seq()
admin("faults", {"seed": 7})
b = run_seq()
assert a == b, (a, b)
kinds = set(a)
assert {"ok", "Throttling", "PriorRequestNotComplete"} <= kinds, kinds
assert kinds & {"InternalFailure", "ServiceUnavailable", "500", "503"}, kinds
assert len(kinds) >= 5, kinds
admin("faults", {"seed": 8})
assert run_seq() != a
# Faults limited to some APIs.
admin("faults", {"clear": True})
admin("faults", {"throttle_rate": 1.0, "apis": ["ChangeResourceRecordSets"]})
c = r53()
c.get_hosted_zone(Id=z)
e = err(lambda: c.change_resource_record_sets(HostedZoneId=z, ChangeBatch={"Changes": [
    {"Action": "CREATE", "ResourceRecordSet": {"Name": "x.example.com", "Type": "A", "TTL": 1,
     "ResourceRecords": [{"Value": "192.0.2.1"}]}}]}))
assert e == ("Throttling", "Rate exceeded"), e
admin("faults", {"clear": True, "latency_ms": 1500})
t = time.monotonic(); c.get_hosted_zone(Id=z); dt = time.monotonic() - t
assert dt >= 1.5, dt
admin("faults", {"clear": True})
t = time.monotonic(); c.get_hosted_zone(Id=z); dt2 = time.monotonic() - t
assert dt2 < dt, (dt, dt2)
# Latency limited to one API.
admin("faults", {"latency_ms": 1500, "apis": ["ListResourceRecordSets"]})
t = time.monotonic(); c.get_hosted_zone(Id=z); dt3 = time.monotonic() - t
assert dt3 < 1.5, dt3
t = time.monotonic(); c.list_resource_record_sets(HostedZoneId=z); dt4 = time.monotonic() - t
assert dt4 >= 1.5, dt4
print("OK")
EOF
	assert_success
	assert_output OK
	run emu_counters
	assert_output --partial '"GetHostedZone":'
	assert_output --partial '"drop":'
}

@test "faults: drop_after_change applies the change, then drops the connection" {
	emu_faults '{"drop_after_change":2}'
	run py <<'EOF'
import os
from boto import r53, err, change
from botocore.exceptions import ConnectionClosedError, EndpointConnectionError
c = r53(); z = os.environ["Z"]
change(c, z, ("CREATE", "one.example.com", "A", 60, ["192.0.2.1"]))
try:
    change(c, z, ("CREATE", "two.example.com", "A", 60, ["192.0.2.2"]))
    raise SystemExit("no drop")
except (ConnectionClosedError, EndpointConnectionError) as e:
    pass
# Ambiguous failure: the change was applied all the same.
r = c.list_resource_record_sets(HostedZoneId=z, StartRecordName="two.example.com", MaxItems="1")
assert r["ResourceRecordSets"][0]["Name"] == "two.example.com.", r
change(c, z, ("CREATE", "three.example.com", "A", 60, ["192.0.2.3"]))
print("OK")
EOF
	assert_success
	assert_output OK
	[ "$(emu_count ChangeResourceRecordSets)" = 3 ]
	run emu_counters
	assert_output --partial '"drop_after_change": 1'
	# The same with a 500 answer after the change was applied.
	emu_faults '{"drop_after_change":1,"after_change":"500"}'
	run py <<'EOF2'
import os
from boto import r53, err, change
c = r53(); z = os.environ["Z"]
e = err(lambda: change(c, z, ("CREATE", "four.example.com", "A", 60, ["192.0.2.4"])))
assert e[0] == "InternalFailure", e
r = c.list_resource_record_sets(HostedZoneId=z, StartRecordName="four.example.com", MaxItems="1")
assert r["ResourceRecordSets"][0]["Name"] == "four.example.com.", r
print("OK")
EOF2
	assert_success
	assert_output OK
}

@test "faults: account-wide 5 requests/second limit answers Throttling" {
	emu_faults '{"account_rate_limit":5}'
	run py <<'EOF'
import os, time
from boto import r53, err
c = r53(); z = os.environ["Z"]
res = []
t0 = time.monotonic()
for _ in range(60):
    e = err(lambda: c.get_hosted_zone(Id=z))
    res.append("ok" if e is None else e[0])
    if res.count("Throttling") >= 3:
        break
dt = time.monotonic() - t0
ok = res.count("ok")
assert set(res) <= {"ok", "Throttling"}, res
# At most the burst (5) plus 5 per elapsed second may pass.
assert ok <= 5 + 5 * dt + 1, (ok, dt)
assert res.count("Throttling") >= 1, (res, dt)
# Spaced out requests all pass.
time.sleep(1.2)
for _ in range(3):
    assert err(lambda: c.get_hosted_zone(Id=z)) is None
    time.sleep(0.25)
print("OK")
EOF
	assert_success
	assert_output OK
}

@test "counters: per-API counts, totals, errors; reset" {
	run py <<'EOF'
import os
from boto import r53, err, change
c = r53(); z = os.environ["Z"]
c.get_hosted_zone(Id=z)
c.list_resource_record_sets(HostedZoneId=z)
c.list_resource_record_sets(HostedZoneId=z)
err(lambda: c.get_hosted_zone(Id="ZNOPE"))
print("OK")
EOF
	assert_success
	[ "$(emu_count GetHostedZone)" = 2 ]
	[ "$(emu_count ListResourceRecordSets)" = 2 ]
	[ "$(emu_count ChangeResourceRecordSets)" = 0 ]
	run emu_counters
	assert_output --partial '"_total": 4'
	assert_output --partial '"NoSuchHostedZone": 1'
	emu_reset_counters
	[ "$(emu_count GetHostedZone)" = 0 ]
	run emu_admin get nosuchthing
	assert_failure
}

@test "zones: private zones of one name on different VPCs; same VPC conflicts; paging by name" {
	run py <<'EOF'
import os
from boto import r53, err
c = r53()
# botocore writes the elements in keyword order: keep the XSD order.
mk = lambda name, ref, vpc=None: c.create_hosted_zone(Name=name,
        **({"VPC": {"VPCRegion": "us-east-1", "VPCId": vpc}} if vpc else {}),
        CallerReference=ref)["HostedZone"]["Id"]
a = mk("corp.example", "r1", "vpc-a")
b = mk("corp.example", "r2", "vpc-b")
e = err(lambda: mk("corp.example", "r3", "vpc-a"))
assert e[0] == "ConflictingDomainExists", e
p1 = mk("corp.example", "r4")
p2 = mk("corp.example", "r5")
e = err(lambda: c.create_hosted_zone(Name="x.example", CallerReference="r6",
        HostedZoneConfig={"PrivateZone": True}))
assert e[0] == "InvalidInput", e
# Page through the five zones named corp.example one at a time.
seen = []
kw = {"DNSName": "corp.example", "MaxItems": "1"}
for _ in range(10):
    r = c.list_hosted_zones_by_name(**kw)
    seen += [z["Id"] for z in r["HostedZones"] if z["Name"] == "corp.example."]
    if not r["IsTruncated"]:
        break
    kw = {"DNSName": r["NextDNSName"], "HostedZoneId": r["NextHostedZoneId"], "MaxItems": "1"}
assert sorted(seen) == sorted([a, b, p1, p2]), (seen, a, b, p1, p2)
e = err(lambda: c.list_hosted_zones_by_name(HostedZoneId="Z123"))
assert e[0] == "InvalidInput", e
g = c.get_hosted_zone(Id=a)
assert g["VPCs"] == [{"VPCRegion": "us-east-1", "VPCId": "vpc-a"}] and "DelegationSet" not in g, g
assert c.get_hosted_zone_count()["HostedZoneCount"] == 5
print("OK")
EOF
	assert_success
	assert_output OK
}

@test "state file: valid JSON after every change, survives kill -9 and restart" {
	run py <<'EOF'
import os
from boto import r53, change
c = r53(); z = os.environ["Z"]
for i in range(20):
    change(c, z, ("CREATE", "s%d.example.com" % i, "A", 60, ["192.0.2.%d" % i]))
print("OK")
EOF
	assert_success
	/usr/bin/python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$EMU_STATE"
	kill -9 "$EMU_PID"
	wait "$EMU_PID" 2>/dev/null || true
	EMU_PID=
	emu_start
	run emu_admin get zones
	assert_output --partial '"count": 22'
	run py <<'EOF'
import os
from boto import r53, listing
c = r53(); z = os.environ["Z"]
assert ("s19.example.com.", "A", None) in listing(c, z)
print("OK")
EOF
	assert_output OK
}
