/*
 * net.c: sockets with two clocks: a per-read timeout (no octet for that
 * long: the server hangs) and an overall deadline (the whole transfer or
 * probe).  Non-blocking sockets and poll(), so neither can be exceeded.
 * And the servers themselves: net_servers() turns SERVER (addresses,
 * names, ports, a comma-separated list of primaries) into the addresses
 * to try in order.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "clock.h"
#include "exitcodes.h"
#include "log.h"
#include "zxfr.h"

double
net_now(void)
{
	return clock_now();
}

int
net_server(const char *addr, int port, struct zxfr_server *srv)
{
	struct sockaddr_in *s4 = (struct sockaddr_in *)&srv->sa;
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&srv->sa;

	memset(srv, 0, sizeof(*srv));
	srv->port = port;
	if (inet_pton(AF_INET, addr, &s4->sin_addr) == 1) {
		s4->sin_family = AF_INET;
		s4->sin_port = htons((uint16_t)port);
		srv->salen = sizeof(*s4);
		inet_ntop(AF_INET, &s4->sin_addr, srv->addr_text,
		    sizeof(srv->addr_text));
		return 0;
	}
	if (inet_pton(AF_INET6, addr, &s6->sin6_addr) == 1) {
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons((uint16_t)port);
		srv->salen = sizeof(*s6);
		inet_ntop(AF_INET6, &s6->sin6_addr, srv->addr_text,
		    sizeof(srv->addr_text));
		return 0;
	}
	return -1;
}

/* srv_add(list, sa, salen, port, index): append one address, once. */
static int
srv_add(struct zxfr_servers *l, const struct sockaddr *sa, socklen_t salen,
    int port, int index, const char *host)
{
	struct zxfr_server *s;
	size_t i;

	for (i = 0; i < l->n; i++)
		if (l->srv[i].salen == salen && l->srv[i].port == port &&
		    memcmp(&l->srv[i].sa, sa, salen) == 0)
			return 0;
	if (l->n == ZXFR_SERVERS_MAX) {
		log_msg("more than %d server addresses", ZXFR_SERVERS_MAX);
		return -1;
	}
	s = &l->srv[l->n];
	memset(s, 0, sizeof(*s));
	memcpy(&s->sa, sa, salen);
	s->salen = salen;
	s->port = port;
	s->index = index;
	snprintf(s->host, sizeof(s->host), "%s", host);
	if (sa->sa_family == AF_INET6) {
		((struct sockaddr_in6 *)&s->sa)->sin6_port = htons((uint16_t)port);
		inet_ntop(AF_INET6, &((struct sockaddr_in6 *)&s->sa)->sin6_addr,
		    s->addr_text, sizeof(s->addr_text));
	} else {
		((struct sockaddr_in *)&s->sa)->sin_port = htons((uint16_t)port);
		inet_ntop(AF_INET, &((struct sockaddr_in *)&s->sa)->sin_addr,
		    s->addr_text, sizeof(s->addr_text));
	}
	l->n++;
	return 0;
}

int
net_port(const char *s, int *port)
{
	char *end;
	long l;

	if (*s < '0' || *s > '9')
		return -1;
	l = strtol(s, &end, 10);
	if (*end != '\0' || l < 1 || l > 65535)
		return -1;
	*port = (int)l;
	return 0;
}

/*
 * split_entry(e, host, &port): ADDR, NAME, ADDR:PORT, NAME:PORT, [V6],
 * [V6]:PORT or a bare IPv6 address; *port 0 when not given.  0 or -1.
 */
