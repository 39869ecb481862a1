/* log: the one way library code reports what a user running the server should see.
 *
 * Every message goes to stderr as one line "orgtrail: <message>", written with a single
 * write so that lines from the delivery thread, the signer and the request threads never
 * interleave. Library code calls ot_log and never fprintf(stderr); the command-line layer
 * (src/cli/) talks to its user directly. There is no level and no switch: what is logged
 * is something an operator must act on or know about (delivery stopped, a signer
 * restarted, a journal frame lost), never per-request chatter. */
#ifndef ORGTRAIL_LOG_H
#define ORGTRAIL_LOG_H

void ot_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
