"""sts: the AWS STS query API for r53emu (AssumeRole,
AssumeRoleWithWebIdentity, GetCallerIdentity), in memory.

STS requests are POST / (or GET /?Action=...) with a form body; they are
told apart from Route 53's (all under /2013-04-01) by that path.
AssumeRole and GetCallerIdentity are SigV4-signed (service sts, any
region) by the emulator's key pair or by temporary credentials issued
here; AssumeRoleWithWebIdentity is unsigned and carries the token.

The SSO portal's GetRoleCredentials (GET /federation/credentials
?account_id=&role_name=, header x-amz-sso_bearer_token, JSON answer with
expiration in epoch milliseconds) issues the same kind of credentials for
the access tokens POST /_emu/sts {"sso_tokens": [...]} allows; its calls
are listed with action "GetRoleCredentials" (role_arn built from the
account and role).

Issued credentials (ASIA... key, secret, session token, Expiration) are
accepted by the Route 53 side until they expire; after that it answers
403 ExpiredToken.  Every signed request that passes is noted with the
access key id that signed it, so tests can see which identity acted.

Admin API (under /_emu/sts, JSON):
  GET  /_emu/sts/calls     [{"action", "role_arn", "session", "external_id",
                             "duration", "signer", "token", "issued"}]
                           (token: the web identity token as received)
  GET  /_emu/sts/signers   [{"api", "akid", "t"}] for every request that
                           passed the signature check, in order (t: when,
                           seconds on the emulator's monotonic clock)
  POST /_emu/sts           {"duration_override": s} issue credentials
                           valid for s seconds whatever was asked (0: off),
                           {"web_tokens": [...]} accept only these web
                           identity tokens (empty: any), {"external_ids":
                           {role_arn: id}} roles that require an ExternalId,
                           {"sso_tokens": [...]} SSO access tokens the
                           portal accepts (empty: none),
                           {"clear": true} forget calls, signers, keys
"""

import hashlib
import json
import secrets
import string
import threading
import time
from urllib.parse import parse_qsl
from xml.sax.saxutils import escape as xesc

STS_NS = "https://sts.amazonaws.com/doc/2011-06-15/"
PORTAL_PATH = "/federation/credentials"
ACCOUNT = "123456789012"

_lock = threading.Lock()
_state = {"keys": {}, "calls": [], "signers": [], "duration_override": 0,
          "web_tokens": [], "external_ids": {}, "sso_tokens": []}


class StsError(Exception):
    def __init__(self, status, code, message):
        Exception.__init__(self, message)
        self.status, self.code, self.message = status, code, message


def is_sts(method, raw_path, raw_query, body):
    """True for an STS query API request (not Route 53's REST paths) or
    the SSO portal's GetRoleCredentials."""
    if raw_path == PORTAL_PATH:
        return True
    if raw_path not in ("", "/"):
        return False
    return b"Action=" in body or "Action=" in (raw_query or "")


def lookup(akid):
    """The issued credentials of akid ({"secret", "token", "exp", "arn"})
    or None."""
    with _lock:
        return _state["keys"].get(akid)


def note_signer(api, headers):
    """Record which access key id signed a request that passed."""
    auth = headers.get("authorization") or ""
    akid = ""
    for part in auth.split(","):
        part = part.strip()
        if "Credential=" in part:
            akid = part.split("Credential=", 1)[1].split("/", 1)[0]
    with _lock:
        _state["signers"].append({"api": api, "akid": akid,
                                  "t": time.monotonic()})


def admin(method, p, data):
    """(status, obj) for /_emu/sts..., or None for other paths."""
    if p == "/sts/calls":
        with _lock:
            return 200, list(_state["calls"])
    if p == "/sts/signers":
        with _lock:
            return 200, list(_state["signers"])
    if p == "/sts" and method == "POST":
        with _lock:
            if data.get("clear"):
                for k in ("keys", "calls", "signers"):
                    _state[k] = {} if k == "keys" else []
            for k in ("duration_override", "web_tokens", "external_ids",
                      "sso_tokens"):
                if k in data:
                    _state[k] = data[k]
            return 200, {"ok": True}
    return None


