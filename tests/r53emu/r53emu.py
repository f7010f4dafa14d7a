#!/usr/bin/python3
"""r53emu: a local Amazon Route 53 emulator for the r53mirror test suite.

Python 3 standard library only.  It speaks the Route 53 REST-XML API
2013-04-01 (the subset r53mirror, the aws CLI and botocore use), checks a
Signature Version 4 signature on every API request, keeps its state in a
JSON file, and can inject faults.

Usage:
  python3 tests/r53emu/r53emu.py --listen 127.0.0.1:0 [--state FILE]
The first line on stdout is the endpoint URL (http://127.0.0.1:PORT).

APIs: CreateHostedZone, GetHostedZone, ListHostedZones, ListHostedZonesByName,
DeleteHostedZone, GetHostedZoneCount, ListResourceRecordSets,
ChangeResourceRecordSets, GetChange, GetHostedZoneLimit, and for hosted
zones ChangeTagsForResource and ListTagsForResource (Route 53's limits: 10
changes of tags per call, 50 tags per resource, keys up to 128 and values up
to 256 characters; tags are kept in the state file).

Options: --state FILE (JSON, rewritten atomically after every change),
--access-key/--secret-key/--session-token, --pending-seconds N (GetChange
says PENDING for N s; a change just submitted always says PENDING, as
Route 53 does), --quota N (RRsets per zone, default 10000), the fault
settings below as flags (--throttle-rate, --prior-request-rate,
--error5xx-rate, --drop-rate, --latency-ms, --account-rate-limit,
--drop-after-change, --seed), --quiet (no per-request log on stderr),
--exit-with-pid PID (exit when process PID is gone: the shell that
started it, so a killed test run leaves no emulator behind; the parent
would not do for a start through emufork.py, the fork server).

Errors: <ErrorResponse> with Route 53's codes and texts.  Rule violations of
a change batch are all reported, as one InvalidChangeBatch message
"[first, second, ...]" (the way the aws CLI shows Route 53's), or with
icb_form=messages as <InvalidChangeBatch><Messages><Message>... .

Authentication: SigV4, service route53, region us-east-1, one key pair
(--access-key/--secret-key, default the AWS documentation example pair).
Session tokens (X-Amz-Security-Token): with --session-token TOKEN only that
token is accepted; without it, any token is accepted (the key pair alone is
checked).  A request without a token is always accepted.

Admin API (no signature, under /_emu/), JSON in and out:
  GET  /_emu/health                      {"ok": true}
  GET  /_emu/faults                      current fault settings
  POST /_emu/faults  {...}               merge settings; {"clear": true} resets
        throttle_rate, prior_request_rate, error5xx_rate, drop_rate (0..1),
        latency_ms, account_rate_limit (requests/s, 0 = off),
        drop_after_change (k: drop the connection after applying the k-th
        ChangeResourceRecordSets counted from now; 0 = off), after_change
        ("drop" (default), "500" or "503": what the k-th change gets after
        it was applied),
        script (list of "throttle"|"prior"|"500"|"503"|"drop"|"ok", consumed
        one per API request before the random faults), apis (list of API
        names the faults, script and latency apply to; empty = all; the
        account rate limit always counts every API request), seed (int),
        icb_form ("error" = ErrorResponse, "messages" = <InvalidChangeBatch>
        with one <Message> per problem), clock_offset (seconds added to the
        server clock, for skew tests), expired_tokens (session tokens
        answered with 403 ExpiredToken, as for revoked temporary
        credentials)
  GET  /_emu/counters                    {"ChangeResourceRecordSets": n, ...,
                                          "_total": n, "_faults": {...},
                                          "_errors": {code: n}}
  GET  /_emu/counters/NAME               one top-level counter: n (0 if
                                          never counted)
        (every API request received counts, faulted or refused ones too;
        "Unknown" counts requests to no known API)
  POST /_emu/reset-counters
  POST /_emu/quota   {"limit": n[, "zone": "Z..."]}   default or per-zone
  POST /_emu/pending {"seconds": n}      GetChange PENDING time
  GET  /_emu/zones                       [{"id","name","private","count",
                                          "tags"}]
  POST /_emu/zones   {"name": "example.com", "private": false,
                      "vpc": "vpc-1", "region": "us-east-1"}  -> {"id": ...}
  GET  /_emu/zones/{id}/rrsets           stored RRsets, in listing order
  POST /_emu/zones/{id}/rrsets  [rrset...] store RRsets as given (no rules)
  POST /_emu/shutdown
"""

import argparse
import bisect
import hashlib
import hmac
import ipaddress
import json
import os
import random
import re
import signal
import socket
import sys
import threading
import time
import uuid
import xml.etree.ElementTree as ET
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import quote, unquote, urlsplit
from xml.sax.saxutils import escape as xesc

import secretsmanager
import sts as sts_api

NS = "https://route53.amazonaws.com/doc/2013-04-01/"
API_PREFIX = "/2013-04-01"
DEFAULT_AK = "AKIDEXAMPLE"
DEFAULT_SK = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
PUBLIC_SOA = ("ns-2048.awsdns-64.net. awsdns-hostmaster.amazon.com. "
              "1 7200 900 1209600 86400")
PRIVATE_SOA = ("ns-1536.awsdns-00.co.uk. awsdns-hostmaster.amazon.com. "
               "1 7200 900 1209600 86400")
PRIVATE_NS = ["ns-1536.awsdns-00.co.uk.", "ns-0.awsdns-00.com.",
              "ns-1024.awsdns-00.org.", "ns-512.awsdns-00.net."]
TYPES = ["SOA", "A", "TXT", "NS", "CNAME", "MX", "NAPTR", "PTR", "SRV", "SPF",
         "AAAA", "CAA", "DS", "TLSA", "SSHFP", "SVCB", "HTTPS"]
MAX_RR = 1000
MAX_CHARS = 32000
MAX_VALUE = 4000
SKEW = 300

# XSD sequences: element -> [(child, minOccurs, maxOccurs)].
UNB = 10 ** 9
SCHEMA = {
    "ChangeResourceRecordSetsRequest": [("ChangeBatch", 1, 1)],
    "ChangeBatch": [("Comment", 0, 1), ("Changes", 1, 1)],
    "Changes": [("Change", 1, UNB)],
    "Change": [("Action", 1, 1), ("ResourceRecordSet", 1, 1)],
    "ResourceRecordSet": [
        ("Name", 1, 1), ("Type", 1, 1), ("SetIdentifier", 0, 1),
        ("Weight", 0, 1), ("Region", 0, 1), ("GeoLocation", 0, 1),
        ("Failover", 0, 1), ("MultiValueAnswer", 0, 1), ("TTL", 0, 1),
        ("ResourceRecords", 0, 1), ("AliasTarget", 0, 1),
        ("HealthCheckId", 0, 1), ("TrafficPolicyInstanceId", 0, 1),
        ("CidrRoutingConfig", 0, 1), ("GeoProximityLocation", 0, 1)],
    "ResourceRecords": [("ResourceRecord", 1, UNB)],
    "ResourceRecord": [("Value", 1, 1)],
    "AliasTarget": [("HostedZoneId", 1, 1), ("DNSName", 1, 1),
                    ("EvaluateTargetHealth", 1, 1)],
    "GeoLocation": [("ContinentCode", 0, 1), ("CountryCode", 0, 1),
                    ("SubdivisionCode", 0, 1)],
    "CidrRoutingConfig": [("CollectionId", 1, 1), ("LocationName", 1, 1)],
    "GeoProximityLocation": [("AWSRegion", 0, 1), ("LocalZoneGroup", 0, 1),
                             ("Coordinates", 0, 1), ("Bias", 0, 1)],
    "Coordinates": [("Latitude", 1, 1), ("Longitude", 1, 1)],
    "CreateHostedZoneRequest": [
        ("Name", 1, 1), ("VPC", 0, 1), ("CallerReference", 1, 1),
        ("HostedZoneConfig", 0, 1), ("DelegationSetId", 0, 1)],
    "VPC": [("VPCRegion", 0, 1), ("VPCId", 0, 1)],
    "HostedZoneConfig": [("Comment", 0, 1), ("PrivateZone", 0, 1)],
    "ChangeTagsForResourceRequest": [("AddTags", 0, 1),
                                     ("RemoveTagKeys", 0, 1)],
    "AddTags": [("Tag", 1, UNB)],
    "Tag": [("Key", 0, 1), ("Value", 0, 1)],
    "RemoveTagKeys": [("Key", 1, UNB)],
}
MAX_TAG_CHANGES = 10
MAX_TAGS = 50
MAX_TAG_KEY = 128
MAX_TAG_VALUE = 256
RRSET_ORDER = [e for e, _, _ in SCHEMA["ResourceRecordSet"]]
ROUTING = ["Weight", "Region", "GeoLocation", "Failover", "MultiValueAnswer",
           "CidrRoutingConfig", "GeoProximityLocation"]


class ApiError(Exception):
    """An error answer: HTTP status, code, message (or a message list)."""

    def __init__(self, status, code, message, messages=None, sender=True):
        Exception.__init__(self, message)
        self.status = status
        self.code = code
        self.message = message
        self.messages = messages
        self.sender = sender


def invalid_input(msg):
    return ApiError(400, "InvalidInput", msg)


def validation_error(value, field, constraint):
    """InvalidInput as Route 53 words a failed member constraint."""
    return invalid_input(
        "1 validation error detected: Value '%s' at '%s' failed to satisfy "
        "constraint: Member must %s" % (value, field, constraint))


def too_long(value, field, n):
    return validation_error(value, field, "have length less than or equal "
                            "to %d" % n)


def icb(messages):
    return ApiError(400, "InvalidChangeBatch",
                    "[" + ", ".join(messages) + "]", messages=list(messages))


# ---------------------------------------------------------------- names

class NameError_(Exception):
    pass


