/*
 * fuzz_stream: the stream reader (stream.h).  Input: one octet choosing
 * the kind (even: RRset stream, odd: change stream), then the file.  The
 * reader must never crash and must stop (STRM_END or STRM_ERROR).
 * rrset_parse() also gets the first line alone, as a producer's check.
 */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "fuzz.h"
#include "stream.h"

static void
each(const char *key, const char *value, void *arg)
{
	size_t *n = arg;

	*n += strlen(key) + strlen(value);
}

static void
read_all(int fd, enum strm_kind kind)
{
	struct strm_reader *r = strm_open_fd(fd, "fuzz", kind);
	const struct rrset *rr;
	const struct change *ch;
	enum strm_status st;
	size_t n = 0;

	if (r == NULL)
		return;
	strm_header_each(r, each, &n);
	do {
		if (kind == STRM_RRSET) {
			st = strm_next(r, &rr);
			if (st == STRM_OK)
				n += (size_t)rrset_route53_only(rr);
		} else
			st = strm_next_change(r, &ch);
	} while (st == STRM_OK);
	if (st == STRM_END)
		strm_trailer_each(r, each, &n);
	strm_close(r);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int fd = -1;
	struct rrset rr;
	const char *nl;

	if (size < 1)
		return 0;
	/* One memory file for all runs: the reader wants a descriptor. */
	if (fd == -1 && (fd = memfd_create("fuzz", 0)) == -1)
		abort();
	if (ftruncate(fd, 0) == -1 ||
	    pwrite(fd, data + 1, size - 1, 0) != (ssize_t)(size - 1) ||
	    lseek(fd, 0, SEEK_SET) == -1)
		abort();
	read_all(fd, (data[0] & 1) ? STRM_CHANGE : STRM_RRSET);
	memset(&rr, 0, sizeof(rr));
	nl = memchr(data + 1, '\n', size - 1);
	(void)rrset_parse((const char *)data + 1,
	    nl ? (size_t)(nl - (const char *)data - 1) : size - 1, &rr, "fuzz", 1);
	rrset_free_arrays(&rr);
	return 0;
}
