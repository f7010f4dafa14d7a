/*
 * fake.h: the fakes that fuzz builds link instead of the real network
 * code (fake_awshttp.c for lib/common/aws/awshttp.c, fake_net.c for
 * cmd/zxfr/net.c).  A target sets what the "server" answers.
 */
#ifndef R53M_FUZZ_FAKE_H
#define R53M_FUZZ_FAKE_H

#include <stddef.h>
#include <stdint.h>

/* fake_awshttp.c: every request gets this HTTP status and body. */
extern long fake_http_status;
extern const char *fake_http_body;
extern size_t fake_http_len;

/*
 * fake_net.c: the TCP stream the server sends (2-octet length, message,
 * ...).  The first two octets of every message are replaced by the
 * query's ID, which the input cannot know (xfr.c draws it at random).
 */
extern const uint8_t *fake_net_data;
extern size_t fake_net_len;

#endif
