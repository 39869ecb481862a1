/* cloudtrail_keys: ListPublicKeys — the public halves of the calling region's digest
 * signing keys whose validity overlaps [StartTime, EndTime] (digest/keystore.h).
 *
 * As AWS: an absent StartTime or EndTime is now, so a call without either returns the
 * current key; StartTime after EndTime is InvalidTimeRangeException. Every key the range
 * needs comes in one page (the AWS CLI's validator never pages; NextToken is reserved).
 * When the range includes now and no key covers now, the current key is made here, so
 * the answer is never empty for the present (keys are made on first use).
 *
 * Value is the DER of the PKCS#1 RSAPublicKey; the JSON protocol carries blobs as base64,
 * which is the text put here. */
#include <stdlib.h>

#include "digest/keystore.h"
#include "svc/cloudtrail_internal.h"

static int64_t in_time_ms(const call_ctx *c, const char *member, int64_t dflt)
{
    const json_t *v = json_object_get(c->in, member);
    return json_is_number(v) ? (int64_t)(json_number_value(v) * 1000.0) : dflt;
}

int ct_list_public_keys(call_ctx *c)
{
    int64_t from = in_time_ms(c, "StartTime", c->now_ms);
    int64_t to = in_time_ms(c, "EndTime", c->now_ms);
    if (from > to)
        return aws_fail(&c->err, 400, "InvalidTimeRangeException",
                        "Occurs if the timestamp values are not valid. Either the start time "
                        "occurs after the end time, or the time range is outside the range of "
                        "possible values.");
    if (!keystore_region_ok(c->region))
        return aws_fail(&c->err, 400, "InvalidParameterException", "Not a region name.");
    if (from <= c->now_ms && c->now_ms <= to && c->env) {
        public_key cur;
        if (keystore_key_for(c->db, c->env->signer, c->region, c->now_ms,
                             (int64_t)c->env->signing_key_period_s * 1000, c->now_ms, &cur,
                             &c->err))
            return -1;
        public_key_clear(&cur);
    }
    public_key *keys;
    size_t n = keystore_list(c->db, c->region, from, to, &keys);
    json_t *list = json_array();
    for (size_t i = 0; i < n; i++) {
        char *b64 = base64_encode_alloc(keys[i].der, keys[i].der_len);
        json_array_append_new(list, json_pack("{s:s, s:o, s:o, s:s}", "Value", b64,
                                              "ValidityStartTime", json_time(keys[i].valid_from_ms),
                                              "ValidityEndTime", json_time(keys[i].valid_to_ms),
                                              "Fingerprint", keys[i].fingerprint));
        free(b64);
    }
    public_keys_free(keys, n);
    c->out = json_pack("{s:o}", "PublicKeyList", list);
    return 0;
}
