/* sns_sign: SNS's message documents and their signatures ("Verifying the signatures of
 * Amazon SNS messages").
 *
 * Contract:
 *   - the string to sign is name\nvalue\n for each field, in this order: Notification:
 *     Message, MessageId, Subject (only when the message has one), Timestamp, TopicArn,
 *     Type; SubscriptionConfirmation and UnsubscribeConfirmation: Message, MessageId,
 *     SubscribeURL, Timestamp, Token, TopicArn, Type;
 *   - Signature is the base64 of RSASSA-PKCS1-v1_5 over that string with SHA1
 *     (SignatureVersion 1) or SHA256 (SignatureVersion 2);
 *   - the key is RSA-2048; its certificate is self-signed X.509 (CN sns.amazonaws.com),
 *     served as PEM at SigningCertURL; its id is the first 32 hex digits of the SHA-256 of
 *     the certificate's DER (the -<id>.pem of the URL).
 *
 * Where the key lives: in the state database (sns_signing_keys), not with the digest
 * keys in the signer process. The digest keys are kept from the request process because
 * they vouch for the log files that record what that process did; the SNS key only says
 * that a message came from this server, and every delivery needs it, so it is the
 * server's own key, protected as the state database is.
 * Made once, on first use, in a write transaction; kept for good.
 *
 * Everything returned is owned by the caller unless said otherwise. */
#ifndef ORGTRAIL_SNS_SIGN_H
#define ORGTRAIL_SNS_SIGN_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "core/awserr.h"
#include "core/buf.h"
#include "state/db.h"

typedef enum sns_msg_type {
    SNS_NOTIFICATION,
    SNS_SUBSCRIPTION_CONFIRMATION,
    SNS_UNSUBSCRIBE_CONFIRMATION,
} sns_msg_type;

/* One message as it is POSTed. Every pointer is borrowed. */
typedef struct sns_message {
    sns_msg_type type;
    const char *message_id, *topic_arn, *message;
    const char *subject;               /* Notification; NULL: none */
    const char *timestamp;             /* ISO-8601 with milliseconds, "2026-12-07T12:00:00.000Z" */
    const char *token, *subscribe_url; /* confirmations */
    const char *unsubscribe_url;       /* Notification */
    const char *signing_cert_url;
    const json_t *attributes; /* Notification: {"name": {"Type", "Value"}}; NULL: none */
    int signature_version;    /* 1 or 2 */
} sns_message;

/* "Notification", "SubscriptionConfirmation", "UnsubscribeConfirmation"; parse: 0 or -1. */
const char *sns_msg_type_name(sns_msg_type t);
int sns_msg_type_parse(const char *s, sns_msg_type *t);

/* Appends the string to sign of m to out. */
void sns_string_to_sign(const sns_message *m, buf *out);
/* The JSON document of m with its Signature (base64), in SNS's field order; malloc'd. */
char *sns_document_alloc(const sns_message *m, const char *signature);

typedef struct sns_key sns_key;

/* A new key and certificate valid from now_ms for ten years; NULL when OpenSSL fails. */
sns_key *sns_key_generate(int64_t now_ms);
/* The newest key of the store, made (and committed) when there is none. The caller holds
 * no transaction. 0, or -1 with e (InternalError). */
int sns_key_load_or_create(db_conn *db, int64_t now_ms, sns_key **out, aws_error *e);
const char *sns_key_id(const sns_key *k);       /* 32 hex digits, borrowed */
const char *sns_key_cert_pem(const sns_key *k); /* borrowed */
/* Base64 signature of msg with SHA1 (version 1) or SHA256 (version 2), malloc'd; NULL
 * when OpenSSL fails. */
char *sns_key_sign(const sns_key *k, int version, const void *msg, size_t n);
void sns_key_free(sns_key *k);

/* The PEM of certificate `id` from the store, malloc'd; NULL when there is none. */
char *sns_cert_pem_alloc(db_conn *db, const char *id);

#endif
