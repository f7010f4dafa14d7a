"""secretsmanager: AWS Secrets Manager GetSecretValue for r53emu.

Kept out of r53emu.py (one hook there) so that other services can be added
beside it without touching the same lines.

Protocol: AWS JSON 1.1.  POST / with X-Amz-Target
"secretsmanager.GetSecretValue", Content-Type application/x-amz-json-1.1,
body {"SecretId": NAME-or-ARN[, "VersionStage": "AWSCURRENT"]}; SigV4 with
service "secretsmanager", any region (the ARN names the one signed for).
Answers {"ARN", "Name", "VersionId", "SecretString", "VersionStages",
"CreatedDate"}; errors {"__type": CODE, "message": TEXT} with Secrets
Manager's codes: ResourceNotFoundException (400), InvalidParameterException,
UnrecognizedClientException, InvalidSignatureException, and
AccessDeniedException for a secret marked "deny" (to test a role that lacks
secretsmanager:GetSecretValue).

Admin API (no signature):
  POST /_emu/secrets {"Name": N, "SecretString": S[, "deny": true]}
        -> {"ARN": ...}; the same Name again replaces the value
  GET  /_emu/secrets  [{"Name", "ARN"}]  (never the values)
Secrets live in memory only: the emulator's state file is Route 53's.
Requests count in /_emu/counters as "GetSecretValue" (others as
"Unknown").
"""

import calendar
import hashlib
import hmac
import json
import time
import uuid
from urllib.parse import quote

TARGET_PREFIX = "secretsmanager."
ACCOUNT = "123456789012"
SKEW = 300


def wants(path, headers):
    """True when this request is for this module (the r53emu.py hook)."""
    target = headers.get("x-amz-target") or ""
    return target.startswith(TARGET_PREFIX) or path == "/_emu/secrets"


def _store(emu):
    with emu.lock:
        if not hasattr(emu, "secrets"):
            emu.secrets = {}
        return emu.secrets


def _send_json(handler, status, obj, ctype="application/x-amz-json-1.1"):
    handler.send(status, (json.dumps(obj) + "\n").encode(), ctype)


def _error(handler, emu, status, code, message):
    emu.count_error(code)
    _send_json(handler, status, {"__type": code, "message": message})


def _arn(region, name):
    # Real ARNs end in "-" and six random characters.
    suffix = hashlib.sha256(name.encode()).hexdigest()[:6]
    return "arn:aws:secretsmanager:%s:%s:secret:%s-%s" % (
        region, ACCOUNT, name, suffix)


def _admin(handler, emu, method, body):
    store = _store(emu)
    if method == "GET":
        with emu.lock:
            out = [{"Name": k, "ARN": v["ARN"]} for k, v in store.items()]
        _send_json(handler, 200, out, "application/json")
        return
    try:
        d = json.loads(body or b"{}")
        name, value = d["Name"], d["SecretString"]
    except (ValueError, KeyError, TypeError):
        _send_json(handler, 400, {"error": "need Name and SecretString"},
                   "application/json")
        return
    rec = {"ARN": _arn(d.get("region", "us-east-1"), name), "Name": name,
           "SecretString": value, "deny": bool(d.get("deny")),
           "VersionId": str(uuid.uuid4()), "CreatedDate": time.time()}
    with emu.lock:
        store[name] = rec
    _send_json(handler, 200, {"ARN": rec["ARN"]}, "application/json")


def _amz_time(t):
    return time.strftime("%Y%m%dT%H%M%SZ", time.gmtime(t))


def _canonical_query(raw):
    pairs = []
    for part in raw.split("&") if raw else []:
        k, _, v = part.partition("=")
        pairs.append((quote(k, safe="-_.~"), quote(v, safe="-_.~")))
    return "&".join("%s=%s" % kv for kv in sorted(pairs))


