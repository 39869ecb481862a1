#!/usr/bin/env python3
"""Build the trimmed AWS API model that orgtrail embeds.

Reads AWS's service models (botocore's service-2.json format) for every service orgtrail
serves, drops documentation and everything the server does not use, and writes one JSON
object {"services": {<signing name>: model}}. Source, in order: --models DIR,
../shared/reference/aws-models beside the repository, the installed botocore's data.
"""
import argparse
import glob
import gzip
import json
import os
import sys

# signing name -> model file name (botocore service directory)
SERVICES = {
    "cloudtrail": "cloudtrail",
    "cloudtrail-data": "cloudtrail-data",
    "organizations": "organizations",
    "sts": "sts",
    "iam": "iam",
    "s3": "s3",
    "logs": "logs",
    "monitoring": "cloudwatch",
    "sns": "sns",
}

OP_KEYS = ("name", "http", "input", "output", "errors")
SHAPE_KEYS = ("type", "members", "required", "min", "max", "pattern", "enum", "member",
              "key", "value", "error", "exception", "payload", "flattened", "locationName",
              "timestampFormat", "streaming", "sensitive", "xmlNamespace", "event",
              "eventstream", "requiresLength")
MEMBER_KEYS = ("shape", "location", "locationName", "flattened", "xmlNamespace",
               "xmlAttribute", "queryName", "jsonvalue", "hostLabel", "idempotencyToken",
               "timestampFormat")
META_KEYS = ("apiVersion", "protocol", "protocols", "targetPrefix", "jsonVersion",
             "xmlNamespace", "endpointPrefix", "serviceId", "signingName", "globalEndpoint",
             "awsQueryCompatible")


def load(models_dir, name):
    if models_dir:
        path = os.path.join(models_dir, name + ".json")
        if os.path.exists(path):
            with open(path) as f:
                return json.load(f)
    import botocore  # noqa: imported lazily, only as a fallback source
    base = os.path.join(os.path.dirname(botocore.__file__), "data", name)
    versions = sorted(os.listdir(base))
    path = os.path.join(base, versions[-1], "service-2.json")
    if os.path.exists(path + ".gz"):
        with gzip.open(path + ".gz", "rt") as f:
            return json.load(f)
    with open(path) as f:
        return json.load(f)


def pick(d, keys):
    return {k: d[k] for k in keys if k in d}


def trim(model):
    out = {"metadata": pick(model["metadata"], META_KEYS), "operations": {}, "shapes": {}}
    for name, op in model["operations"].items():
        o = pick(op, OP_KEYS)
        if "errors" in o:
            o["errors"] = [e["shape"] for e in o["errors"]]
        out["operations"][name] = o
    for name, shape in model["shapes"].items():
        s = pick(shape, SHAPE_KEYS)
        if "members" in s:
            s["members"] = {m: pick(v, MEMBER_KEYS) for m, v in s["members"].items()}
            # keep declaration order: JSON objects in jansson preserve insertion order
            s["order"] = list(shape["members"].keys())
        for k in ("member", "key", "value"):
            if k in s:
                s[k] = pick(s[k], MEMBER_KEYS)
        out["shapes"][name] = s
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--out", required=True)
    ap.add_argument("--models")
    args = ap.parse_args()
    models_dir = args.models
    if not models_dir:
        here = os.path.dirname(os.path.abspath(__file__))
        cand = os.path.join(here, "..", "..", "shared", "reference", "aws-models")
        if os.path.isdir(cand):
            models_dir = cand
    blob = {"services": {}}
    for signing, name in SERVICES.items():
        blob["services"][signing] = trim(load(models_dir, name))
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    tmp = args.out + ".tmp"
    with open(tmp, "w") as f:
        json.dump(blob, f, separators=(",", ":"))
    os.replace(tmp, args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
