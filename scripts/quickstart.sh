#!/usr/bin/env bash
# The organization trail of the seed documents, set up with the AWS CLI against orgtrail:
# an organization with all features, a log-archive account and two member accounts,
# trusted access for CloudTrail, a bucket in the log-archive account with the bucket policy
# AWS documents for organization trails, and a multi-region organization trail with log
# file validation, logging. Every step is the AWS CLI command you would run against AWS.
#
# Usage: scripts/quickstart.sh        (against `make run`: endpoint and credentials from ./var)
# Environment: AWS_ENDPOINT_URL (default http://127.0.0.1:4566), ORGTRAIL_DATA (default var),
# or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY of the management account's root.
set -euo pipefail
cd "$(dirname "$0")/.."
export AWS_ENDPOINT_URL="${AWS_ENDPOINT_URL:-http://127.0.0.1:4566}"
export AWS_DEFAULT_REGION="${AWS_DEFAULT_REGION:-us-east-1}"
export AWS_PAGER=""
if [ -z "${AWS_ACCESS_KEY_ID:-}" ]; then
    data="${ORGTRAIL_DATA:-var}"
    [ -f "$data/credentials" ] || { echo "no $data/credentials: start the server with 'make run' first" >&2; exit 1; }
    data=$(realpath "$data")
    export AWS_SHARED_CREDENTIALS_FILE="$data/credentials" AWS_CONFIG_FILE="$data/config"
fi

aws_() { echo "+ aws $*" >&2; aws "$@"; }

if aws organizations describe-organization >/dev/null 2>&1; then
    echo "This account is already in an organization; its trails:" >&2
    aws_ cloudtrail describe-trails
    exit 0
fi

mgmt=$(aws_ sts get-caller-identity --query Account --output text)
aws_ organizations create-organization --feature-set ALL >/dev/null
org_id=$(aws_ organizations describe-organization --query Organization.Id --output text)

create_account() {
    local name=$1 rid state
    rid=$(aws_ organizations create-account --email "$name@example.com" --account-name "$name" \
        --query CreateAccountStatus.Id --output text)
    for _ in $(seq 100); do
        state=$(aws organizations describe-create-account-status --create-account-request-id "$rid" \
            --query 'CreateAccountStatus.[State,AccountId]' --output text)
        case "$state" in
        SUCCEEDED*) echo "${state#SUCCEEDED}" | tr -d '[:space:]'; return ;;
        FAILED*) echo "creating $name failed: $state" >&2; exit 1 ;;
        esac
        sleep 0.2
    done
    echo "creating $name did not finish" >&2
    exit 1
}
log_archive=$(create_account log-archive)
workload_a=$(create_account workload-a)
workload_b=$(create_account workload-b)
aws_ organizations enable-aws-service-access --service-principal cloudtrail.amazonaws.com

# AWS refuses sts:AssumeRole with root credentials: make an administrator user.
aws_ iam create-user --user-name admin >/dev/null
aws_ iam attach-user-policy --user-name admin --policy-arn arn:aws:iam::aws:policy/AdministratorAccess
read -r admin_key admin_secret < <(aws_ iam create-access-key --user-name admin \
    --query 'AccessKey.[AccessKeyId,SecretAccessKey]' --output text)
read -r la_key la_secret la_token < <(AWS_ACCESS_KEY_ID=$admin_key AWS_SECRET_ACCESS_KEY=$admin_secret \
    aws_ sts assume-role --role-arn "arn:aws:iam::$log_archive:role/OrganizationAccountAccessRole" \
    --role-session-name quickstart \
    --query 'Credentials.[AccessKeyId,SecretAccessKey,SessionToken]' --output text)

bucket="org-trail-logs-$log_archive"
trail_arn="arn:aws:cloudtrail:$AWS_DEFAULT_REGION:$mgmt:trail/org-trail"
policy=$(cat <<JSON
{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Sid": "AWSCloudTrailAclCheck",
      "Effect": "Allow",
      "Principal": {"Service": "cloudtrail.amazonaws.com"},
      "Action": "s3:GetBucketAcl",
      "Resource": "arn:aws:s3:::$bucket",
      "Condition": {"StringEquals": {"aws:SourceArn": "$trail_arn"}}
    },
    {
      "Sid": "AWSCloudTrailWrite",
      "Effect": "Allow",
      "Principal": {"Service": "cloudtrail.amazonaws.com"},
      "Action": "s3:PutObject",
      "Resource": "arn:aws:s3:::$bucket/AWSLogs/$mgmt/*",
      "Condition": {"StringEquals": {"s3:x-amz-acl": "bucket-owner-full-control", "aws:SourceArn": "$trail_arn"}}
    },
    {
      "Sid": "AWSCloudTrailOrganizationWrite",
      "Effect": "Allow",
      "Principal": {"Service": "cloudtrail.amazonaws.com"},
      "Action": "s3:PutObject",
      "Resource": "arn:aws:s3:::$bucket/AWSLogs/$org_id/*",
      "Condition": {"StringEquals": {"s3:x-amz-acl": "bucket-owner-full-control", "aws:SourceArn": "$trail_arn"}}
    }
  ]
}
JSON
)
(
    export AWS_ACCESS_KEY_ID=$la_key AWS_SECRET_ACCESS_KEY=$la_secret AWS_SESSION_TOKEN=$la_token
    aws_ s3api create-bucket --bucket "$bucket" >/dev/null
    aws_ s3api put-bucket-policy --bucket "$bucket" --policy "$policy"
)

aws_ cloudtrail create-trail --name org-trail --s3-bucket-name "$bucket" --is-organization-trail \
    --is-multi-region-trail --enable-log-file-validation
aws_ cloudtrail start-logging --name org-trail
aws_ cloudtrail describe-trails
echo >&2
echo "Organization $org_id: management $mgmt, log-archive $log_archive, members $workload_a $workload_b." >&2
echo "Organization trail $trail_arn is logging to s3://$bucket." >&2
