/* rrdiff: placeholder until its issue lands. */
#include <stdio.h>

#include "exitcodes.h"
#include "log.h"

int
main(int argc, char *argv[])
{
	(void)argc;
	log_init(argv[0]);
	log_msg("not implemented yet");
	return EXIT_BADINPUT;
}
