"""boto: a botocore Route 53 client for the emulator, for inline test
scripts (run with /usr/bin/python3, PYTHONPATH=tests/r53emu).

  from boto import r53, err
  c = r53()                 # EMU_URL from the environment, retries off
  c = r53(retries=3)        # botocore standard retries
  err(lambda: c.get_hosted_zone(Id="Z1"))  -> (code, message) or None
"""
import os

import botocore.session
from botocore.config import Config
from botocore.exceptions import ClientError


def r53(url=None, retries=0, key=None, secret=None, token=None, timeout=10):
    s = botocore.session.get_session()
    cfg = Config(retries={"max_attempts": retries, "mode": "standard"}
                 if retries else {"total_max_attempts": 1},
                 connect_timeout=timeout, read_timeout=timeout)
    return s.create_client(
        "route53", region_name="us-east-1",
        endpoint_url=url or os.environ["EMU_URL"],
        aws_access_key_id=key or "AKIDEXAMPLE",
        aws_secret_access_key=secret or
        "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
        aws_session_token=token, config=cfg)


def err(fn):
    try:
        fn()
    except ClientError as e:
        return (e.response["Error"]["Code"], e.response["Error"]["Message"])
    return None


def change(c, zone, *changes, comment=None):
    """changes: (action, name, type, ttl, [values]) or (action, rrset dict)"""
    out = []
    for ch in changes:
        if isinstance(ch[1], dict):
            out.append({"Action": ch[0], "ResourceRecordSet": ch[1]})
            continue
        action, name, rtype, ttl, vals = ch
        out.append({"Action": action, "ResourceRecordSet": {
            "Name": name, "Type": rtype, "TTL": ttl,
            "ResourceRecords": [{"Value": v} for v in vals]}})
    batch = {"Changes": out}
    if comment:
        batch["Comment"] = comment
    return c.change_resource_record_sets(HostedZoneId=zone, ChangeBatch=batch)


def listing(c, zone):
    """All RRsets as (name, type, setid) tuples, following pages."""
    out = []
    kw = {"HostedZoneId": zone}
    while True:
        r = c.list_resource_record_sets(**kw)
        out += [(x["Name"], x["Type"], x.get("SetIdentifier"))
                for x in r["ResourceRecordSets"]]
        if not r["IsTruncated"]:
            return out
        kw["StartRecordName"] = r["NextRecordName"]
        kw["StartRecordType"] = r["NextRecordType"]
        kw.pop("StartRecordIdentifier", None)
        if "NextRecordIdentifier" in r:
            kw["StartRecordIdentifier"] = r["NextRecordIdentifier"]
