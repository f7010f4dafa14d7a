/*
 * stats.c: the --stats FILE writer shared by the four commands (see
 * stats.h; the format is format/SPEC.md section 8).
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "clock.h"
#include "log.h"
#include "stats.h"
#include "tmpguard.h"

void
stats_init(struct stats *s, const char *command)
{
	memset(s, 0, sizeof(*s));
	s->command = command;
	s->started = clock_now();
}

void
stats_set(struct stats *s, const char *key, unsigned long long value)
{
	int i;

	for (i = 0; i < s->n; i++)
		if (strcmp(s->kv[i].key, key) == 0)
			break;
	if (i == STATS_MAX)
		return;
	s->kv[i].key = key;
	s->kv[i].value = value;
	if (i == s->n)
		s->n++;
}

/* put(s, f, status): the lines; 0, or -1 when a write failed. */
static int
put(const struct stats *s, FILE *f, int status)
{
	double ms = (clock_now() - s->started) * 1000.0;
	int i;

	if (fprintf(f, "#!r53mirror-stats 1\ncommand=%s\nstatus=%d\n"
	    "elapsed_ms=%llu\n", s->command, status,
	    ms > 0 ? (unsigned long long)(ms + 0.5) : 0ULL) < 0)
		return -1;
	for (i = 0; i < s->n; i++)
		if (fprintf(f, "%s=%llu\n", s->kv[i].key, s->kv[i].value) < 0)
			return -1;
	return 0;
}

int
stats_write(const struct stats *s, const char *path, int status)
{
	char tmp[4096];
	FILE *f = tmpguard_fopen("--stats ", path, tmp, sizeof(tmp));

	if (f == NULL)
		return -1;
	return tmpguard_fclose("--stats ", f, path, tmp,
	    put(s, f, status) == 0);
}