def _check_sig(emu, method, path, query, headers, body):
    """(status, code, message) of a bad signature, or None."""
    bad = (400, "InvalidSignatureException",
           "The request signature we calculated does not match the "
           "signature you provided. Check your AWS Secret Access Key and "
           "signing method. Consult the service documentation for details.")
    auth = headers.get("authorization") or ""
    if not auth.startswith("AWS4-HMAC-SHA256 "):
        return (400, "MissingAuthenticationTokenException",
                "Missing Authentication Token")
    f = dict(p.strip().split("=", 1) for p in
             auth[len("AWS4-HMAC-SHA256 "):].split(",") if "=" in p)
    cred = f.get("Credential", "").split("/")
    amz = headers.get("x-amz-date") or ""
    if len(cred) != 5 or "Signature" not in f or "SignedHeaders" not in f \
            or len(amz) != 16:
        return (400, "IncompleteSignatureException",
                "Authorization header requires Credential, SignedHeaders, "
                "Signature and an X-Amz-Date header.")
    akid, day, region, service, _ = cred
    if akid != emu.args.access_key:
        return (400, "UnrecognizedClientException",
                "The security token included in the request is invalid.")
    try:
        t = calendar.timegm(time.strptime(amz, "%Y%m%dT%H%M%SZ"))
    except ValueError:
        return bad
    if abs(t - emu.now()) > SKEW or service != "secretsmanager" \
            or day != amz[:8]:
        return bad
    canon_headers = "".join(
        "%s:%s\n" % (h, ",".join(" ".join(x.strip().split())
                                 for x in (headers.get_all(h) or [])))
        for h in f["SignedHeaders"].split(";"))
    creq = "\n".join([method, path or "/", _canonical_query(query),
                      canon_headers, f["SignedHeaders"],
                      hashlib.sha256(body).hexdigest()])
    sts = "\n".join(["AWS4-HMAC-SHA256", amz, "/".join(cred[1:]),
                     hashlib.sha256(creq.encode()).hexdigest()])
    k = ("AWS4" + emu.args.secret_key).encode()
    for part in (day, region, service, "aws4_request"):
        k = hmac.new(k, part.encode(), hashlib.sha256).digest()
    want = hmac.new(k, sts.encode(), hashlib.sha256).hexdigest()
    if not hmac.compare_digest(want, f["Signature"]):
        return bad
    return None


def _find(store, secret_id):
    """The record named by a name, a full ARN or an ARN without suffix."""
    for rec in store.values():
        if secret_id in (rec["Name"], rec["ARN"]) or \
                rec["ARN"].rsplit("-", 1)[0] == secret_id:
            return rec
    return None


def _get_secret_value(handler, emu, body):
    try:
        d = json.loads(body or b"{}")
    except ValueError:
        return _error(handler, emu, 400, "SerializationException",
                      "Start of structure or map found where not expected.")
    sid = d.get("SecretId") if isinstance(d, dict) else None
    if not isinstance(sid, str) or not 1 <= len(sid) <= 2048:
        return _error(handler, emu, 400, "ValidationException",
                      "1 validation error detected: Value at 'secretId' "
                      "failed to satisfy constraint: Member must have "
                      "length between 1 and 2048")
    stage = d.get("VersionStage", "AWSCURRENT")
    with emu.lock:
        rec = _find(_store(emu), sid)
    if rec is None or stage != "AWSCURRENT":
        return _error(handler, emu, 400, "ResourceNotFoundException",
                      "Secrets Manager can't find the specified secret.")
    if rec["deny"]:
        return _error(handler, emu, 400, "AccessDeniedException",
                      "User: arn:aws:sts::%s:assumed-role/r53mirror is not "
                      "authorized to perform: secretsmanager:GetSecretValue "
                      "on resource: %s" % (ACCOUNT, sid))
    _send_json(handler, 200, {
        "ARN": rec["ARN"], "Name": rec["Name"], "VersionId": rec["VersionId"],
        "SecretString": rec["SecretString"], "VersionStages": ["AWSCURRENT"],
        "CreatedDate": rec["CreatedDate"]})


def handle(handler, emu, method, path, query, body):
    """Answer one request that wants() accepted."""
    if path == "/_emu/secrets":
        return _admin(handler, emu, method, body)
    target = handler.headers.get("x-amz-target") or ""
    api = target[len(TARGET_PREFIX):]
    emu.count(api if api == "GetSecretValue" else "Unknown")
    if method != "POST" or path != "/":
        return _error(handler, emu, 404, "UnknownOperationException",
                      "Unknown operation %s %s" % (method, path))
    err = _check_sig(emu, method, path, query, handler.headers, body)
    if err:
        return _error(handler, emu, *err)
    if api != "GetSecretValue":
        return _error(handler, emu, 400, "UnknownOperationException",
                      "r53emu implements GetSecretValue only, not %s" % api)
    return _get_secret_value(handler, emu, body)