def _rand(alphabet, n):
    return "".join(secrets.choice(alphabet) for _ in range(n))


def _iso(t):
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(t))


def _role(params):
    arn = params.get("RoleArn", "")
    parts = arn.split(":")
    if len(parts) != 6 or parts[0] != "arn" or parts[2] != "iam" or \
            not parts[5].startswith("role/") or len(arn) < 20:
        raise StsError(400, "ValidationError",
                       "%s is invalid" % (arn or "RoleArn"))
    name = params.get("RoleSessionName", "")
    ok = set(string.ascii_letters + string.digits + "+=,.@_-")
    if not 2 <= len(name) <= 64 or not set(name) <= ok:
        raise StsError(400, "ValidationError",
                       "1 validation error detected: Value '%s' at "
                       "'roleSessionName' failed to satisfy constraint"
                       % name)
    dur = params.get("DurationSeconds", "3600")
    if not dur.isdigit() or not 900 <= int(dur) <= 43200:
        raise StsError(400, "ValidationError",
                       "1 validation error detected: Value '%s' at "
                       "'durationSeconds' failed to satisfy constraint"
                       % dur)
    return arn, parts[4], parts[5][len("role/"):], name, int(dur)


def _issue(now, arn, account, role, session, duration):
    """New temporary credentials; (xml of Credentials and
    AssumedRoleUser, akid)."""
    with _lock:
        if _state["duration_override"]:
            duration = int(_state["duration_override"])
    akid = "ASIA" + _rand(string.ascii_uppercase + string.digits, 16)
    secret = _rand(string.ascii_letters + string.digits + "/+", 40)
    token = "FwoGZXIvYXdzE" + _rand(string.ascii_letters + string.digits, 80)
    exp = now + duration
    who = "arn:aws:sts::%s:assumed-role/%s/%s" % (account, role, session)
    with _lock:
        _state["keys"][akid] = {"secret": secret, "token": token,
                                "exp": exp, "arn": who}
    xml = ("<Credentials><AccessKeyId>%s</AccessKeyId><SecretAccessKey>%s"
           "</SecretAccessKey><SessionToken>%s</SessionToken><Expiration>%s"
           "</Expiration></Credentials><AssumedRoleUser><AssumedRoleId>"
           "AROA%s:%s</AssumedRoleId><Arn>%s</Arn></AssumedRoleUser>"
           % (akid, xesc(secret), token, _iso(exp),
              hashlib.sha1(arn.encode()).hexdigest()[:16].upper(),
              xesc(session), xesc(who)))
    return xml, akid


def _note_call(action, params, signer, issued):
    with _lock:
        _state["calls"].append({
            "action": action, "role_arn": params.get("RoleArn"),
            "session": params.get("RoleSessionName"),
            "external_id": params.get("ExternalId"),
            "duration": params.get("DurationSeconds"), "signer": signer,
            "token": params.get("WebIdentityToken"), "issued": issued})


def _assume_role(now, params, signer):
    arn, account, role, session, dur = _role(params)
    with _lock:
        want = _state["external_ids"].get(arn)
    if want is not None and params.get("ExternalId") != want:
        raise StsError(403, "AccessDenied", "User is not authorized to "
                       "perform: sts:AssumeRole on resource: %s" % arn)
    xml, akid = _issue(now, arn, account, role, session, dur)
    _note_call("AssumeRole", params, signer, akid)
    return xml


def _assume_web(now, params):
    arn, account, role, session, dur = _role(params)
    tok = params.get("WebIdentityToken", "")
    with _lock:
        allowed = list(_state["web_tokens"])
    if len(tok) < 4 or (allowed and tok not in allowed):
        raise StsError(400, "InvalidIdentityToken",
                       "Couldn't retrieve verification key from your "
                       "identity provider")
    xml, akid = _issue(now, arn, account, role, session, dur)
    _note_call("AssumeRoleWithWebIdentity", params, None, akid)
    return xml


