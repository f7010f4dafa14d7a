/*
 * stream.h: reader and writer of the r53mirror RRset stream and change
 * stream (format/SPEC.md).  Every command reads and writes streams only
 * through this module.
 *
 * Reading: strm_open() reads and checks the header; strm_next() returns
 * one RRset (or strm_next_change() one change) at a time, checking order,
 * uniqueness and the syntax of every field; it returns STRM_END only after
 * a valid trailer with the right counts and nothing after it.  Any problem
 * is reported as "prog: FILE:LINE: message" on stderr and returned as
 * STRM_ERROR; the caller must then act on nothing.
 *
 * Writing: strm_create() opens stdout or, atomically, a file (temporary
 * file in the same folder, renamed into place by strm_commit() after
 * fsync).  Every line put is checked with the same parser as the reader
 * (syntax, owner inside the origin, order).  strm_abort() discards a file
 * or, on stdout, simply writes no trailer, so no reader accepts the
 * partial stream.
 *
 * Memory: a reader holds one buffer (256 KiB, grown only for a longer
 * line) and the previous key; nothing grows with the number of RRsets.
 */
#ifndef R53M_STREAM_H
#define R53M_STREAM_H

#include <stddef.h>
#include <stdint.h>

enum strm_kind {
	STRM_RRSET,		/* #!r53mirror-rrset 1 */
	STRM_CHANGE		/* #!r53mirror-change 1 */
};

#define STRM_VERSION	"1"
#define STRM_MAGIC_RRSET	"#!r53mirror-rrset"
#define STRM_MAGIC_CHANGE	"#!r53mirror-change"

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
	size_t body_off;	/* offset of the byte after the TTL field (a
				 * TAB, or len): line[body_off..cmp_len) is
				 * the content compared by --ignore-ttl */
	const char *owner;	size_t owner_len;
	const char *type;	size_t type_len;   /* without /SETID */
	const char *setid;	size_t setid_len;  /* escaped, without '/';
						    * NULL if none */
	const char *ttl_text;	size_t ttl_len;    /* "-" for alias */
	long ttl;		/* -1 for alias */
	size_t nrdata;
	const char **rdata;	/* nrdata pointers */
	size_t *rdata_len;
	const char *r53;	size_t r53_len;    /* JSON text after "@r53=",
						    * or NULL */
	const char *raw;	size_t raw_len;    /* JSON text after "@raw=",
						    * or NULL */
	size_t rdata_cap;	/* internal: allocated size of the arrays */
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

/*
 * strm_open_fd(fd, name, kind): the same on an open descriptor (not
 * closed by strm_close()); NAME is used in messages.
 */
struct strm_reader *strm_open_fd(int fd, const char *name,
    enum strm_kind kind);

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

/*
 * strm_next_change(r, &ch): next change of a change stream (an update's
 * "<" and ">" lines come as one change).  *ch and the RRsets it points to
 * belong to the reader and stay valid until the next call.
 */
enum strm_status strm_next_change(struct strm_reader *r,
    const struct change **ch);

/*
 * strm_trailer(r, key): after STRM_END, the value of KEY in the trailer
 * ("rrsets", "adds", ...), or NULL.
 */
const char *strm_trailer(const struct strm_reader *r, const char *key);

/*
 * strm_trailer_each(r, fn, arg): after STRM_END, call fn(key, value, arg)
 * for every trailer word in order.
 */
void strm_trailer_each(const struct strm_reader *r,
    void (*fn)(const char *key, const char *value, void *arg), void *arg);

/*
 * strm_count(r): RRset lines (RRset stream) or changes (change stream)
 * returned so far.
 */
unsigned long strm_count(const struct strm_reader *r);

/* Name (for messages) and current line number. */
const char *strm_name(const struct strm_reader *r);
unsigned long strm_lineno(const struct strm_reader *r);

void strm_close(struct strm_reader *r);

/*
 * rrset_parse(line, len, &rr, file, lineno): parse and check one RRset
 * line held by the caller (e.g. to check a line built by a producer).
 * The origin is not checked.  rr must be zeroed before the first call and
 * may be reused; its arrays are owned by *rr and freed by
 * rrset_free_arrays().  Pointers point into LINE.  Returns 0, or -1 after
 * reporting "prog: FILE:LINE: field: message".
 */
int rrset_parse(const char *line, size_t len, struct rrset *rr,
    const char *file, unsigned long lineno);
void rrset_free_arrays(struct rrset *rr);

/*
 * rrset_key_cmp(a, b): <0, 0, >0 as the key of A sorts before, equals or
 * sorts after the key of B (stream order).
 */
int rrset_key_cmp(const struct rrset *a, const struct rrset *b);

/*
 * rrset_equal(a, b, ignore_ttl): 1 if A and B have the same content
 * (SPEC 2.2: the lines without @raw; with IGNORE_TTL also without the TTL
 * field), else 0.
 */
