/* s3_rules: what a new bucket's name and location may be, as AWS decides it.
 *
 * Names follow the rules for general purpose buckets (3-63 characters of lower-case
 * letters, digits, dots and hyphens; a letter or digit at both ends; no ".."; not an IP
 * address; none of the prefixes and suffixes S3 reserves for its own endpoints).
 *
 * Location: without a LocationConstraint a bucket goes to us-east-1, which only a request
 * signed for us-east-1 may ask for; "us-east-1" itself is not a valid constraint. A
 * request signed for another region must name that region. Requests signed for us-east-1
 * may name any region (S3's legacy global endpoint behaves so). "EU" is eu-west-1. */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "core/hash.h"
#include "svc/s3_internal.h"

static bool looks_like_ipv4(const char *s)
{
    int dots = 0, digits = 0;
    for (const char *p = s; *p; p++) {
        if (*p == '.') {
            if (!digits) return false;
            dots++;
            digits = 0;
        } else if (isdigit((unsigned char)*p)) {
            digits++;
        } else {
            return false;
        }
    }
    return dots == 3 && digits > 0;
}

bool s3_bucket_name_valid(const char *name)
{
    static const char *const reserved_prefixes[] = {"xn--", "sthree-", "amzn-s3-demo-"};
    static const char *const reserved_suffixes[] = {"-s3alias", "--ol-s3", ".mrap", "--x-s3",
                                                    "--table-s3"};
    size_t n = strlen(name);
    if (n < 3 || n > 63) return false;
    for (size_t i = 0; i < n; i++) {
        char ch = name[i];
        if (!(islower((unsigned char)ch) || isdigit((unsigned char)ch) || ch == '.' || ch == '-'))
            return false;
    }
    if (!isalnum((unsigned char)name[0]) || !isalnum((unsigned char)name[n - 1])) return false;
    if (strstr(name, "..")) return false;
    if (looks_like_ipv4(name)) return false;
    for (size_t i = 0; i < sizeof reserved_prefixes / sizeof *reserved_prefixes; i++)
        if (!strncmp(name, reserved_prefixes[i], strlen(reserved_prefixes[i]))) return false;
    for (size_t i = 0; i < sizeof reserved_suffixes / sizeof *reserved_suffixes; i++) {
        size_t sl = strlen(reserved_suffixes[i]);
        if (n > sl && !strcmp(name + n - sl, reserved_suffixes[i])) return false;
    }
    return true;
}

/* Regions S3 accepts as a LocationConstraint (the model's BucketLocationConstraint). */
static const char *const S3_REGIONS[] = {
    "af-south-1",     "ap-east-1",      "ap-east-2",      "ap-northeast-1", "ap-northeast-2",
    "ap-northeast-3", "ap-south-1",     "ap-south-2",     "ap-southeast-1", "ap-southeast-2",
    "ap-southeast-3", "ap-southeast-4", "ap-southeast-5", "ap-southeast-6", "ap-southeast-7",
    "ca-central-1",   "ca-west-1",      "cn-north-1",     "cn-northwest-1", "eu-central-1",
    "eu-central-2",   "eu-north-1",     "eu-south-1",     "eu-south-2",     "eu-west-1",
    "eu-west-2",      "eu-west-3",      "il-central-1",   "me-central-1",   "me-south-1",
    "mx-central-1",   "sa-east-1",      "us-east-2",      "us-gov-east-1",  "us-gov-west-1",
    "us-west-1",      "us-west-2",
};

int s3_location_resolve(const char *signed_region, const char *constraint, char *region,
                        size_t region_len, aws_error *e)
{
    bool from_us_east_1 = !strcmp(signed_region, "us-east-1");
    if (!constraint || !*constraint) {
        if (!from_us_east_1)
            return aws_fail(e, 400, "IllegalLocationConstraintException",
                            "The unspecified location constraint is incompatible for the region "
                            "specific endpoint this request was sent to.");
        snprintf(region, region_len, "%s", "us-east-1");
        return 0;
    }
    const char *wanted = !strcmp(constraint, "EU") ? "eu-west-1" : constraint;
    bool known = false;
    for (size_t i = 0; i < sizeof S3_REGIONS / sizeof *S3_REGIONS && !known; i++)
        known = !strcmp(wanted, S3_REGIONS[i]);
    if (!known)
        return aws_fail(e, 400, "InvalidLocationConstraint",
                        "The specified location-constraint is not valid");
    if (!from_us_east_1 && strcmp(wanted, signed_region))
        return aws_fail(e, 400, "IllegalLocationConstraintException",
                        "The %.32s location constraint is incompatible for the region specific "
                        "endpoint this request was sent to.",
                        constraint);
    snprintf(region, region_len, "%s", wanted);
    return 0;
}

void s3_canonical_id(const char *account_id, char out[65])
{
    /* AWS's canonical ids are opaque 64-hex strings; a keyed digest of the account id
     * gives the same stability (one id per account, forever) without storing one. */
    char seed[64];
    int n = snprintf(seed, sizeof seed, "orgtrail-s3-canonical-user:%s", account_id);
    hash_sha256_hex(seed, (size_t)n, out);
}
