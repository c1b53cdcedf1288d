/* An owned argument vector: a command line built piece by piece (the API's
 * vm.create turns its JSON into one) or copied (a VM keeps its own), for
 * options_parse, whose results point into its strings.
 */
#ifndef KILN_CLI_ARGV_H
#define KILN_CLI_ARGV_H

#include <stddef.h>

struct kiln_argv {
	int argc;
	char **argv; /* argc strings and a NULL */
	size_t cap;
};

/* Append one argument (formatted). 0 or -ENOMEM. */
int kiln_argv_add(struct kiln_argv *a, const char *fmt, ...)
	__attribute__((format(printf, 2, 3), warn_unused_result));

/* *to = a copy of argv[0..argc). 0 or -ENOMEM (then *to is empty). */
int kiln_argv_copy(struct kiln_argv *to, int argc, char *const argv[])
	__attribute__((warn_unused_result));

/* Free the strings and the vector; leaves an empty one. */
void kiln_argv_free(struct kiln_argv *a);

#endif