int rrset_equal(const struct rrset *a, const struct rrset *b,
    int ignore_ttl);

/*
 * rrset_compare(a, b, &same): rrset_key_cmp(a, b) and, when the keys are
 * equal, *same = rrset_equal(a, b, 0), in one pass over the lines (the
 * merge loop of rrdiff).  *same is 0 when the keys differ.
 */
int rrset_compare(const struct rrset *a, const struct rrset *b, int *same);

/*
 * rrset_route53_only(rr): 1 if the RRset can exist only in Route 53 (it
 * has a /SETID or an @r53 field), else 0.
 */
int rrset_route53_only(const struct rrset *rr);

/*
 * rrset_unconverted(rr): 1 if the RRset has no RDATA but an @raw field
 * (SPEC 2.2): a Route 53 RRset whose stored values r53dump could not
 * convert.  It may only be deleted or replaced ('-' and '<' lines of a
 * change stream), never added, so the change reader refuses it on '+'
 * and '>' lines.  Else 0.
 */
int rrset_unconverted(const struct rrset *rr);

struct strm_writer;

/*
 * strm_create(path, kind): NULL or "-" writes to stdout; otherwise the
 * stream goes to a temporary file ".NAME.XXXXXX" beside PATH, renamed by
 * strm_commit().  Writes the magic line at once.  Returns NULL after
 * reporting.
 */
struct strm_writer *strm_create(const char *path, enum strm_kind kind);

/*
 * strm_put_header(w, key, value): one header line; before any record.
 * KEY is [a-z0-9-]+ and at most once; VALUE non-empty printable ASCII.
 * "origin" (canonical name) and "producer" are required before the first
 * record line or the commit.  Returns 0 or -1 after reporting.
 */
int strm_put_header(struct strm_writer *w, const char *key,
    const char *value);

/*
 * strm_put_line(w, line, len): one RRset line (RRset stream) or one
 * change line including its KIND TAB prefix (change stream), without LF.
 * The writer checks the line's syntax, the owner against the origin and
 * the key order against the previous line, and refuses (returns -1 after
 * reporting) a line out of order: producers must sort.
 */
int strm_put_line(struct strm_writer *w, const char *line, size_t len);

/*
 * strm_put_change(w, kind, line, len): a change line from its parts:
 * KIND is '+', '-', '<' or '>', LINE an RRset line (e.g. rr->line).
 */
int strm_put_change(struct strm_writer *w, int kind, const char *line,
    size_t len);

/*
 * strm_commit(w, extra): write the trailer ("#end rrsets=N", or for a
 * change stream "#end changes=N adds=A deletes=D updates=U", then EXTRA
 * (space-separated key=value words, e.g. "desired-rrsets=5
 * current-rrsets=4 skipped=1", which a change stream needs) if not NULL),
 * flush, and for a file fsync, rename into place and fsync the folder.
 * Frees w.  Returns 0, or -1 after reporting (the temporary file is
 * removed, nothing renamed).
 */
int strm_commit(struct strm_writer *w, const char *extra);

/* strm_abort(w): no trailer; remove the temporary file.  Frees w; NULL ok. */
void strm_abort(struct strm_writer *w);

/* strm_written(w): record lines (or change lines) put so far. */
unsigned long strm_written(const struct strm_writer *w);

/*
 * RRset line builder, for producers (zxfr, r53dump).  Collect records of
 * one RRset, then format the canonical line: rdata sorted bytewise,
 * duplicates dropped.  See zonebuf.h for collecting a whole zone.
 *
 * rrset_format(owner, type, setid, ttl, rdata, n, r53, raw, &out, &outlen)
 *   owner/type/setid/r53/raw are NUL-terminated (setid, r53, raw may be
 *   NULL); setid is escaped (setid_escape) and given without '/'; r53 and
 *   raw are the JSON texts without "@r53="/"@raw="; ttl -1 means alias
 *   ("-", n must be 0).  rdata[] is sorted in place.  *out is malloc'd and
 *   NUL-terminated, caller frees.  The line is not checked here: the
 *   writer checks it.  Returns 0 or -1 (out of memory, reported).
 */
int rrset_format(const char *owner, const char *type, const char *setid,
    long ttl, char **rdata, size_t n, const char *r53, const char *raw,
    char **out, size_t *outlen);

/*
 * setid_escape(id, len): the stream text of a Route 53 SetIdentifier
 * (SPEC 2.2: octets other than A-Z a-z 0-9 - _ . as \DDD decimal),
 * malloc'd, NUL-terminated; NULL if out of memory (reported).
 * setid_unescape(text, len, &outlen): the reverse, malloc'd and
 * NUL-terminated; NULL if TEXT is not a valid escaped SetIdentifier or out
 * of memory (not reported).
 */
char *setid_escape(const char *id, size_t len);
char *setid_unescape(const char *text, size_t len, size_t *outlen);

#endif
