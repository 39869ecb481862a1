/* awsconfig: credentials, region and endpoint found the way the AWS CLI finds them, for
 * orgtrail's own client commands.
 *
 *   credentials: AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN, else the
 *     profile (--profile, else AWS_PROFILE, else "default") in the shared credentials file
 *     (AWS_SHARED_CREDENTIALS_FILE, else ~/.aws/credentials), else in the config file
 *     (AWS_CONFIG_FILE, else ~/.aws/config; section "[profile NAME]" or "[default]");
 *   region: AWS_REGION, else AWS_DEFAULT_REGION, else the profile's `region`;
 *   endpoint: AWS_ENDPOINT_URL, else the profile's `endpoint_url`.
 * Command-line options override all of these (the caller applies them). */
#ifndef ORGTRAIL_VALIDATE_AWSCONFIG_H
#define ORGTRAIL_VALIDATE_AWSCONFIG_H

#include <stddef.h>

typedef struct aws_config {
    char access_key[129];
    char secret[129];
    char token[4096];
    char region[64];
    char endpoint[512];
    char profile[128];
    char source[160]; /* where the credentials came from, for error messages */
} aws_config;

/* Fills c. Returns 0, or -1 with err saying what to set when no credentials are found. */
int aws_config_load(aws_config *c, const char *profile, char *err, size_t errlen);

#endif
