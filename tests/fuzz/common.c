/* common.c: start-up and helpers shared by the fuzz targets. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "log.h"

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	/* The library's messages carry the program name. */
	log_init((*argv)[0]);
	return 0;
}

void
fuzz_fail(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("fuzz: property broken: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	abort();
}

uint16_t
fuzz_type(const uint8_t *data)
{
	if (data[0] & 0x80)
		return (uint16_t)((data[0] & 0x7f) << 8 | data[1]);
	return (uint16_t)((data[0] & 1) << 8 | data[1]);
}

char *
fuzz_strdup(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);

	if (s == NULL)
		abort();
	memcpy(s, data, size);
	s[size] = '\0';
	return s;
}