static int
split_entry(char *e, char **host, int *port)
{
	char *c;

	*port = 0;
	if (*e == '[') {
		if ((c = strchr(e, ']')) == NULL || (c[1] != '\0' && c[1] != ':'))
			return -1;
		*c = '\0';
		*host = e + 1;
		c = c[1] == ':' ? c + 2 : NULL;
	} else if ((c = strchr(e, ':')) != NULL && strchr(c + 1, ':') == NULL) {
		*c++ = '\0';
		*host = e;
	} else {
		*host = e;		/* a name, IPv4 or a bare IPv6 */
		c = NULL;
	}
	if (**host == '\0' ||
	    strspn(*host, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "0123456789-._:%") != strlen(*host))
		return -1;
	if (c != NULL && net_port(c, port) == -1)
		return -1;
	return 0;
}

/* add_host(list, host, port, index): HOST's addresses: itself when
 * numeric, else every address getaddrinfo() gives, in its order.
 * 0, -1 (reported, a local failure), 1 (does not resolve, reported). */
static int
add_host(struct zxfr_servers *l, const char *host, int port, int index)
{
	struct addrinfo hints, *res = NULL, *ai;
	struct zxfr_server num;
	int r;

	if (net_server(host, port, &num) == 0)
		return srv_add(l, (struct sockaddr *)&num.sa, num.salen, port,
		    index, host);
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	if ((r = getaddrinfo(host, NULL, &hints, &res)) != 0) {
		log_msg("cannot resolve server '%s': %s", host,
		    r == EAI_SYSTEM ? strerror(errno) : gai_strerror(r));
		return 1;
	}
	for (ai = res, r = 0; ai != NULL && r == 0; ai = ai->ai_next)
		if (ai->ai_family == AF_INET || ai->ai_family == AF_INET6)
			r = srv_add(l, ai->ai_addr, ai->ai_addrlen, port, index,
			    host);
	freeaddrinfo(res);
	return r;
}

int
net_servers(const char *spec, int port, int port_set, struct zxfr_servers *l)
{
	char buf[1024], *p, *e, *host;
	int index = 0, eport;

	memset(l, 0, sizeof(*l));
	if (strlen(spec) >= sizeof(buf) || *spec == '\0') {
		log_msg("bad server: empty or too long");
		return EXIT_USAGE;
	}
	snprintf(buf, sizeof(buf), "%s", spec);
	for (p = buf; (e = strsep(&p, ",")) != NULL; ) {
		index++;
		if (split_entry(e, &host, &eport) == -1) {
			log_msg("bad server '%s': give ADDR, NAME, ADDR:PORT or "
			    "[IPv6]:PORT, several separated by commas", spec);
			return EXIT_USAGE;
		}
		if (eport != 0 && port_set && eport != port) {
			log_msg("port given twice: %s:%d and -p %d", host, eport,
			    port);
			return EXIT_USAGE;
		}
		if (add_host(l, host, eport != 0 ? eport : port, index) == -1)
			return EXIT_USAGE;
	}
	if (l->n == 0) {
		if (index > 1)	/* one name: its line said it all */
			log_msg("no address for any of the servers '%s'",
			    spec);
		return EXIT_REMOTE;
	}
	return EXIT_OK;
}

/*
 * wait_fd(fd, events, dl, wait): poll until FD is ready; WAIT is the
 * per-read (or per-try) limit in seconds.  0, NET_TIMEOUT, NET_DEADLINE
 * or NET_ERROR.
 */
static int
wait_fd(int fd, short events, const struct deadline *dl, double wait)
{
	for (;;) {
		double now = net_now(), left = dl->end - now, ms;
		struct pollfd pfd;
		int r, by_deadline = 0;

		if (left <= 0)
			return NET_DEADLINE;
		if (left < wait) {
			wait = left;
			by_deadline = 1;
		}
		ms = wait * 1000.0 + 1;
		pfd.fd = fd;
		pfd.events = events;
		pfd.revents = 0;
		r = poll(&pfd, 1, (int)ms);
		if (r == -1 && errno == EINTR) {
			wait -= net_now() - now;
			continue;
		}
		if (r == -1)
			return NET_ERROR;
		if (r == 0)
			return by_deadline ? NET_DEADLINE : NET_TIMEOUT;
		return 0;
	}
}

