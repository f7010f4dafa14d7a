#!/usr/bin/python3
"""botoxml.py: serialise a change batch with botocore's own REST-XML
serialiser and Route 53 service model, for comparison with
r53_change_xml().

Usage: /usr/bin/python3 botoxml.py CHANGES.json [COMMENT]
Every structure is rebuilt in the member order of the service model
(botocore itself writes members in the order it is given them), so the
output is in the order the Route 53 XSD demands.
CHANGES.json is the r53api_test change format (a list of {"action",
"name", "type", "set_identifier", "ttl", "values", "extras"}).  Leaf
values of extras are converted to the types of the model (Weight, Bias:
integers; EvaluateTargetHealth, MultiValueAnswer: booleans).  Prints the
body botocore would send, without the XML declaration, no newline.
Needs Debian's python3-botocore, hence /usr/bin/python3.
"""
import json
import sys

import botocore.session
from botocore import serialize

INTS = {"Weight", "Bias", "TTL"}
BOOLS = {"EvaluateTargetHealth", "MultiValueAnswer"}


def conv(name, v):
    if isinstance(v, dict):
        return {k: conv(k, x) for k, x in v.items()}
    if name in INTS:
        return int(v)
    if name in BOOLS:
        return v if isinstance(v, bool) else v == "true"
    return v


def model_order(shape, v):
    """Rebuild v with keys in the order of the model's members (botocore
    serialises in the order it is given; the model order is the XSD's)."""
    if shape.type_name == "structure":
        return {k: model_order(m, v[k]) for k, m in shape.members.items()
                if k in v}
    if shape.type_name == "list":
        return [model_order(shape.member, x) for x in v]
    return v


def main():
    changes = json.load(open(sys.argv[1]))
    out = []
    for c in changes:
        rr = {"Name": c["name"], "Type": c["type"]}
        if "set_identifier" in c:
            rr["SetIdentifier"] = c["set_identifier"]
        if "ttl" in c:
            rr["TTL"] = c["ttl"]
        if c.get("values"):
            rr["ResourceRecords"] = [{"Value": v} for v in c["values"]]
        for k, v in c.get("extras", {}).items():
            rr[k] = conv(k, v)
        out.append({"Action": c["action"], "ResourceRecordSet": rr})
    batch = {"Changes": out}
    if len(sys.argv) > 2:
        batch["Comment"] = sys.argv[2]
    session = botocore.session.get_session()
    model = session.get_service_model("route53")
    op = model.operation_model("ChangeResourceRecordSets")
    ser = serialize.create_serializer("rest-xml", include_validation=True)
    params = model_order(op.input_shape, {"HostedZoneId": "Z1",
                                          "ChangeBatch": batch})
    req = ser.serialize_to_request(params, op)
    body = req["body"]
    if isinstance(body, bytes):
        body = body.decode("utf-8")
    sys.stdout.write(body)


if __name__ == "__main__":
    main()
