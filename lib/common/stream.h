/*
 * stream.h: reader and writer of the r53mirror RRset stream and change
 * stream (format/SPEC.md).  Every command reads and writes streams only
 * through this module.
 *
 * Reading: strm_open() reads and checks the header; strm_next() returns
 * one RRset (or one change) at a time, checking order, uniqueness and
 * syntax; it returns STRM_END only after a valid trailer with the right
 * counts.  Any problem is reported as "prog: FILE:LINE: message" on stderr
 * and returned as STRM_ERROR; the caller must then act on nothing.
 *
 * Writing: strm_create() opens stdout or, atomically, a file (temporary
 * file in the same folder, renamed into place by strm_commit() after
 * fsync).  strm_abort() discards a file or, on stdout, simply writes no
 * trailer, so no reader accepts the partial stream.
 */
#ifndef R53M_STREAM_H
#define R53M_STREAM_H

#include <stddef.h>
#include <stdint.h>

enum strm_kind {
	STRM_RRSET,		/* #!r53mirror-rrset 1 */
	STRM_CHANGE		/* #!r53mirror-change 1 */
};

enum strm_status {
	STRM_ERROR = -1,	/* reported on stderr; stop */
	STRM_END = 0,		/* valid trailer read, counts right */
	STRM_OK = 1		/* one item returned */
};

/*
 * One parsed RRset line.  All pointers point into the reader's (or the
 * caller's) line buffer and are valid until the next strm_next() call on
 * the same reader.  Fields are NOT NUL-terminated: use the lengths.
 */
struct rrset {
	const char *line;	/* whole RRset line, without LF */
	size_t len;
	size_t key_len;		/* bytes of "OWNER TAB TYPE[/SETID]" */
	size_t cmp_len;		/* bytes compared for content equality:
				 * the line without a trailing @raw field */
	const char *owner;	size_t owner_len;
	const char *type;	size_t type_len;   /* without /SETID */
	const char *setid;	size_t setid_len;  /* escaped; NULL if none */
	const char *ttl_text;	size_t ttl_len;    /* "-" for alias */
	long ttl;		/* -1 for alias */
	size_t nrdata;
	const char **rdata;	/* nrdata pointers */
	size_t *rdata_len;
	const char *r53;	size_t r53_len;    /* JSON text, or NULL */
	const char *raw;	size_t raw_len;    /* JSON text, or NULL */
};

enum change_kind {
	CHANGE_ADD = '+',	/* new only */
	CHANGE_DELETE = '-',	/* old only */
	CHANGE_UPDATE = '<'	/* old and new */
};

struct change {
	enum change_kind kind;
	const struct rrset *old;	/* DELETE, UPDATE; else NULL */
	const struct rrset *new;	/* ADD, UPDATE; else NULL */
};

struct strm_reader;

/*
 * strm_open(path, kind): open PATH ("-" is stdin) and read its header.
 * Returns NULL after reporting the problem.  Free with strm_close().
 */
struct strm_reader *strm_open(const char *path, enum strm_kind kind);

/* strm_header(r, key): header value for KEY ("origin"), or NULL. */
const char *strm_header(const struct strm_reader *r, const char *key);

/*
 * strm_header_each(r, fn, arg): call fn(key, value, arg) for every header
 * line in file order (rrdiff copies them with a prefix).
 */
void strm_header_each(const struct strm_reader *r,
    void (*fn)(const char *key, const char *value, void *arg), void *arg);

/* strm_next(r, &rr): next RRset of an RRset stream. */
enum strm_status strm_next(struct strm_reader *r, const struct rrset **rr);

/* strm_next_change(r, &ch): next change of a change stream. */
enum strm_status strm_next_change(struct strm_reader *r,
    const struct change **ch);

/*
 * strm_trailer(r, key): after STRM_END, the value of KEY in the trailer
 * ("rrsets", "adds", ...), or NULL.
 */
const char *strm_trailer(const struct strm_reader *r, const char *key);

/* Name (for messages) and current line number. */
const char *strm_name(const struct strm_reader *r);
unsigned long strm_lineno(const struct strm_reader *r);

void strm_close(struct strm_reader *r);

/*
 * rrset_parse(line, len, &rr, file, lineno): parse one RRset line held by
 * the caller (e.g. to check a line built by a producer).  rr's arrays are
 * owned by *rr and freed by rrset_free_arrays().  Returns 0 or -1 after
 * reporting.
 */

struct strm_writer;

/*
 * strm_create(path, kind): NULL or "-" writes to stdout; otherwise the
 * stream goes to a temporary file beside PATH, renamed by strm_commit().
 * Writes the magic line at once.
 */
struct strm_writer *strm_create(const char *path, enum strm_kind kind);

/* strm_put_header(w, key, value): one header line; before any record. */
int strm_put_header(struct strm_writer *w, const char *key,
    const char *value);

/*
 * strm_put_line(w, line, len): one RRset line (RRset stream) or one
 * change line including its KIND TAB prefix (change stream), without LF.
 * The writer checks the key order against the previous line and refuses
 * (returns -1 after reporting) a line out of order: producers must sort.
 */
int strm_put_line(struct strm_writer *w, const char *line, size_t len);

/*
 * strm_commit(w, extra): write the trailer ("#end rrsets=N" or the change
 * counts, plus EXTRA words if not NULL), flush, fsync and rename a file
 * into place.  Frees w.  Returns 0, or -1 after reporting (nothing
 * renamed).
 */
int strm_commit(struct strm_writer *w, const char *extra);

/* strm_abort(w): no trailer; remove the temporary file.  Frees w. */
void strm_abort(struct strm_writer *w);

/*
 * RRset line builder, for producers (zxfr, r53dump).  Collect records of
 * one RRset, then format the canonical line: rdata sorted bytewise,
 * duplicates dropped.  See zonebuf.h for collecting a whole zone.
 *
 * rrset_format(owner, type, setid, ttl, rdata, n, r53, raw, &out, &outlen)
 *   owner/type/setid/r53/raw are NUL-terminated (setid, r53, raw may be
 *   NULL); ttl -1 means alias ("-").  rdata[] is sorted in place.  *out is
 *   malloc'd, caller frees.  Returns 0 or -1.
 */
int rrset_format(const char *owner, const char *type, const char *setid,
    long ttl, char **rdata, size_t n, const char *r53, const char *raw,
    char **out, size_t *outlen);

#endif
