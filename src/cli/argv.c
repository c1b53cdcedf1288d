#include "cli/argv.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int push(struct kiln_argv *a, char *s)
{
	if ((size_t)a->argc + 2 > a->cap) {
		size_t cap = a->cap ? a->cap * 2 : 16;
		char **v = realloc(a->argv, cap * sizeof(*v));
		if (!v) {
			free(s);
			return -ENOMEM;
		}
		a->argv = v;
		a->cap = cap;
	}
	a->argv[a->argc++] = s;
	a->argv[a->argc] = NULL;
	return 0;
}

int kiln_argv_add(struct kiln_argv *a, const char *fmt, ...)
{
	char *s;
	va_list ap;
	va_start(ap, fmt);
	int n = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (n < 0)
		return -ENOMEM;
	return push(a, s);
}

int kiln_argv_copy(struct kiln_argv *to, int argc, char *const argv[])
{
	memset(to, 0, sizeof(*to));
	for (int i = 0; i < argc; i++) {
		char *s = strdup(argv[i]);
		if (!s || push(to, s)) { /* push frees s when it fails */
			kiln_argv_free(to);
			return -ENOMEM;
		}
	}
	return 0;
}

void kiln_argv_free(struct kiln_argv *a)
{
	for (int i = 0; i < a->argc; i++)
		free(a->argv[i]);
	free(a->argv);
	memset(a, 0, sizeof(*a));
}
