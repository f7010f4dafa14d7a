/*
 * fake_net.c: cmd/zxfr/net.c for fuzz_xfr: no sockets.  The "server"
 * sends fake_net_data (fake.h) on a TCP connection that always opens;
 * the query is taken in and its ID copied into every message served, so
 * that the fuzzer's messages get past the ID check to the parsers.
 */
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "fake.h"
#include "zxfr.h"

const uint8_t *fake_net_data;
size_t fake_net_len;

static size_t pos;		/* octets of fake_net_data served */
static uint8_t query_id[2];
static int want_body;		/* the next read is a message, not a length */

double
net_now(void)
{
	static double t;

	/* Time moves, slowly, so that progress code runs but no deadline
	 * is ever reached. */
	return t += 0.001;
}

int
net_server(const char *addr, int port, struct zxfr_server *srv)
{
	(void)addr;
	memset(srv, 0, sizeof(*srv));
	srv->port = port;
	return 0;
}

int
net_tcp_connect(const struct zxfr_server *srv, const struct deadline *dl)
{
	(void)srv;
	(void)dl;
	pos = 0;
	want_body = 0;
	/* A real descriptor, because xfr.c closes it. */
	return open("/dev/null", O_RDONLY | O_CLOEXEC);
}

int
net_write_all(int fd, const uint8_t *buf, size_t len,
    const struct deadline *dl)
{
	(void)fd;
	(void)dl;
	if (len >= 4)
		memcpy(query_id, buf + 2, 2);	/* after the TCP length */
	return 0;
}

int
net_read_full(int fd, uint8_t *buf, size_t len, const struct deadline *dl,
    size_t *got)
{
	size_t n = fake_net_len - pos;

	(void)fd;
	(void)dl;
	if (n > len)
		n = len;
	memcpy(buf, fake_net_data + pos, n);
	pos += n;
	*got = n;
	if (want_body && n >= 2)
		memcpy(buf, query_id, 2);
	want_body = !want_body;
	return n == len ? 0 : NET_EOF;
}

int
net_udp_socket(const struct zxfr_server *srv)
{
	(void)srv;
	return -1;
}

int
net_udp_recv(int fd, uint8_t *buf, size_t cap, double wait,
    const struct deadline *dl)
{
	(void)fd;
	(void)buf;
	(void)cap;
	(void)wait;
	(void)dl;
	return NET_ERROR;
}
