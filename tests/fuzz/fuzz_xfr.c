/*
 * fuzz_xfr: zxfr's transfer loop (cmd/zxfr/xfr.c) and AXFR sink (axfr.c)
 * for the zone torture.test., with fake_net.c serving the input as the
 * server's TCP stream (2-octet length, message, ...).  Input: one octet
 * (bit 0: sign the query with a TSIG key, so that the answers go through
 * tsig_verify), then the stream.  It must end in an exit status, never
 * a crash, whatever the messages say.
 */
#include <stdlib.h>
#include <string.h>

#include "fake.h"
#include "fuzz.h"
#include "zxfr.h"

static const uint8_t zone[] = "\007torture\004test";	/* + the root's 0 */

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct zxfr_server srv;
	struct xfr_req req;
	struct xfr_sink sink;
	struct xfr_stats st;
	struct axfr a;

	if (size < 1)
		return 0;
	memset(&srv, 0, sizeof(srv));
	strcpy(srv.addr_text, "192.0.2.53");
	memset(&req, 0, sizeof(req));
	memcpy(req.zone, zone, sizeof(zone));	/* with the final 0 */
	req.zone_len = sizeof(zone);
	req.zone_text = "torture.test.";
	req.qtype = 252;			/* AXFR */
	req.srv = &srv;
	req.key = (data[0] & 1) ? fuzz_tsig_key() : NULL;
	req.dl.end = 1e12;
	req.dl.read_timeout = 1e9;
	req.max_records = 100000;
	fake_net_data = data + 1;
	fake_net_len = size - 1;
	if (axfr_init(&a, &req) != 0)
		abort();
	axfr_sink(&a, &sink);
	(void)xfr_run(&req, &sink, &st);
	axfr_free(&a);
	return 0;
}
