#include "validate/awsconfig.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void copy(char *dst, size_t n, const char *s)
{
    snprintf(dst, n, "%s", s ? s : "");
}

static char *trim(char *s)
{
    while (isspace((unsigned char)*s))
        s++;
    char *e = s + strlen(s);
    while (e > s && isspace((unsigned char)e[-1]))
        *--e = 0;
    return s;
}

/* Reads `key` of section `section` from an INI file into out (out unchanged when absent).
 * Returns 1 when found. */
static int ini_get(const char *path, const char *section, const char *key, char *out, size_t n)
{
    FILE *f = fopen(path, "r");
    if (!f) return 0;
    char line[8192];
    int in = 0, found = 0;
    while (fgets(line, sizeof line, f)) {
        char *s = trim(line);
        if (*s == '#' || *s == ';' || !*s) continue;
        if (*s == '[') {
            char *e = strchr(s, ']');
            if (e) *e = 0;
            in = !strcmp(trim(s + 1), section);
            continue;
        }
        if (!in) continue;
        char *eq = strchr(s, '=');
        if (!eq) continue;
        *eq = 0;
        if (strcmp(trim(s), key)) continue;
        copy(out, n, trim(eq + 1));
        found = 1;
        break;
    }
    fclose(f);
    return found;
}

static void path_of(char *out, size_t n, const char *env, const char *home_rel)
{
    const char *e = getenv(env);
    if (e && *e) {
        copy(out, n, e);
        return;
    }
    const char *home = getenv("HOME");
    snprintf(out, n, "%s/%s", home ? home : ".", home_rel);
}

int aws_config_load(aws_config *c, const char *profile, char *err, size_t errlen)
{
    memset(c, 0, sizeof c[0]);
    if (!profile || !*profile) profile = getenv("AWS_PROFILE");
    if (!profile || !*profile) profile = "default";
    copy(c->profile, sizeof c->profile, profile);
    char creds[4096], conf[4096], conf_section[160];
    path_of(creds, sizeof creds, "AWS_SHARED_CREDENTIALS_FILE", ".aws/credentials");
    path_of(conf, sizeof conf, "AWS_CONFIG_FILE", ".aws/config");
    if (!strcmp(profile, "default"))
        copy(conf_section, sizeof conf_section, "default");
    else
        snprintf(conf_section, sizeof conf_section, "profile %s", profile);

    const char *ak = getenv("AWS_ACCESS_KEY_ID"), *sk = getenv("AWS_SECRET_ACCESS_KEY");
    if (ak && *ak && sk && *sk) {
        copy(c->access_key, sizeof c->access_key, ak);
        copy(c->secret, sizeof c->secret, sk);
        copy(c->token, sizeof c->token, getenv("AWS_SESSION_TOKEN"));
        copy(c->source, sizeof c->source, "the environment");
    } else if (ini_get(creds, profile, "aws_access_key_id", c->access_key, sizeof c->access_key)) {
        ini_get(creds, profile, "aws_secret_access_key", c->secret, sizeof c->secret);
        ini_get(creds, profile, "aws_session_token", c->token, sizeof c->token);
        snprintf(c->source, sizeof c->source, "profile %.64s in %.80s", profile, creds);
    } else if (ini_get(conf, conf_section, "aws_access_key_id", c->access_key,
                       sizeof c->access_key)) {
        ini_get(conf, conf_section, "aws_secret_access_key", c->secret, sizeof c->secret);
        ini_get(conf, conf_section, "aws_session_token", c->token, sizeof c->token);
        snprintf(c->source, sizeof c->source, "profile %.64s in %.80s", profile, conf);
    }
    const char *r = getenv("AWS_REGION");
    if (!r || !*r) r = getenv("AWS_DEFAULT_REGION");
    if (r && *r)
        copy(c->region, sizeof c->region, r);
    else
        ini_get(conf, conf_section, "region", c->region, sizeof c->region);
    const char *ep = getenv("AWS_ENDPOINT_URL");
    if (ep && *ep)
        copy(c->endpoint, sizeof c->endpoint, ep);
    else
        ini_get(conf, conf_section, "endpoint_url", c->endpoint, sizeof c->endpoint);
    if (!c->access_key[0] || !c->secret[0]) {
        snprintf(err, errlen,
                 "Unable to locate credentials. Set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, "
                 "or AWS_PROFILE with a profile in %s (for an orgtrail store: the file "
                 "DATA/credentials that 'orgtrail init' wrote, via AWS_SHARED_CREDENTIALS_FILE).",
                 creds);
        return -1;
    }
    return 0;
}