def parse_name(text):
    """Presentation name (octal escapes or raw characters, trailing dot
    optional) -> list of lowercase label byte strings.  Raises NameError_
    with Route 53's FATAL problem text."""
    if text is None or text == "":
        raise NameError_("DomainNameEmpty (Domain name is empty)")
    labels = []
    cur = bytearray()
    i = 0
    n = len(text)
    ended_with_dot = False
    while i < n:
        c = text[i]
        ended_with_dot = False
        if c == "\\":
            if i + 3 < n + 0 and re.match(r"[0-3][0-7][0-7]", text[i + 1:i + 4]):
                cur.append(int(text[i + 1:i + 4], 8))
                i += 4
                continue
            if i + 1 < n and 0x21 <= ord(text[i + 1]) <= 0x7E:
                cur.append(ord(text[i + 1]))
                i += 2
                continue
            cur.append(0x5C)
            i += 1
            continue
        if c == ".":
            if not cur:
                if i == n - 1 and not labels and n == 1:
                    return []          # the root
                raise NameError_("DomainLabelEmpty (Domain label is empty)")
            labels.append(bytes(cur))
            cur = bytearray()
            ended_with_dot = True
            i += 1
            continue
        if not 0x21 <= ord(c) <= 0x7E:
            # Octets 000-040 and 177-377 must come as octal escapes.
            raise NameError_("InvalidCharacter (Domain name contains a "
                             "character that must be escaped)")
        cur.append(ord(c))
        i += 1
    if cur:
        labels.append(bytes(cur))
    elif not ended_with_dot:
        raise NameError_("DomainLabelEmpty (Domain label is empty)")
    out = []
    total = 1
    for lab in labels:
        if len(lab) > 63:
            raise NameError_("DomainLabelTooLong (Domain label is too long)")
        total += len(lab) + 1
        out.append(bytes(b + 32 if 65 <= b <= 90 else b for b in lab))
    if total > 255:
        raise NameError_("DomainNameTooLong (Domain name is too long)")
    return out


def escape_label(lab):
    out = []
    for b in lab:
        if 97 <= b <= 122 or 48 <= b <= 57 or b in (45, 95):
            out.append(chr(b))
        else:
            out.append("\\%03o" % b)
    return "".join(out)


def labels_to_name(labels):
    if not labels:
        return "."
    return ".".join(escape_label(x) for x in labels) + "."


PLAIN_NAME = re.compile(r"[A-Za-z0-9_-]{1,63}(\.[A-Za-z0-9_-]{1,63})*\.?")


def canon_name(text):
    """Input name -> stored form (lowercase, octal escapes, final dot)."""
    if text and len(text) < 254 and PLAIN_NAME.fullmatch(text):
        # Fast path: nothing to escape (most names of a big zone).
        return text.lower().rstrip(".") + "."
    return labels_to_name(parse_name(text))


def order_key(name):
    """Route 53 listing order: labels reversed, joined, trailing dot,
    compared as ASCII of the escaped form."""
    if name == ".":
        return "."
    return ".".join(reversed(name[:-1].split("."))) + "."


def in_zone(name, zone):
    return name == zone or name.endswith("." + zone) or zone == "."


# ---------------------------------------------------------------- values

def bad_value(code, desc, value):
    return ("Invalid Resource Record: 'FATAL problem: %s (%s) encountered "
            "with '%s''" % (code, desc, value))


def _uint(tok, maxv):
    return re.fullmatch(r"[0-9]{1,10}", tok or "") is not None and \
        int(tok) <= maxv


def _hostname_ok(tok, allow_root=False):
    if tok == ".":
        return allow_root
    try:
        parse_name(tok)
    except NameError_:
        return False
    return True


def _char_strings(value):
    """Parse a sequence of quoted character-strings separated by blanks.
    Returns a list of octet lengths or raises ValueError(code, desc)."""
    i = 0
    n = len(value)
    lens = []
    while i < n:
        if value[i] in " \t":
            i += 1
            continue
        if value[i] != '"':
            raise ValueError("InvalidCharacterString",
                             "Value should be enclosed in quotation marks")
        i += 1
        octets = 0
        closed = False
        while i < n:
            c = value[i]
            if c == "\\":
                if re.match(r"[0-3][0-7][0-7]", value[i + 1:i + 4]):
                    i += 4
                elif i + 1 < n:
                    i += 2
                else:
                    raise ValueError("InvalidCharacterString",
                                     "Value contains an unterminated escape")
                octets += 1
                continue
            if c == '"':
                closed = True
                i += 1
                break
            if ord(c) < 0x20 or ord(c) > 0x7E:
                raise ValueError("InvalidCharacterString",
                                 "Value contains an invalid character")
            octets += 1
            i += 1
        if not closed:
            raise ValueError("InvalidCharacterString",
                             "Value should be enclosed in quotation marks")
        if octets > 255:
            raise ValueError("CharacterStringTooLong", "Value is too long")
        if i < n and value[i] not in " \t":
            raise ValueError("InvalidCharacterString",
                             "Character strings must be separated by a space")
        lens.append(octets)
    if not lens:
        raise ValueError("InvalidCharacterString",
                         "Value should be enclosed in quotation marks")
    return lens


def _tokens(value):
    """Split on blanks, keeping quoted strings (with their quotes) whole."""
    toks = []
    i = 0
    n = len(value)
    while i < n:
        if value[i] in " \t":
            i += 1
            continue
        j = i
        if value[i] == '"':
            j += 1
            while j < n and value[j] != '"':
                j += 2 if value[j] == "\\" else 1
            j += 1
            if j > n:
                raise ValueError("unbalanced quotes")
        else:
            while j < n and value[j] not in " \t":
                j += 1
        toks.append(value[i:j])
        i = j
    return toks


def _quoted(tok):
    if len(tok) < 2 or tok[0] != '"' or tok[-1] != '"':
        return False
    try:
        _char_strings(tok)
    except ValueError:
        return False
    return True


def _hex(tok, length=None):
    if not re.fullmatch(r"[0-9a-fA-F]+", tok or "") or len(tok) % 2:
        return False
    return length is None or len(tok) == length


# The CAA tags the Route 53 Developer Guide lists.
CAA_TAGS = {"issue", "issuewild", "iodef", "contactemail", "contactphone",
            "issuemail", "issuevmc"}
SVC_KEYS = {"mandatory", "alpn", "no-default-alpn", "port", "ipv4hint",
            "ech", "ipv6hint"}


def check_value(rtype, value):
    """None if VALUE is valid rdata for RTYPE, else the error message."""
    if len(value) > MAX_VALUE:
        return bad_value("%sRDATATooLong" % rtype, "Value is too long",
                         value[:64])
    if value == "" or value != value.strip() and rtype not in ("TXT", "SPF"):
        return bad_value("%sRDATAIncorrectFormat" % rtype,
                         "Value is not in the correct format", value)
    try:
        toks = _tokens(value)
    except ValueError:
        return bad_value("UnbalancedQuotes", "Value has unbalanced quotes",
                         value)
    ok = True
    if rtype == "A":
        ok = re.fullmatch(r"(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])"
                          r"(\.(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9]))"
                          r"{3}", value) is not None
        if not ok:
            return bad_value("ARRDATAIllegalIPv4Address",
                             "Value is not a valid IPv4 address", value)
    elif rtype == "AAAA":
        try:
            ipaddress.IPv6Address(value)
        except ValueError:
            ok = False
        if not ok or "%" in value:
            return bad_value("AAAARRDATAIllegalIPv6Address",
                             "Value is not a valid IPv6 address", value)
    elif rtype in ("CNAME", "NS", "PTR"):
        ok = len(toks) == 1 and _hostname_ok(value)
    elif rtype == "MX":
        ok = len(toks) == 2 and _uint(toks[0], 65535) and \
            _hostname_ok(toks[1], True)
    elif rtype == "SRV":
        ok = len(toks) == 4 and all(_uint(t, 65535) for t in toks[:3]) and \
            _hostname_ok(toks[3], True)
    elif rtype == "SOA":
        ok = len(toks) == 7 and _hostname_ok(toks[0]) and \
            _hostname_ok(toks[1]) and \
            all(_uint(t, 4294967295) for t in toks[2:])
    elif rtype in ("TXT", "SPF"):
        try:
            _char_strings(value)
        except ValueError as e:
            return bad_value(e.args[0], e.args[1], value)
    elif rtype == "CAA":
        ok = len(toks) == 3 and _uint(toks[0], 255) and \
            toks[1].lower() in CAA_TAGS and _quoted(toks[2])
    elif rtype == "DS":
        ok = len(toks) == 4 and _uint(toks[0], 65535) and \
            _uint(toks[1], 255) and _uint(toks[2], 255) and \
            _hex(toks[3], {"1": 40, "2": 64, "4": 96}.get(
                toks[2].lstrip("0") or "0"))
    elif rtype == "SSHFP":
        ok = len(toks) == 3 and _uint(toks[0], 255) and \
            _uint(toks[1], 255) and \
            _hex(toks[2], {"1": 40, "2": 64}.get(toks[1]))
    elif rtype == "TLSA":
        ok = len(toks) == 4 and all(_uint(t, 255) for t in toks[:3]) and \
            _hex(toks[3])
    elif rtype == "NAPTR":
        ok = len(toks) == 6 and _uint(toks[0], 65535) and \
            _uint(toks[1], 65535) and all(_quoted(t) for t in toks[2:5]) \
            and _hostname_ok(toks[5], True)
    elif rtype in ("SVCB", "HTTPS"):
        ok = len(toks) >= 2 and _uint(toks[0], 65535) and \
            _hostname_ok(toks[1], True)
        for t in toks[2:] if ok else []:
            key = t.split("=", 1)[0]
            if not (key in SVC_KEYS or re.fullmatch(r"key[0-9]{1,5}", key)):
                ok = False
            elif "=" in t and t.split("=", 1)[1] == "":
                ok = False
    if not ok:
        return bad_value("%sRDATAIncorrectFormat" % rtype,
                         "Value is not in the correct format", value)
    return None


# ---------------------------------------------------------------- XML

def strip_ns(tag):
    return tag.split("}", 1)[1] if tag.startswith("{") else tag


def xsd_expected(seq, i, count):
    names = []
    for k in range(i, len(seq)):
        name, mn, mx = seq[k]
        c = count if k == i else 0
        if c < mx:
            names.append(name)
        if c < mn:
            break
    return names


def fmt_expected(names):
    return "One of '{%s}' is expected." % ", ".join(
        '"%s":%s' % (NS, x) for x in names)


