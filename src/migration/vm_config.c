#include "migration/vm_config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CONFIG_VERSION 1

/* Flags about this process, each taking one value. */
static bool process_flag(const char *s, bool *with_value)
{
	static const char *const names[] = { "--api-socket", "--restore",
					     "--migrate-from" };
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		size_t n = strlen(names[i]);
		if (!strncmp(s, names[i], n) && (s[n] == '\0' || s[n] == '=')) {
			*with_value = s[n] == '\0';
			return true;
		}
	}
	return false;
}

int vm_config_write(struct mig_writer *w, const struct kiln_options *o,
		    char *err, size_t errlen)
{
	size_t len = 0;
	char *config = malloc(VM_CONFIG_MAX_LEN);
	if (!config) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	int n = 0;
	for (int i = 0; i < o->argc; i++) {
		const char *s = o->argv[i];
		bool with_value;
		if (process_flag(s, &with_value)) {
			i += with_value;
			continue;
		}
		size_t l = strlen(s) + 1;
		if (len + l > VM_CONFIG_MAX_LEN || ++n > VM_CONFIG_MAX_ARGS) {
			free(config);
			snprintf(err, errlen, "the command line is too long to record");
			return -E2BIG;
		}
		memcpy(config + len, s, l);
		len += l;
	}
	int e = mig_write_record(w, "config", CONFIG_VERSION, 0, config, len);
	free(config);
	if (e)
		snprintf(err, errlen, "%s", mig_writer_error(w));
	return e;
}

int vm_config_split(char *buf, size_t len, char **argv, int *argc)
{
	int n = 0;
	size_t i = 0;
	if (!len || buf[len - 1] != '\0')
		return -EPROTO;
	while (i < len) {
		if (n >= VM_CONFIG_MAX_ARGS)
			return -EPROTO;
		argv[n++] = buf + i;
		i += strlen(buf + i) + 1; /* stops at the NUL checked above */
	}
	argv[n] = NULL;
	*argc = n;
	return 0;
}

int vm_config_read(struct mig_reader *r, struct vm_config *c, char *err,
		   size_t errlen)
{
	memset(c, 0, sizeof(*c));
	struct mig_record_info info;
	bool end = false;
	int e = mig_next_record(r, &info, &end);
	if (!e && end)
		e = -EPROTO;
	if (!e)
		e = mig_check_record(r, &info, "config", CONFIG_VERSION, 1,
				     VM_CONFIG_MAX_LEN);
	if (e) {
		snprintf(err, errlen, "%s", end ? "no config section" : mig_error(r));
		return e;
	}
	c->buf = malloc(info.len);
	if (!c->buf) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	e = mig_read_payload(r, c->buf, info.len);
	if (e) {
		snprintf(err, errlen, "%s", mig_error(r));
		return e;
	}
	if (vm_config_split(c->buf, info.len, c->argv, &c->argc)) {
		snprintf(err, errlen, "malformed config section");
		return -EPROTO;
	}
	return 0;
}

void vm_config_free(struct vm_config *c)
{
	free(c->buf);
	c->buf = NULL;
	c->argc = 0;
}
