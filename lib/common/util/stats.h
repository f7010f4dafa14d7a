/*
 * stats.h: the --stats FILE of every command (format/SPEC.md section 8):
 * what one run did, as "key=value" lines of whole numbers, so that
 * mirror.sh and monitoring read counts from a file made for it instead of
 * from messages meant for people.
 *
 * Usage:
 *	struct stats s;
 *	stats_init(&s, "r53dump");		(starts the elapsed_ms clock)
 *	stats_set(&s, "requests", n);		(in any order, any number)
 *	stats_write(&s, path, exit_status);	(at the end, whatever it is)
 *
 * The file is written to a temporary file beside PATH, fsync'd and
 * renamed (a reader sees the old file or the whole new one), its
 * temporary name guarded by tmpguard against a kill.
 */
#ifndef R53M_STATS_H
#define R53M_STATS_H

#define STATS_MAX 24

struct stats {
	const char *command;		/* the program: "zxfr", ... */
	double started;			/* clock_now() at stats_init */
	int n;
	struct {
		const char *key;	/* [a-z_]+, a string literal */
		unsigned long long value;
	} kv[STATS_MAX];
};

/* stats_init(s, command): empty, the clock started now. */
void stats_init(struct stats *s, const char *command);

/* stats_set(s, key, value): set KEY (a string literal, kept as a
 * pointer) to VALUE, replacing an earlier value; keys keep the order in
 * which they were first set.  Past STATS_MAX keys, new ones are dropped. */
void stats_set(struct stats *s, const char *key, unsigned long long value);

/* stats_write(s, path, status): the magic line, command=, status=,
 * elapsed_ms=, then the keys set, into PATH atomically.  0, or -1 after
 * a message naming PATH. */
int stats_write(const struct stats *s, const char *path, int status);

#endif