def xsd_validate(elem):
    """Check ELEM (namespaces stripped) against SCHEMA, recursively."""
    name = strip_ns(elem.tag)
    seq = SCHEMA.get(name)
    if seq is None:
        if len(elem):
            raise invalid_input(
                "Invalid XML ; cvc-complex-type.2.4.d: Invalid content was "
                "found starting with element '%s'. No child element is "
                "expected at this point." % strip_ns(elem[0].tag))
        return
    i = 0
    count = 0
    for child in elem:
        tag = strip_ns(child.tag)
        if not child.tag.startswith("{" + NS + "}"):
            raise invalid_input(
                "Invalid XML ; cvc-complex-type.2.4.a: Invalid content was "
                "found starting with element '%s'. %s"
                % (tag, fmt_expected(xsd_expected(seq, i, count))))
        j = i
        matched = False
        while j < len(seq):
            cname, mn, mx = seq[j]
            c = count if j == i else 0
            if cname == tag and c < mx:
                matched = True
                break
            if c < mn:
                break
            j += 1
        if not matched:
            exp = xsd_expected(seq, i, count)
            if not exp:
                raise invalid_input(
                    "Invalid XML ; cvc-complex-type.2.4.d: Invalid content "
                    "was found starting with element '%s'. No child element "
                    "is expected at this point." % tag)
            raise invalid_input(
                "Invalid XML ; cvc-complex-type.2.4.a: Invalid content was "
                "found starting with element '%s'. %s"
                % (tag, fmt_expected(exp)))
        if j != i:
            i = j
            count = 0
        count += 1
        xsd_validate(child)
    missing = False
    for k in range(i, len(seq)):
        c = count if k == i else 0
        if c < seq[k][1]:
            missing = True
            break
    if missing:
        raise invalid_input(
            "Invalid XML ; cvc-complex-type.2.4.b: The content of element "
            "'%s' is not complete. %s"
            % (name, fmt_expected(xsd_expected(seq, i, count))))


def parse_body(body, root_name):
    try:
        root = ET.fromstring(body)
    except ET.ParseError as e:
        raise invalid_input("Invalid XML ; %s" % e)
    if root.tag != "{%s}%s" % (NS, root_name):
        raise invalid_input("Invalid XML ; cvc-elt.1: Cannot find the "
                            "declaration of element '%s'." % strip_ns(root.tag))
    xsd_validate(root)
    return root


def child(elem, name):
    if elem is None:
        return None
    return elem.find("{%s}%s" % (NS, name))


def text(elem, name, default=None):
    c = child(elem, name)
    if c is None:
        return default
    return c.text if c.text is not None else ""


def el(name, value):
    return "<%s>%s</%s>" % (name, xesc(str(value)), name)


def sub_to_dict(elem):
    """Leaf-or-nested element -> str or dict (schema order kept)."""
    if len(elem) == 0:
        return (elem.text or "").strip()
    return {strip_ns(c.tag): sub_to_dict(c) for c in elem}


def dict_to_xml(name, value):
    if isinstance(value, dict):
        order = [e for e, _, _ in SCHEMA.get(name, [])] or list(value)
        inner = "".join(dict_to_xml(k, value[k]) for k in order if k in value)
        return "<%s>%s</%s>" % (name, inner, name)
    return el(name, value)


def rrset_xml(rr):
    out = ["<ResourceRecordSet>"]
    for key in RRSET_ORDER:
        if key not in rr:
            continue
        if key == "ResourceRecords":
            out.append("<ResourceRecords>")
            for v in rr[key]:
                out.append("<ResourceRecord>%s</ResourceRecord>"
                           % el("Value", v))
            out.append("</ResourceRecords>")
        else:
            out.append(dict_to_xml(key, rr[key]))
    out.append("</ResourceRecordSet>")
    return "".join(out)


def xml_doc(root, inner):
    return ('<?xml version="1.0"?>\n<%s xmlns="%s">%s</%s>'
            % (root, NS, inner, root)).encode("utf-8")


# ---------------------------------------------------------------- helpers

def now_iso(t):
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(t)) + \
        ".%03dZ" % int((t % 1) * 1000)


def rr_key(rr):
    return (rr["Name"], rr["Type"], rr.get("SetIdentifier", ""))


def rr_sort_key(rr):
    return (order_key(rr["Name"]), rr["Type"], rr.get("SetIdentifier", ""))


def rr_desc(rr):
    s = "[name='%s', type='%s'" % (rr["Name"], rr["Type"])
    if "SetIdentifier" in rr:
        s += ", set-identifier='%s'" % rr["SetIdentifier"]
    return s + "]"


def rr_equal(a, b):
    ka = dict(a)
    kb = dict(b)
    ra = sorted(ka.pop("ResourceRecords", []))
    rb = sorted(kb.pop("ResourceRecords", []))
    return ka == kb and ra == rb


def new_id(prefix, n=20):
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
    raw = os.urandom(n)
    return prefix + "".join(alphabet[b % 36] for b in raw)


def bare_id(text_id, kind):
    t = unquote(text_id)
    p = "/%s/" % kind
    if t.startswith(p):
        t = t[len(p):]
    elif t.startswith(kind + "/"):
        t = t[len(kind) + 1:]
    return t


# ---------------------------------------------------------------- state