def _caller(signer):
    k = lookup(signer)
    arn = k["arn"] if k else "arn:aws:iam::%s:user/r53emu" % ACCOUNT
    return ("<Arn>%s</Arn><UserId>%s</UserId><Account>%s</Account>"
            % (xesc(arn), xesc(signer), ACCOUNT))


def answer(now, params, signer):
    """(action, inner xml of ACTIONResult) or raise StsError.  signer is
    the access key id of a verified signature, None when unsigned."""
    action = params.get("Action", "")
    if action == "AssumeRoleWithWebIdentity":
        return action, _assume_web(now, params)
    if signer is None:
        raise StsError(403, "MissingAuthenticationToken",
                       "Request is missing Authentication Token")
    if action == "AssumeRole":
        return action, _assume_role(now, params, signer)
    if action == "GetCallerIdentity":
        return action, _caller(signer)
    raise StsError(400, "InvalidAction",
                   "Could not find operation %s for version 2011-06-15"
                   % action)


def document(action, inner, reqid):
    return ('<%sResponse xmlns="%s"><%sResult>%s</%sResult>'
            "<ResponseMetadata><RequestId>%s</RequestId></ResponseMetadata>"
            "</%sResponse>" % (action, STS_NS, action, inner, action, reqid,
                               action)).encode()


def error_document(e, reqid):
    return ('<ErrorResponse xmlns="%s"><Error><Type>Sender</Type>'
            "<Code>%s</Code><Message>%s</Message></Error>"
            "<RequestId>%s</RequestId></ErrorResponse>"
            % (STS_NS, e.code, xesc(e.message), reqid)).encode()


def params_of(raw_query, body):
    p = dict(parse_qsl(raw_query or "", keep_blank_values=True))
    p.update(parse_qsl(body.decode("utf-8", "replace"),
                       keep_blank_values=True))
    return p


def _signer(headers):
    auth = headers.get("authorization") or ""
    if "Credential=" not in auth:
        return None
    return auth.split("Credential=", 1)[1].split("/", 1)[0]


def serve(h, emu, raw_path, raw_query, body, check):
    """Answer one STS request on handler h; check is r53emu's
    sigv4_check."""
    if raw_path == PORTAL_PATH:
        _portal(h, emu, raw_query)
        return
    signer = None
    if h.headers.get("authorization"):
        err = check(emu, h.command, raw_path, raw_query, h.headers, body,
                    service="sts")
        if err:
            h.send(err.status, error_document(
                StsError(err.status, err.code, err.message), h.reqid))
            return
        signer = _signer(h.headers)
    try:
        action, inner = answer(emu.now(), params_of(raw_query, body), signer)
    except StsError as e:
        h.send(e.status, error_document(e, h.reqid))
        return
    h.send(200, document(action, inner, h.reqid))


def _portal(h, emu, raw_query):
    """GetRoleCredentials of the SSO portal."""
    q = dict(parse_qsl(raw_query or ""))
    tok = h.headers.get("x-amz-sso_bearer_token") or ""
    with _lock:
        ok = tok in _state["sso_tokens"]
    acct, role = q.get("account_id", ""), q.get("role_name", "")
    if not ok:
        h.send(401, b'{"message":"Session token not found or invalid"}',
               "application/json",
               {"x-amzn-ErrorType": "UnauthorizedException"})
        return
    if not (acct.isdigit() and len(acct) == 12 and role):
        h.send(400, b'{"message":"Invalid request"}', "application/json",
               {"x-amzn-ErrorType": "InvalidRequestException"})
        return
    arn = "arn:aws:iam::%s:role/%s" % (acct, role)
    _, akid = _issue(emu.now(), arn, acct, role, "sso", 3600)
    k = lookup(akid)
    _note_call("GetRoleCredentials", {"RoleArn": arn}, None, akid)
    body = json.dumps({"roleCredentials": {
        "accessKeyId": akid, "secretAccessKey": k["secret"],
        "sessionToken": k["token"], "expiration": int(k["exp"] * 1000)}})
    h.send(200, body.encode(), "application/json")
