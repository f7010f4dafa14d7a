/*
 * net.c: sockets with two clocks: a per-read timeout (no octet for that
 * long: the server hangs) and an overall deadline (the whole transfer or
 * probe).  Non-blocking sockets and poll(), so neither can be exceeded.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "clock.h"
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