class Emulator:
    def __init__(self, args):
        self.args = args
        self.lock = threading.RLock()
        self.zones = {}          # id -> zone dict
        self.changes = {}        # id -> {"submitted": t, "comment": c}
        self.index = {}          # zone id -> see zindex()
        self.quota = args.quota
        self.pending = args.pending_seconds
        self.state_file = args.state
        self.counters = {}
        self.fault_counts = {}
        self.error_counts = {}
        self.total = 0
        self.faults = {}
        self.reset_faults()
        self.apply_faults({
            "throttle_rate": args.throttle_rate,
            "prior_request_rate": args.prior_request_rate,
            "error5xx_rate": args.error5xx_rate,
            "drop_rate": args.drop_rate,
            "latency_ms": args.latency_ms,
            "account_rate_limit": args.account_rate_limit,
            "drop_after_change": args.drop_after_change,
            "seed": args.seed,
        })
        self.load()

    # -- faults
    def reset_faults(self):
        self.faults = {"throttle_rate": 0.0, "prior_request_rate": 0.0,
                       "error5xx_rate": 0.0, "drop_rate": 0.0,
                       "latency_ms": 0, "account_rate_limit": 0,
                       "drop_after_change": 0, "after_change": "drop",
                       "script": [], "apis": [],
                       "seed": None, "icb_form": "error",
                       "clock_offset": 0, "expired_tokens": []}
        self.rng = random.Random()
        self.changes_seen = 0
        self.bucket = None

    def apply_faults(self, d):
        with self.lock:
            if d.get("clear"):
                self.reset_faults()
            for k, v in d.items():
                if k == "clear" or v is None:
                    continue
                if k not in self.faults:
                    raise ValueError("unknown fault setting %r" % k)
                if k in ("throttle_rate", "prior_request_rate",
                         "error5xx_rate", "drop_rate"):
                    v = float(v)
                    if not 0.0 <= v <= 1.0:
                        raise ValueError("%s must be in [0,1]" % k)
                elif k in ("latency_ms", "drop_after_change", "clock_offset"):
                    v = int(v)
                elif k == "account_rate_limit":
                    v = float(v)
                    self.bucket = [v, time.monotonic()] if v > 0 else None
                elif k == "script":
                    v = [str(x) for x in v]
                    for x in v:
                        if x not in ("throttle", "prior", "500", "503",
                                     "drop", "ok"):
                            raise ValueError("bad script entry %r" % x)
                elif k in ("apis", "expired_tokens"):
                    v = [str(x) for x in v]
                elif k == "seed":
                    v = int(v)
                    self.rng = random.Random(v)
                elif k == "after_change":
                    if v not in ("drop", "500", "503"):
                        raise ValueError("after_change: drop|500|503")
                elif k == "icb_form":
                    if v not in ("error", "messages"):
                        raise ValueError("icb_form: error|messages")
                if k == "drop_after_change":
                    self.changes_seen = 0
                self.faults[k] = v
            return dict(self.faults)

    def now(self):
        return time.time() + self.faults.get("clock_offset", 0)

    def draw_fault(self, api):
        """The fault for this API request, or None."""
        with self.lock:
            f = self.faults
            # The account-wide limit counts every API request.
            if self.bucket is not None:
                rate = f["account_rate_limit"]
                tokens, last = self.bucket
                t = time.monotonic()
                tokens = min(rate, tokens + (t - last) * rate)
                if tokens < 1.0:
                    self.bucket = [tokens, t]
                    return "throttle"
                self.bucket = [tokens - 1.0, t]
            if f["apis"] and api not in f["apis"]:
                return None
            if f["script"]:
                x = f["script"].pop(0)
                if x != "ok":
                    return x
                return None
            total = (f["drop_rate"] + f["throttle_rate"] +
                     f["prior_request_rate"] + f["error5xx_rate"])
            if total <= 0:
                return None
            u = self.rng.random()
            edge = f["drop_rate"]
            if u < edge:
                return "drop"
            edge += f["throttle_rate"]
            if u < edge:
                return "throttle"
            edge += f["prior_request_rate"]
            if u < edge:
                return "prior"
            edge += f["error5xx_rate"]
            if u < edge:
                return "500" if self.rng.random() < 0.5 else "503"
            return None

    def count(self, api):
        with self.lock:
            self.counters[api] = self.counters.get(api, 0) + 1
            self.total += 1

    def count_fault(self, kind):
        with self.lock:
            self.fault_counts[kind] = self.fault_counts.get(kind, 0) + 1

    def count_error(self, code):
        with self.lock:
            self.error_counts[code] = self.error_counts.get(code, 0) + 1

    def counters_json(self):
        with self.lock:
            d = dict(self.counters)
            d["_total"] = self.total
            d["_faults"] = dict(self.fault_counts)
            d["_errors"] = dict(self.error_counts)
            return d

    def reset_counters(self):
        with self.lock:
            self.counters = {}
            self.fault_counts = {}
            self.error_counts = {}
            self.total = 0

    # -- persistence
    def load(self):
        if not self.state_file or not os.path.exists(self.state_file):
            return
        with open(self.state_file, encoding="utf-8") as fh:
            data = json.load(fh)
        self.zones = data.get("zones", {})
        self.changes = data.get("changes", {})
        for z in self.zones.values():
            z["rrsets"] = {self.key_str(rr): rr for rr in z.pop("rrset_list")}

    @staticmethod
    def key_str(rr):
        return "\x00".join(rr_key(rr))

    def save(self):
        if not self.state_file:
            return
        zones = {}
        for zid, z in self.zones.items():
            zz = {k: v for k, v in z.items() if k != "rrsets"}
            zz["rrset_list"] = list(z["rrsets"].values())
            zones[zid] = zz
        tmp = "%s.tmp.%d" % (self.state_file, os.getpid())
        with open(tmp, "w", encoding="utf-8") as fh:
            json.dump({"zones": zones, "changes": self.changes}, fh,
                      separators=(",", ":"))
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, self.state_file)

    # -- zones
    def new_change(self, comment=None):
        cid = new_id("C")
        ch = {"submitted": self.now()}
        if comment is not None:
            ch["comment"] = comment
        self.changes[cid] = ch
        return cid

    def change_info(self, cid, submit=False):
        """<ChangeInfo>; a change just submitted is always PENDING (as in
        Route 53), GetChange says INSYNC after --pending-seconds."""
        ch = self.changes[cid]
        status = "INSYNC"
        if submit or self.now() < ch["submitted"] + self.pending:
            status = "PENDING"
        s = "<ChangeInfo>%s%s%s%s</ChangeInfo>" % (
            el("Id", "/change/" + cid), el("Status", status),
            el("SubmittedAt", now_iso(ch["submitted"])),
            el("Comment", ch["comment"]) if "comment" in ch else "")
        return s

    def create_zone(self, name, caller_ref, comment=None, private=False,
                    vpc=None):
        zname = canon_name(name)
        for z in self.zones.values():
            if z["caller_ref"] == caller_ref:
                raise ApiError(409, "HostedZoneAlreadyExists",
                               "A hosted zone has already been created with "
                               "the specified caller reference.")
            if private and z["private"] and z["name"] == zname and vpc and \
                    vpc in [tuple(v) for v in z["vpcs"]]:
                raise ApiError(400, "ConflictingDomainExists",
                               "Cannot create hosted zone with DNS name %s "
                               "because a hosted zone with the same name is "
                               "already associated with VPC %s in region %s."
                               % (zname, vpc[1], vpc[0]))
        zid = new_id("Z")
        if private:
            ns = list(PRIVATE_NS)
            soa = PRIVATE_SOA
        else:
            r = random.Random(zid)
            soa = PUBLIC_SOA
            ns = []
            for base, tld in ((0, "com"), (512, "net"), (1024, "org"),
                              (1536, "co.uk")):
                k = r.randrange(512)
                ns.append("ns-%d.awsdns-%02d.%s." % (base + k, k // 8, tld))
        z = {"id": zid, "name": zname, "caller_ref": caller_ref,
             "comment": comment, "private": bool(private),
             "vpcs": [list(vpc)] if vpc else [], "ns": ns, "limit": None,
             "created": self.now(), "rrsets": {}}
        for rr in ({"Name": zname, "Type": "NS", "TTL": "172800",
                    "ResourceRecords": ns},
                   {"Name": zname, "Type": "SOA", "TTL": "900",
                    "ResourceRecords": [soa]}):
            z["rrsets"][self.key_str(rr)] = rr
        self.zones[zid] = z
        return z

    def zone(self, zid):
        if len(zid) > 32:
            raise invalid_input(
                "1 validation error detected: Value '%s' at 'id' failed to "
                "satisfy constraint: Member must have length less than or "
                "equal to 32" % zid)
        z = self.zones.get(zid)
        if z is None:
            raise ApiError(404, "NoSuchHostedZone",
                           "No hosted zone found with ID: %s" % zid)
        return z

    def zindex(self, z):
        """Per-zone index, cached while z["rrsets"] is the same dict:
        "keys"/"rrs" in listing order, "by_name" name -> {key: rrset}."""
        idx = self.index.get(z["id"])
        if idx is None or idx["rrsets"] is not z["rrsets"]:
            rrs = sorted(z["rrsets"].values(), key=rr_sort_key)
            by_name = {}
            for k, rr in z["rrsets"].items():
                by_name.setdefault(rr["Name"], {})[k] = rr
            idx = {"rrsets": z["rrsets"], "keys": [rr_sort_key(r) for r in rrs],
                   "rrs": rrs, "by_name": by_name}
            self.index[z["id"]] = idx
        return idx

    def sorted_rrsets(self, z):
        idx = self.zindex(z)
        return idx["keys"], idx["rrs"]

    def commit(self, z, batch):
        """Make BATCH's working copy the zone's RRsets and update the index
        in place (a full rebuild per batch is slow for 100,000 RRsets)."""
        idx = self.zindex(z)
        old, new = z["rrsets"], batch.work
        for name, d in batch.overlay.items():
            if d:
                idx["by_name"][name] = d
            else:
                idx["by_name"].pop(name, None)
        keys, rrs = idx["keys"], idx["rrs"]
        for k in batch.touched:
            if k in old:
                sk = rr_sort_key(old[k])
                i = bisect.bisect_left(keys, sk)
                del keys[i]
                del rrs[i]
            if k in new:
                sk = rr_sort_key(new[k])
                i = bisect.bisect_left(keys, sk)
                keys.insert(i, sk)
                rrs.insert(i, new[k])
        z["rrsets"] = new
        idx["rrsets"] = new

    def zone_limit(self, z):
        return z["limit"] if z.get("limit") else self.quota

    def hosted_zone_xml(self, z):
        cfg = ""
        if z.get("comment") is not None:
            cfg += el("Comment", z["comment"])
        cfg += el("PrivateZone", "true" if z["private"] else "false")
        return ("<HostedZone>%s%s%s<Config>%s</Config>%s</HostedZone>" % (
            el("Id", "/hostedzone/" + z["id"]), el("Name", z["name"]),
            el("CallerReference", z["caller_ref"]), cfg,
            el("ResourceRecordSetCount", len(z["rrsets"]))))

    def delegation_xml(self, z):
        return "<DelegationSet><NameServers>%s</NameServers></DelegationSet>" \
            % "".join(el("NameServer", n[:-1]) for n in z["ns"])

    def vpcs_xml(self, z):
        return "<VPCs>%s</VPCs>" % "".join(
            "<VPC>%s%s</VPC>" % (el("VPCRegion", r), el("VPCId", v))
            for r, v in z["vpcs"])

    def sorted_zones(self):
        return sorted(self.zones.values(),
                      key=lambda z: (order_key(z["name"]), z["id"]))


# ---------------------------------------------------------------- batches

def parse_rrset(e):
    """<ResourceRecordSet> element -> stored dict (normalised)."""
    rr = {}
    for c in e:
        tag = strip_ns(c.tag)
        if tag == "ResourceRecords":
            rr[tag] = [text(r, "Value") or "" for r in c]
        elif len(c):
            rr[tag] = sub_to_dict(c)
        else:
            rr[tag] = c.text or ""
    return rr


def change_desc(action, rr):
    return ("[Action=%s, Name=%s, Type=%s, SetIdentifier=%s]"
            % (action, rr.get("Name"), rr.get("Type"),
               rr.get("SetIdentifier", "null")))


def normalise_rrset(action, rr, idx):
    """Type-independent checks of one change; returns the normalised RRset
    or raises ApiError.  IDX is the 1-based change number."""
    rtype = rr["Type"]
    if rtype not in TYPES:
        raise invalid_input(
            "1 validation error detected: Value '%s' at 'changeBatch.changes."
            "%d.member.resourceRecordSet.type' failed to satisfy constraint: "
            "Member must satisfy enum value set: [%s]"
            % (rtype, idx, ", ".join(TYPES)))
    if action not in ("CREATE", "DELETE", "UPSERT"):
        raise invalid_input(
            "1 validation error detected: Value '%s' at 'changeBatch.changes."
            "%d.member.action' failed to satisfy constraint: Member must "
            "satisfy enum value set: [CREATE, DELETE, UPSERT]" % (action, idx))
    try:
        rr["Name"] = canon_name(rr["Name"])
    except NameError_ as e:
        raise icb(["FATAL problem: %s encountered with '%s'"
                   % (e, rr["Name"])])
    for num, lo, hi in (("TTL", 0, 2147483647), ("Weight", 0, 255)):
        if num in rr:
            v = rr[num].strip()
            if not re.fullmatch(r"-?[0-9]+", v):
                raise invalid_input(
                    "Invalid XML ; cvc-datatype-valid.1.2.1: '%s' is not a "
                    "valid value for 'integer'." % rr[num])
            if int(v) < lo or int(v) > hi:
                raise invalid_input(
                    "1 validation error detected: Value '%s' at 'changeBatch."
                    "changes.%d.member.resourceRecordSet.%s' failed to "
                    "satisfy constraint: Member must have value %s to %d"
                    % (v, idx, num[0].lower() + num[1:],
                       "greater than or equal" if int(v) < lo
                       else "less than or equal", lo if int(v) < lo else hi))
            rr[num] = str(int(v))
    for b in ("MultiValueAnswer",):
        if b in rr:
            rr[b] = rr[b].strip().lower()
    at = rr.get("AliasTarget")
    if at is not None:
        etv = at.get("EvaluateTargetHealth", "").strip().lower()
        if etv not in ("true", "false", "1", "0"):
            raise invalid_input(
                "Invalid XML ; cvc-datatype-valid.1.2.1: '%s' is not a valid "
                "value for 'boolean'." % at.get("EvaluateTargetHealth"))
        at["EvaluateTargetHealth"] = "true" if etv in ("true", "1") \
            else "false"
        try:
            at["DNSName"] = canon_name(at["DNSName"])
        except NameError_ as e:
            raise icb(["FATAL problem: %s encountered with '%s'"
                       % (e, at["DNSName"])])
        at["HostedZoneId"] = at["HostedZoneId"].strip()
    has_rr = "TTL" in rr or "ResourceRecords" in rr
    full_rr = "TTL" in rr and "ResourceRecords" in rr
    kinds = (1 if at is not None else 0) + (1 if has_rr else 0) + \
        (1 if "TrafficPolicyInstanceId" in rr else 0)
    if kinds != 1 or (has_rr and not full_rr):
        which = "none" if kinds == 0 or (has_rr and not full_rr and
                                         kinds == 1) else "more than one"
        raise invalid_input(
            "Invalid request: Expected exactly one of [AliasTarget, all of "
            "[TTL, and ResourceRecords], or TrafficPolicyInstanceId], but "
            "found %s in Change with %s" % (which, change_desc(action, rr)))
    routing = [k for k in ROUTING if k in rr]
    if "SetIdentifier" in rr:
        if len(routing) != 1:
            raise invalid_input(
                "Invalid request: Expected exactly one of [Weight, Region, "
                "Failover, GeoLocation, MultiValueAnswer, "
                "GeoProximityLocation, or CidrRoutingConfig], but found %s in "
                "Change with %s" % ("none" if not routing else "more than one",
                                    change_desc(action, rr)))
    elif routing:
        raise invalid_input(
            "Invalid request: Missing field 'SetIdentifier' in Change with %s"
            % change_desc(action, rr))
    return rr


def check_rrset_values(rr, zone_name):
    """Per-RRset rules that do not depend on other RRsets: list of msgs."""
    msgs = []
    rtype = rr["Type"]
    name = rr["Name"]
    if not in_zone(name, zone_name):
        return ["RRSet with DNS name %s is not permitted in zone %s"
                % (name, zone_name)]
    if rtype == "CNAME" and name == zone_name:
        msgs.append("RRSet of type CNAME with DNS name %s is not permitted "
                    "at apex in zone %s" % (name, zone_name))
    if rtype == "NS" and name.split(".")[0] == "\\052":
        msgs.append("RRSet of type NS with DNS name %s is not permitted: "
                    "wildcard NS records are not supported" % name)
    if rtype == "SOA" and name != zone_name:
        msgs.append("RRSet of type SOA with DNS name %s is not permitted "
                    "because SOA records are only permitted at apex in zone "
                    "%s" % (name, zone_name))
    vals = rr.get("ResourceRecords")
    if vals is not None:
        if rtype in ("CNAME", "SOA") and len(vals) > 1:
            msgs.append("RRSet of type %s with DNS name %s has more than one "
                        "resource record; %s RRSets must contain exactly one "
                        "resource record" % (rtype, name, rtype))
        if len(set(vals)) != len(vals):
            msgs.append("Duplicate Resource Record: '%s'"
                        % [v for v in vals if vals.count(v) > 1][0])
        for v in vals:
            m = check_value(rtype, v)
            if m:
                msgs.append(m)
    return msgs


class Batch:
    """Applies a change batch to a working copy of one zone's RRsets."""

    def __init__(self, emu, zone):
        self.emu = emu
        self.zone = zone
        self.work = dict(zone["rrsets"])
        # name -> {key: rrset}: the CNAME and routing rules look at one
        # name only.  The zone's index is shared; names this batch touches
        # get a private copy in the overlay (copy on write).
        self.base = emu.zindex(zone)["by_name"]
        self.overlay = {}
        self.touched = set()

    def names(self, name):
        if name in self.overlay:
            return self.overlay[name]
        return self.base.get(name, {})

    def _remove(self, k):
        rr = self.work.pop(k)
        d = dict(self.names(rr["Name"]))
        del d[k]
        self.overlay[rr["Name"]] = d
        self.touched.add(k)

    def _put(self, k, rr):
        self.work[k] = rr
        d = dict(self.names(rr["Name"]))
        d[k] = rr
        self.overlay[rr["Name"]] = d
        self.touched.add(k)

    def apply(self, changes):
        msgs = []
        seen = {}
        zname = self.zone["name"]
        for action, rr in changes:
            k = Emulator.key_str(rr)
            prev = seen.get(k)
            seen[k] = action
            if prev is not None and not (prev == "DELETE" and
                                         action == "CREATE"):
                msgs.append("The request contains an invalid set of changes "
                            "for a resource record set '%s %s'"
                            % (rr["Type"], rr["Name"]))
                continue
            vmsgs = check_rrset_values(rr, zname)
            if vmsgs:
                msgs.extend(vmsgs)
                continue
            cur = self.work.get(k)
            if action == "DELETE":
                if rr["Name"] == zname and rr["Type"] == "SOA":
                    msgs.append("A HostedZone must contain exactly one SOA "
                                "record.")
                    continue
                if rr["Name"] == zname and rr["Type"] == "NS" and \
                        "SetIdentifier" not in rr:
                    msgs.append("A HostedZone must contain at least one NS "
                                "record for the zone itself.")
                    continue
                if cur is None:
                    msgs.append("Tried to delete resource record set %s but "
                                "it was not found" % rr_desc(rr))
                    continue
                if not rr_equal(cur, rr):
                    msgs.append("Tried to delete resource record set %s but "
                                "the values provided do not match the "
                                "current values" % rr_desc(rr))
                    continue
                self._remove(k)
                continue
            if action == "CREATE" and cur is not None:
                msgs.append("Tried to create resource record set %s but it "
                            "already exists" % rr_desc(rr))
                continue
            m = self._conflicts(rr, zname)
            if m:
                msgs.append(m)
                continue
            self._put(k, rr)
        if msgs:
            raise icb(msgs)
        return self.work

    def _conflicts(self, rr, zname):
        name = rr["Name"]
        mine = Emulator.key_str(rr)
        others = [o for k, o in self.names(name).items() if k != mine]
        if rr["Type"] == "CNAME":
            if any(o["Type"] != "CNAME" for o in others):
                return ("RRSet of type CNAME with DNS name %s is not "
                        "permitted as it conflicts with other records with "
                        "the same DNS name in zone %s" % (name, zname))
        elif any(o["Type"] == "CNAME" for o in others):
            return ("RRSet of type %s with DNS name %s is not permitted "
                    "because a conflicting RRSet of type CNAME with the same "
                    "DNS name already exists in zone %s" % (rr["Type"], name,
                                                            zname))
        same = [o for o in others if o["Type"] == rr["Type"]]
        if same:
            if "SetIdentifier" in rr and any("SetIdentifier" not in o
                                             for o in same):
                return ("RRSet with DNS name %s, type %s, SetIdentifier %s "
                        "cannot be created as a non-weighted set exists with "
                        "the same name and type." % (name, rr["Type"],
                                                     rr["SetIdentifier"]))
            if "SetIdentifier" not in rr:
                return ("RRSet with DNS name %s, type %s cannot be created "
                        "as other RRSets exist with the same name and type."
                        % (name, rr["Type"]))
        at = rr.get("AliasTarget")
        if at is not None and at["HostedZoneId"] == self.zone["id"]:
            tgt = [o for o in self.names(at["DNSName"]).values()
                   if o["Type"] == rr["Type"]]
            if not in_zone(at["DNSName"], zname):
                return ("Tried to create an alias that targets %s, type %s in "
                        "zone %s, but the alias target name does not lie "
                        "within the target zone" % (at["DNSName"], rr["Type"],
                                                    self.zone["id"]))
            if not tgt:
                return ("Tried to create an alias that targets %s, type %s in "
                        "zone %s, but that target was not found"
                        % (at["DNSName"], rr["Type"], self.zone["id"]))
        return None


# ---------------------------------------------------------------- SigV4

def amz_time(t):
    return time.strftime("%Y%m%dT%H%M%SZ", time.gmtime(t))


def parse_amz_date(s):
    try:
        return time.mktime(time.strptime(s, "%Y%m%dT%H%M%SZ")) - \
            time.mktime(time.gmtime(0))
    except (ValueError, OverflowError):
        pass
    try:
        from email.utils import parsedate_to_datetime
        return parsedate_to_datetime(s).timestamp()
    except (TypeError, ValueError, IndexError):
        return None


def normalize_path(path):
    """RFC 3986 remove_dot_segments, keeping a trailing slash, then encode
    once more (SigV4 for every service but S3)."""
    if not path:
        return "/"
    segs = path.split("/")
    out = []
    for s in segs[1:]:
        if s == ".":
            continue
        if s == "..":
            if out:
                out.pop()
            continue
        out.append(s)
    norm = "/" + "/".join(out)
    if path.endswith("/") and not norm.endswith("/"):
        norm += "/"
    return quote(norm, safe="/~")


def canonical_query(raw):
    pairs = []
    if raw:
        for part in raw.split("&"):
            if part == "":
                continue
            k, _, v = part.partition("=")
            pairs.append((quote(unquote(k), safe="-_.~"),
                          quote(unquote(v), safe="-_.~")))
    pairs.sort()
    return "&".join("%s=%s" % kv for kv in pairs)


def sigv4_check(emu, method, raw_path, raw_query, headers, body,
                service="route53"):
    """None if the request is correctly signed, else an ApiError.  The
    key is the emulator's pair or one issued by its STS (sts.py)."""
    args = emu.args
    want_service = service
    auth = headers.get("authorization")
    if not auth:
        return ApiError(403, "MissingAuthenticationToken",
                        "Missing Authentication Token")
    if not auth.startswith("AWS4-HMAC-SHA256 "):
        return ApiError(403, "IncompleteSignature",
                        "Unsupported AWS 'algorithm': '%s'"
                        % auth.split(" ", 1)[0])
    fields = {}
    problems = []
    for part in auth[len("AWS4-HMAC-SHA256 "):].split(","):
        part = part.strip()
        if not part:
            continue
        if "=" not in part:
            return ApiError(403, "IncompleteSignature",
                            "'%s' not a valid key=value pair (missing "
                            "equal-sign) in Authorization header: '%s'."
                            % (part, auth))
        k, v = part.split("=", 1)
        fields[k] = v
    for req in ("Credential", "Signature", "SignedHeaders"):
        if req not in fields:
            problems.append("Authorization header requires '%s' parameter."
                            % req)
    amz_date = headers.get("x-amz-date") or headers.get("date")
    if not amz_date:
        problems.append("Authorization header requires existence of either "
                        "a 'X-Amz-Date' or a 'Date' header.")
    if problems:
        return ApiError(403, "IncompleteSignature",
                        " ".join(problems) + " Authorization=" + auth)
    cred = fields["Credential"].split("/")
    if len(cred) != 5 or cred[4] != "aws4_request":
        return ApiError(403, "IncompleteSignature",
                        "Credential should be scoped to a valid region, not "
                        "'%s'. " % (cred[2] if len(cred) > 2 else ""))
    akid, day, region, service, _ = cred
    issued = sts_api.lookup(akid)
    secret_key = issued["secret"] if issued else args.secret_key
    if akid != args.access_key and issued is None:
        return ApiError(403, "InvalidClientTokenId",
                        "The security token included in the request is "
                        "invalid.")
    token = headers.get("x-amz-security-token")
    if issued is not None and token != issued["token"]:
        return ApiError(403, "InvalidClientTokenId",
                        "The security token included in the request is "
                        "invalid.")
    if issued is not None and emu.now() >= issued["exp"]:
        return ApiError(403, "ExpiredToken",
                        "The security token included in the request is "
                        "expired")
    if issued is None and token is not None and \
            args.session_token is not None and token != args.session_token:
        return ApiError(403, "InvalidClientTokenId",
                        "The security token included in the request is "
                        "invalid.")
    if token is not None and token in emu.faults.get("expired_tokens", []):
        return ApiError(403, "ExpiredToken",
                        "The security token included in the request is "
                        "expired")
    t = parse_amz_date(amz_date)
    if t is None:
        return ApiError(403, "IncompleteSignature",
                        "Date must be in ISO-8601 'basic format'. Got '%s'. "
                        "See http://en.wikipedia.org/wiki/ISO_8601" % amz_date)
    now = emu.now()
    if t < now - SKEW:
        return ApiError(403, "SignatureDoesNotMatch",
                        "Signature expired: %s is now earlier than %s "
                        "(%s - 5 min.)" % (amz_time(t), amz_time(now - SKEW),
                                           amz_time(now)))
    if t > now + SKEW:
        return ApiError(403, "SignatureDoesNotMatch",
                        "Signature not yet current: %s is still later than %s "
                        "(%s + 5 min.)" % (amz_time(t), amz_time(now + SKEW),
                                           amz_time(now)))
    if day != amz_time(t)[:8]:
        return ApiError(403, "SignatureDoesNotMatch",
                        "Date in Credential scope does not match YYYYMMDD "
                        "from ISO-8601 version of date from HTTP: '%s' != "
                        "'%s', from '%s'." % (day, amz_time(t)[:8], amz_date))
    if region != "us-east-1" and want_service == "route53":
        return ApiError(403, "SignatureDoesNotMatch",
                        "Credential should be scoped to a valid region, not "
                        "'%s'. " % region)
    if service != want_service:
        return ApiError(403, "SignatureDoesNotMatch",
                        "Credential should be scoped to correct service: "
                        "'%s'. " % want_service)
    signed = fields["SignedHeaders"].split(";")
    if "host" not in signed:
        return ApiError(403, "SignatureDoesNotMatch",
                        "'Host' or ':authority' must be a 'SignedHeader' in "
                        "the AWS Authorization.")
    canon_headers = ""
    for h in signed:
        vals = headers.get_all(h)
        if vals is None:
            vals = []
        v = ",".join(" ".join(x.strip().split()) for x in vals)
        canon_headers += "%s:%s\n" % (h, v)
    payload = hashlib.sha256(body).hexdigest()
    declared = headers.get("x-amz-content-sha256")
    if declared is not None:
        if declared != "UNSIGNED-PAYLOAD" and declared != payload:
            return ApiError(400, "XAmzContentSHA256Mismatch",
                            "The provided 'x-amz-content-sha256' header does "
                            "not match what was computed.")
        payload = declared
    creq = "\n".join([method, normalize_path(raw_path),
                      canonical_query(raw_query), canon_headers,
                      fields["SignedHeaders"], payload])
    scope = "/".join(cred[1:])
    sts = "\n".join(["AWS4-HMAC-SHA256", amz_date if "x-amz-date" in headers
                     else amz_time(t), scope,
                     hashlib.sha256(creq.encode("utf-8")).hexdigest()])
    k = ("AWS4" + secret_key).encode("utf-8")
    for part in (day, region, service, "aws4_request"):
        k = hmac.new(k, part.encode("utf-8"), hashlib.sha256).digest()
    want = hmac.new(k, sts.encode("utf-8"), hashlib.sha256).hexdigest()
    if not hmac.compare_digest(want, fields["Signature"]):
        # stderr is the test's log file: it helps to debug a client.
        sys.stderr.write("r53emu: signature mismatch; canonical request:"
                         "\n%s\nstring to sign:\n%s\n" % (creq, sts))
        return ApiError(403, "SignatureDoesNotMatch",
                        "The request signature we calculated does not match "
                        "the signature you provided. Check your AWS Secret "
                        "Access Key and signing method. Consult the service "
                        "documentation for details.")
    return None


# ---------------------------------------------------------------- handlers

ROUTES = [
    ("POST", r"/hostedzone", "CreateHostedZone"),
    ("GET", r"/hostedzone", "ListHostedZones"),
    ("GET", r"/hostedzonesbyname", "ListHostedZonesByName"),
    ("GET", r"/hostedzonecount", "GetHostedZoneCount"),
    ("GET", r"/hostedzone/([^/]+)", "GetHostedZone"),
    ("DELETE", r"/hostedzone/([^/]+)", "DeleteHostedZone"),
    ("GET", r"/hostedzone/([^/]+)/rrset/?", "ListResourceRecordSets"),
    ("POST", r"/hostedzone/([^/]+)/rrset/?", "ChangeResourceRecordSets"),
    ("GET", r"/change/([^/]+)", "GetChange"),
    ("GET", r"/hostedzonelimit/([^/]+)/([^/]+)", "GetHostedZoneLimit"),
    ("POST", r"/tags/([^/]+)/([^/]+)", "ChangeTagsForResource"),
    ("GET", r"/tags/([^/]+)/([^/]+)", "ListTagsForResource"),
]


def route(method, path):
    if not path.startswith(API_PREFIX + "/"):
        return None, ()
    rest = path[len(API_PREFIX):]
    for m, rx, api in ROUTES:
        if m == method:
            mo = re.fullmatch(rx, rest)
            if mo:
                return api, mo.groups()
    return None, ()


def q1(query, key):
    v = query.get(key)
    return v[0] if v else None


def parse_query(raw):
    out = {}
    if raw:
        for part in raw.split("&"):
            if not part:
                continue
            k, _, v = part.partition("=")
            out.setdefault(unquote(k), []).append(unquote(v))
    return out


def maxitems(query, default, cap):
    v = q1(query, "maxitems")
    if v is None:
        return default
    if not re.fullmatch(r"[0-9]+", v) or int(v) == 0:
        raise invalid_input("Invalid value for parameter maxitems: %s" % v)
    return min(int(v), cap)


def api_create_hosted_zone(emu, groups, query, body, ctx):
    root = parse_body(body, "CreateHostedZoneRequest")
    name = text(root, "Name")
    ref = text(root, "CallerReference")
    cfg = child(root, "HostedZoneConfig")
    comment = text(cfg, "Comment")
    private = (text(cfg, "PrivateZone", "false") or "").strip() in ("true",
                                                                    "1")
    vpc_e = child(root, "VPC")
    vpc = None
    if vpc_e is not None:
        vid = text(vpc_e, "VPCId")
        if not vid:
            raise ApiError(400, "InvalidVPCId",
                           "The VPC ID that you specified either isn't a "
                           "valid ID or the current account is not "
                           "authorized to access this VPC.")
        vpc = (text(vpc_e, "VPCRegion") or "us-east-1", vid)
        private = True
    elif private:
        raise invalid_input(
            "When you're creating a private hosted zone (when you specify "
            "true for PrivateZone), you must also specify values for VPCId "
            "and VPCRegion.")
    if not ref or len(ref) > 128:
        raise invalid_input(
            "1 validation error detected: Value '%s' at 'callerReference' "
            "failed to satisfy constraint: Member must have length between "
            "1 and 128" % ref)
    try:
        labels = parse_name(name)
    except NameError_ as e:
        raise ApiError(400, "InvalidDomainName", "%s is not a valid domain "
                       "name: %s" % (name, e))
    if not labels:
        raise ApiError(400, "InvalidDomainName",
                       ". is reserved by AWS!")
    with emu.lock:
        z = emu.create_zone(name, ref, comment, private, vpc)
        cid = emu.new_change()
        emu.save()
        inner = emu.hosted_zone_xml(z) + emu.change_info(cid, True)
        if private:
            inner += "<VPC>%s%s</VPC>" % (el("VPCRegion", vpc[0]),
                                          el("VPCId", vpc[1]))
        else:
            inner += emu.delegation_xml(z)
    loc = "%s/2013-04-01/hostedzone/%s" % (ctx["base"], z["id"])
    return 201, xml_doc("CreateHostedZoneResponse", inner), {"Location": loc}


def api_get_hosted_zone(emu, groups, query, body, ctx):
    with emu.lock:
        z = emu.zone(bare_id(groups[0], "hostedzone"))
        inner = emu.hosted_zone_xml(z)
        inner += emu.vpcs_xml(z) if z["private"] else emu.delegation_xml(z)
    return 200, xml_doc("GetHostedZoneResponse", inner), {}


def api_get_hosted_zone_count(emu, groups, query, body, ctx):
    with emu.lock:
        n = len(emu.zones)
    return 200, xml_doc("GetHostedZoneCountResponse",
                        el("HostedZoneCount", n)), {}


def api_delete_hosted_zone(emu, groups, query, body, ctx):
    with emu.lock:
        z = emu.zone(bare_id(groups[0], "hostedzone"))
        for rr in z["rrsets"].values():
            if not (rr["Name"] == z["name"] and rr["Type"] in ("SOA", "NS")
                    and "SetIdentifier" not in rr):
                raise ApiError(400, "HostedZoneNotEmpty",
                               "The specified hosted zone contains "
                               "non-required resource record sets and so "
                               "cannot be deleted.")
        del emu.zones[z["id"]]
        emu.index.pop(z["id"], None)
        cid = emu.new_change()
        emu.save()
        inner = emu.change_info(cid, True)
    return 200, xml_doc("DeleteHostedZoneResponse", inner), {}


def api_list_hosted_zones(emu, groups, query, body, ctx):
    n = maxitems(query, 100, 100)
    marker = q1(query, "marker")
    with emu.lock:
        zs = sorted(emu.zones.values(), key=lambda z: z["id"])
        if marker:
            zs = [z for z in zs if z["id"] >= bare_id(marker, "hostedzone")]
        page = zs[:n]
        inner = "<HostedZones>%s</HostedZones>" % "".join(
            emu.hosted_zone_xml(z) for z in page)
        inner += el("Marker", marker or "")
        inner += el("IsTruncated", "true" if len(zs) > n else "false")
        if len(zs) > n:
            inner += el("NextMarker", zs[n]["id"])
        inner += el("MaxItems", n)
    return 200, xml_doc("ListHostedZonesResponse", inner), {}


def api_list_hosted_zones_by_name(emu, groups, query, body, ctx):
    n = maxitems(query, 100, 100)
    dns = q1(query, "dnsname")
    hzid = q1(query, "hostedzoneid")
    if hzid and not dns:
        raise invalid_input("The DNSName must be specified when the "
                            "HostedZoneId is specified.")
    start = None
    if dns:
        try:
            start = (order_key(canon_name(dns)),
                     bare_id(hzid, "hostedzone") if hzid else "")
        except NameError_ as e:
            raise ApiError(400, "InvalidDomainName",
                           "%s is not a valid domain name: %s" % (dns, e))
    with emu.lock:
        zs = emu.sorted_zones()
        if start:
            zs = [z for z in zs if (order_key(z["name"]), z["id"]) >= start]
        page = zs[:n]
        inner = "<HostedZones>%s</HostedZones>" % "".join(
            emu.hosted_zone_xml(z) for z in page)
        if dns:
            inner += el("DNSName", dns)
        if hzid:
            inner += el("HostedZoneId", hzid)
        inner += el("IsTruncated", "true" if len(zs) > n else "false")
        if len(zs) > n:
            inner += el("NextDNSName", zs[n]["name"])
            inner += el("NextHostedZoneId", zs[n]["id"])
        inner += el("MaxItems", n)
    return 200, xml_doc("ListHostedZonesByNameResponse", inner), {}


def api_list_rrsets(emu, groups, query, body, ctx):
    zid = bare_id(groups[0], "hostedzone")
    n = maxitems(query, 300, 300)
    sname = q1(query, "name")
    stype = q1(query, "type")
    sid = q1(query, "identifier")
    if stype is not None and sname is None:
        raise invalid_input("The input is not valid: you specified a type "
                            "without a name.")
    if sid is not None and stype is None:
        raise invalid_input("The input is not valid: you specified an "
                            "identifier without a type.")
    if stype is not None and stype not in TYPES:
        raise invalid_input("1 validation error detected: Value '%s' at "
                            "'type' failed to satisfy constraint: Member "
                            "must satisfy enum value set: [%s]"
                            % (stype, ", ".join(TYPES)))
    start = None
    if sname is not None:
        try:
            start = (order_key(canon_name(sname)), stype or "", sid or "")
        except NameError_ as e:
            raise invalid_input("FATAL problem: %s encountered with '%s'"
                                % (e, sname))
    with emu.lock:
        z = emu.zone(zid)
        keys, rrs = emu.sorted_rrsets(z)
        i = bisect.bisect_left(keys, start) if start else 0
        page = rrs[i:i + n]
        inner = "<ResourceRecordSets>%s</ResourceRecordSets>" % "".join(
            rrset_xml(rr) for rr in page)
        more = len(rrs) > i + n
        inner += el("IsTruncated", "true" if more else "false")
        if more:
            nxt = rrs[i + n]
            inner += el("NextRecordName", nxt["Name"])
            inner += el("NextRecordType", nxt["Type"])
            if "SetIdentifier" in nxt:
                inner += el("NextRecordIdentifier", nxt["SetIdentifier"])
        inner += el("MaxItems", n)
    return 200, xml_doc("ListResourceRecordSetsResponse", inner), {}


def api_change_rrsets(emu, groups, query, body, ctx):
    zid = bare_id(groups[0], "hostedzone")
    with emu.lock:
        emu.zone(zid)
    root = parse_body(body, "ChangeResourceRecordSetsRequest")
    cb = child(root, "ChangeBatch")
    comment = text(cb, "Comment")
    changes = []
    nrr = 0
    nchars = 0
    for idx, ch in enumerate(child(cb, "Changes"), 1):
        action = (text(ch, "Action") or "").strip()
        rr = parse_rrset(child(ch, "ResourceRecordSet"))
        rr["Type"] = rr["Type"].strip()
        mult = 2 if action == "UPSERT" else 1
        vals = rr.get("ResourceRecords", [])
        nrr += mult * len(vals)
        nchars += mult * sum(len(v) for v in vals)
        changes.append((action, rr, idx))
    if nrr > MAX_RR:
        raise icb(["Number of records limit of %d exceeded." % MAX_RR])
    if nchars > MAX_CHARS:
        raise icb(["RDATA character limit of %d exceeded." % MAX_CHARS])
    norm = [(a, normalise_rrset(a, rr, i)) for a, rr, i in changes]
    with emu.lock:
        z = emu.zone(zid)
        batch = Batch(emu, z)
        work = batch.apply(norm)
        if len(work) > emu.zone_limit(z) and len(work) > len(z["rrsets"]):
            raise icb(["Exceeded limit MAX_RRSETS_BY_ZONE for zone: %s"
                       % z["id"]])
        emu.commit(z, batch)
        cid = emu.new_change(comment)
        emu.save()
        inner = emu.change_info(cid, True)
        f = emu.faults
        drop = False
        if f["drop_after_change"]:
            emu.changes_seen += 1
            if emu.changes_seen == f["drop_after_change"]:
                drop = True
    if drop:
        kind = emu.faults["after_change"]
        emu.count_fault("drop_after_change")
        if kind == "drop":
            return "drop", None, None
        st, code, msg, sender = FAULT_ERRORS[kind]
        raise ApiError(st, code, msg, sender=sender)
    return 200, xml_doc("ChangeResourceRecordSetsResponse", inner), {}


def api_get_change(emu, groups, query, body, ctx):
    cid = bare_id(groups[0], "change")
    with emu.lock:
        if cid not in emu.changes:
            raise ApiError(404, "NoSuchChange",
                           "A change with the specified change ID does not "
                           "exist.")
        inner = emu.change_info(cid)
    return 200, xml_doc("GetChangeResponse", inner), {}


def api_get_hosted_zone_limit(emu, groups, query, body, ctx):
    zid = bare_id(groups[0], "hostedzone")
    ltype = unquote(groups[1])
    if ltype not in ("MAX_RRSETS_BY_ZONE", "MAX_VPCS_ASSOCIATED_BY_ZONE"):
        raise validation_error(ltype, "type", "satisfy enum value set: "
                               "[MAX_RRSETS_BY_ZONE, "
                               "MAX_VPCS_ASSOCIATED_BY_ZONE]")
    with emu.lock:
        z = emu.zone(zid)
        if ltype == "MAX_RRSETS_BY_ZONE":
            limit, count = emu.zone_limit(z), len(z["rrsets"])
        else:
            limit, count = 300, len(z["vpcs"])
        inner = "<Limit>%s%s</Limit>%s" % (el("Type", ltype),
                                           el("Value", limit),
                                           el("Count", count))
    return 200, xml_doc("GetHostedZoneLimitResponse", inner), {}


def tag_zone(emu, groups):
    """The hosted zone a tags request names (only hostedzone is kept)."""
    rtype = unquote(groups[0])
    if rtype not in ("hostedzone", "healthcheck"):
        raise validation_error(rtype, "resourceType", "satisfy enum value "
                               "set: [healthcheck, hostedzone]")
    rid = unquote(groups[1])
    if rtype == "healthcheck":
        raise ApiError(404, "NoSuchHealthCheck",
                       "No health check exists with the specified ID %s."
                       % rid)
    if len(rid) > 64:
        raise too_long(rid, "resourceId", 64)
    return emu.zone(rid)


def tag_changes(root):
    """(adds [(key, value)], removes [key]) of a ChangeTagsForResource
    body, checked against Route 53's limits."""
    add_e = child(root, "AddTags")
    rem_e = child(root, "RemoveTagKeys")
    adds = [(text(t, "Key", ""), text(t, "Value", ""))
            for t in (list(add_e) if add_e is not None else [])]
    rems = [(k.text or "") for k in (list(rem_e) if rem_e is not None
                                      else [])]
    if len(adds) > MAX_TAG_CHANGES:
        raise too_long("[...]", "addTags", MAX_TAG_CHANGES)
    if len(rems) > MAX_TAG_CHANGES:
        raise too_long("[...]", "removeTagKeys", MAX_TAG_CHANGES)
    for i, (k, v) in enumerate(adds, 1):
        if not k or len(k) > MAX_TAG_KEY:
            raise too_long(k, "addTags.%d.member.key" % i, MAX_TAG_KEY)
        if len(v) > MAX_TAG_VALUE:
            raise too_long(v, "addTags.%d.member.value" % i, MAX_TAG_VALUE)
    for i, k in enumerate(rems, 1):
        if not k or len(k) > MAX_TAG_KEY:
            raise too_long(k, "removeTagKeys.%d.member" % i, MAX_TAG_KEY)
    if not adds and not rems:
        raise invalid_input("You must specify at least one tag to add or "
                            "one tag key to remove.")
    return adds, rems


def api_change_tags(emu, groups, query, body, ctx):
    with emu.lock:
        tag_zone(emu, groups)
    adds, rems = tag_changes(parse_body(body,
                                        "ChangeTagsForResourceRequest"))
    with emu.lock:
        z = tag_zone(emu, groups)
        tags = dict(z.get("tags", {}))
        for k in rems:
            tags.pop(k, None)
        for k, v in adds:
            tags[k] = v
        if len(tags) > MAX_TAGS:
            raise invalid_input("The number of tags for the resource %s "
                                "exceeds the limit of %d." % (z["id"],
                                                              MAX_TAGS))
        z["tags"] = tags
        emu.save()
    return 200, xml_doc("ChangeTagsForResourceResponse", ""), {}


def api_list_tags(emu, groups, query, body, ctx):
    with emu.lock:
        z = tag_zone(emu, groups)
        tags = "".join("<Tag>%s%s</Tag>" % (el("Key", k), el("Value", v))
                       for k, v in sorted(z.get("tags", {}).items()))
        inner = "<ResourceTagSet>%s%s<Tags>%s</Tags></ResourceTagSet>" % (
            el("ResourceType", "hostedzone"), el("ResourceId", z["id"]),
            tags)
    return 200, xml_doc("ListTagsForResourceResponse", inner), {}


HANDLERS = {
    "ChangeTagsForResource": api_change_tags,
    "ListTagsForResource": api_list_tags,
    "CreateHostedZone": api_create_hosted_zone,
    "GetHostedZone": api_get_hosted_zone,
    "GetHostedZoneCount": api_get_hosted_zone_count,
    "DeleteHostedZone": api_delete_hosted_zone,
    "ListHostedZones": api_list_hosted_zones,
    "ListHostedZonesByName": api_list_hosted_zones_by_name,
    "ListResourceRecordSets": api_list_rrsets,
    "ChangeResourceRecordSets": api_change_rrsets,
    "GetChange": api_get_change,
    "GetHostedZoneLimit": api_get_hosted_zone_limit,
}

FAULT_ERRORS = {
    "throttle": (400, "Throttling", "Rate exceeded", True),
    "prior": (400, "PriorRequestNotComplete",
              "The request was rejected because Route 53 was still "
              "processing a prior request.", True),
    "500": (500, "InternalFailure",
            "The request processing has failed because of an unknown error, "
            "exception or failure.", False),
    "503": (503, "ServiceUnavailable",
            "The request has failed due to a temporary failure of the "
            "server.", False),
}


# ---------------------------------------------------------------- admin

def rrset_from_json(d):
    rr = {}
    for k in RRSET_ORDER:
        if k in d:
            rr[k] = d[k] if isinstance(d[k], (list, dict)) else str(d[k])
    rr["Name"] = canon_name(rr["Name"])
    return rr


def admin(emu, method, path, body):
    """(status, json-able) for /_emu/ requests."""
    try:
        data = json.loads(body.decode("utf-8")) if body else {}
    except ValueError as e:
        return 400, {"error": "bad JSON: %s" % e}
    p = path[len("/_emu"):]
    try:
        if p == "/health":
            return 200, {"ok": True}
        if p.startswith("/sts"):
            return sts_api.admin(method, p, data) or (404, {"error": p})
        if p == "/faults":
            if method == "POST":
                return 200, emu.apply_faults(data)
            with emu.lock:
                return 200, dict(emu.faults)
        if p == "/counters":
            return 200, emu.counters_json()
        if p.startswith("/counters/"):
            return 200, emu.counters_json().get(p[len("/counters/"):], 0)
        if p == "/reset-counters" and method == "POST":
            emu.reset_counters()
            return 200, {"ok": True}
        if p == "/quota" and method == "POST":
            with emu.lock:
                if data.get("zone"):
                    emu.zone(bare_id(data["zone"], "hostedzone"))["limit"] = \
                        int(data["limit"])
                else:
                    emu.quota = int(data["limit"])
                emu.save()
            return 200, {"ok": True}
        if p == "/pending" and method == "POST":
            emu.pending = float(data["seconds"])
            return 200, {"ok": True}
        if p == "/shutdown" and method == "POST":
            threading.Thread(target=emu.server.shutdown, daemon=True).start()
            return 200, {"ok": True}
        if p == "/zones":
            if method == "POST":
                vpc = None
                if data.get("private") or data.get("vpc"):
                    vpc = (data.get("region", "us-east-1"),
                           data.get("vpc", "vpc-00000000"))
                with emu.lock:
                    z = emu.create_zone(data["name"], data.get(
                        "caller_ref", str(uuid.uuid4())), data.get("comment"),
                        vpc is not None, vpc)
                    emu.save()
                return 200, {"id": z["id"], "name": z["name"]}
            with emu.lock:
                return 200, [{"id": z["id"], "name": z["name"],
                              "private": z["private"],
                              "count": len(z["rrsets"]),
                              "tags": z.get("tags", {})}
                             for z in emu.sorted_zones()]
        mo = re.fullmatch(r"/zones/([^/]+)/rrsets", p)
        if mo:
            with emu.lock:
                z = emu.zone(bare_id(mo.group(1), "hostedzone"))
                if method == "POST":
                    rrsets = dict(z["rrsets"])
                    for d in data:
                        rr = rrset_from_json(d)
                        rrsets[Emulator.key_str(rr)] = rr
                    z["rrsets"] = rrsets
                    emu.save()
                return 200, emu.sorted_rrsets(z)[1]
    except ApiError as e:
        return e.status, {"error": e.code, "message": e.message}
    except (KeyError, ValueError, TypeError, NameError_) as e:
        return 400, {"error": str(e)}
    return 404, {"error": "no such admin path %s %s" % (method, p)}


# ---------------------------------------------------------------- HTTP

class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def version_string(self):
        return "r53emu"

    def log_message(self, fmt, *a):
        if not self.server.emu.args.quiet:
            sys.stderr.write("r53emu: %s %s\n" % (self.address_string(),
                                                  fmt % a))

    def read_body(self):
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            data = b""
            while True:
                line = self.rfile.readline(1024)
                size = int(line.split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline(1024) not in (b"\r\n", b"\n",
                                                            b""):
                        pass
                    return data
                data += self.rfile.read(size)
                self.rfile.readline(8)
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n) if n > 0 else b""

    def send(self, status, body, ctype="text/xml", extra=None):
        self.send_response(status)
        self.send_header("x-amzn-RequestId", self.reqid)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for k, v in (extra or {}).items():
            self.send_header(k, v)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def send_error_xml(self, e):
        emu = self.server.emu
        emu.count_error(e.code)
        if e.code == "InvalidChangeBatch" and e.messages is not None and \
                emu.faults.get("icb_form") == "messages":
            inner = "<Messages>%s</Messages>%s" % (
                "".join(el("Message", m) for m in e.messages),
                el("RequestId", self.reqid))
            self.send(e.status, xml_doc("InvalidChangeBatch", inner))
            return
        inner = "<Error>%s%s%s</Error>%s" % (
            el("Type", "Sender" if e.sender else "Receiver"),
            el("Code", e.code), el("Message", e.message),
            el("RequestId", self.reqid))
        self.send(e.status, xml_doc("ErrorResponse", inner))

    def drop(self):
        self.close_connection = True
        try:
            self.wfile.flush()
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    def dispatch(self):
        emu = self.server.emu
        self.reqid = str(uuid.uuid4())
        split = urlsplit(self.path)
        raw_path, raw_query = split.path, split.query
        try:
            body = self.read_body()
        except (ValueError, OSError):
            self.close_connection = True
            return
        if secretsmanager.wants(raw_path, self.headers):
            secretsmanager.handle(self, emu, self.command, raw_path,
                                  raw_query, body)
            return
        if raw_path.startswith("/_emu/"):
            status, obj = admin(emu, self.command, raw_path, body)
            self.send(status, (json.dumps(obj, indent=1) + "\n").encode(),
                      "application/json")
            return
        if sts_api.is_sts(self.command, raw_path, raw_query, body):
            sts_api.serve(self, emu, raw_path, raw_query, body, sigv4_check)
            return
        api, groups = route(self.command, raw_path)
        emu.count(api or "Unknown")
        with emu.lock:
            lat = emu.faults.get("latency_ms", 0)
            apis = emu.faults.get("apis")
        if lat > 0 and (not apis or api in apis):
            time.sleep(lat / 1000.0)
        if api is None:
            self.send_error_xml(ApiError(404, "UnknownOperationException",
                                         "Unknown operation %s %s"
                                         % (self.command, raw_path)))
            return
        fault = emu.draw_fault(api)
        if fault:
            emu.count_fault(fault)
            if fault == "drop":
                self.drop()
                return
            st, code, msg, sender = FAULT_ERRORS[fault]
            self.send_error_xml(ApiError(st, code, msg, sender=sender))
            return
        err = sigv4_check(emu, self.command, raw_path, raw_query,
                          self.headers, body)
        if err:
            self.send_error_xml(err)
            return
        sts_api.note_signer(api, self.headers)
        host = self.headers.get("host") or "127.0.0.1"
        ctx = {"base": "http://" + host}
        try:
            status, out, extra = HANDLERS[api](emu, groups,
                                               parse_query(raw_query),
                                               body, ctx)
        except ApiError as e:
            self.send_error_xml(e)
            return
        except Exception as e:   # a bug: answer 500 and say so
            import traceback
            traceback.print_exc()
            self.send_error_xml(ApiError(500, "InternalFailure",
                                         "r53emu bug: %r" % e, sender=False))
            return
        if status == "drop":
            self.drop()
            return
        self.send(status, out, extra=extra)

    do_GET = dispatch
    do_POST = dispatch
    do_DELETE = dispatch
    do_PUT = dispatch


class Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 64


def watch_owner(pid, srv):
    """Shut srv down when process pid is gone."""
    while True:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            break
        except PermissionError:
            pass
        time.sleep(0.5)
    srv.shutdown()


def main(argv=None):
    ap = argparse.ArgumentParser(description="Route 53 emulator")
    ap.add_argument("--listen", default="127.0.0.1:0",
                    help="ADDR:PORT (port 0 picks a free one)")
    ap.add_argument("--state", help="JSON state file (kept across restarts)")
    ap.add_argument("--access-key", default=DEFAULT_AK)
    ap.add_argument("--secret-key", default=DEFAULT_SK)
    ap.add_argument("--session-token", default=None,
                    help="accept only this X-Amz-Security-Token "
                         "(default: any token)")
    ap.add_argument("--pending-seconds", type=float, default=0.0)
    ap.add_argument("--quota", type=int, default=10000)
    ap.add_argument("--throttle-rate", type=float, default=0.0)
    ap.add_argument("--prior-request-rate", type=float, default=0.0)
    ap.add_argument("--error5xx-rate", type=float, default=0.0)
    ap.add_argument("--drop-rate", type=float, default=0.0)
    ap.add_argument("--latency-ms", type=int, default=0)
    ap.add_argument("--account-rate-limit", type=float, default=0.0,
                    help="requests per second, all APIs (0 = off)")
    ap.add_argument("--drop-after-change", type=int, default=0)
    ap.add_argument("--seed", type=int, default=None)
    ap.add_argument("--quiet", action="store_true")
    ap.add_argument("--exit-with-pid", type=int, default=0, metavar="PID",
                    help="exit when process PID goes away (the starting "
                         "shell: a killed test run leaves no emulator "
                         "behind)")
    args = ap.parse_args(argv)
    host, _, port = args.listen.rpartition(":")
    emu = Emulator(args)
    srv = Server((host or "127.0.0.1", int(port)), Handler)
    srv.emu = emu
    emu.server = srv
    h, p = srv.server_address[:2]
    sys.stdout.write("http://%s:%d\n" % (h, p))
    sys.stdout.flush()

    def stop(signum, frame):
        threading.Thread(target=srv.shutdown, daemon=True).start()
    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    if args.exit_with_pid:
        threading.Thread(target=watch_owner, args=(args.exit_with_pid, srv),
                         daemon=True).start()
    # serve_forever sees a shutdown only at its next poll: every test
    # stops an emulator, so a short poll is a shorter teardown.
    try:
        srv.serve_forever(poll_interval=0.05)
    finally:
        srv.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