int
net_tcp_connect(const struct zxfr_server *srv, const struct deadline *dl)
{
	int fd, r, soerr = 0, one = 1;
	socklen_t sl = sizeof(soerr);

	fd = socket(srv->sa.ss_family, SOCK_STREAM | SOCK_NONBLOCK |
	    SOCK_CLOEXEC, 0);
	if (fd == -1)
		return NET_ERROR;
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (connect(fd, (const struct sockaddr *)&srv->sa, srv->salen) == 0)
		return fd;
	if (errno != EINPROGRESS)
		goto fail;
	if ((r = wait_fd(fd, POLLOUT, dl, dl->read_timeout)) != 0) {
		close(fd);
		return r;
	}
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &sl) == -1)
		goto fail;
	if (soerr != 0) {
		errno = soerr;
		goto fail;
	}
	return fd;
fail:
	r = errno;
	close(fd);
	errno = r;
	return NET_ERROR;
}

int
net_write_all(int fd, const uint8_t *buf, size_t len,
    const struct deadline *dl)
{
	size_t done = 0;

	while (done < len) {
		ssize_t w = send(fd, buf + done, len - done, MSG_NOSIGNAL);
		int r;

		if (w >= 0) {
			done += (size_t)w;
			continue;
		}
		if (errno == EINTR)
			continue;
		if (errno != EAGAIN && errno != EWOULDBLOCK)
			return errno == EPIPE || errno == ECONNRESET ?
			    NET_EOF : NET_ERROR;
		if ((r = wait_fd(fd, POLLOUT, dl, dl->read_timeout)) != 0)
			return r;
	}
	return 0;
}

int
net_read_full(int fd, uint8_t *buf, size_t len, const struct deadline *dl,
    size_t *got)
{
	size_t done = 0;
	int r = 0;

	while (done < len) {
		ssize_t n;

		/* every read, not only after EAGAIN: a server that streams
		 * without pause never lets wait_fd() see the deadline */
		if (net_now() >= dl->end) {
			r = NET_DEADLINE;
			break;
		}
		n = recv(fd, buf + done, len - done, 0);
		if (n > 0) {
			done += (size_t)n;
			continue;
		}
		if (n == 0) {
			r = NET_EOF;
			break;
		}
		if (errno == EINTR)
			continue;
		if (errno == ECONNRESET) {
			r = NET_EOF;
			break;
		}
		if (errno != EAGAIN && errno != EWOULDBLOCK) {
			r = NET_ERROR;
			break;
		}
		if ((r = wait_fd(fd, POLLIN, dl, dl->read_timeout)) != 0)
			break;
	}
	if (got != NULL)
		*got = done;
	return done == len ? 0 : r;
}

int
net_udp_socket(const struct zxfr_server *srv)
{
	int fd;

	fd = socket(srv->sa.ss_family, SOCK_DGRAM | SOCK_NONBLOCK |
	    SOCK_CLOEXEC, 0);
	if (fd == -1)
		return -1;
	/* connect(): the kernel then drops datagrams from anyone else */
	if (connect(fd, (const struct sockaddr *)&srv->sa, srv->salen) ==
	    -1) {
		int e = errno;

		close(fd);
		errno = e;
		return -1;
	}
	return fd;
}

int
net_udp_recv(int fd, uint8_t *buf, size_t cap, double wait,
    const struct deadline *dl)
{
	for (;;) {
		ssize_t n;
		int r;

		n = recv(fd, buf, cap, 0);
		if (n >= 0)
			return (int)n;
		if (errno == EINTR)
			continue;
		if (errno == ECONNREFUSED)
			return NET_EOF;
		if (errno != EAGAIN && errno != EWOULDBLOCK)
			return NET_ERROR;
		if ((r = wait_fd(fd, POLLIN, dl, wait)) != 0)
			return r;
	}
}
