/* The "config" record that opens a snapshot's state stream and a live
 * migration: the command line that built the VM, NUL-separated (version
 * 1), without the flags about the process rather than the VM (--api-socket,
 * --restore, --migrate-from). The receiving Kiln parses it with
 * options_parse and builds the same machine with pc_config.restoring.
 */
#ifndef KILN_MIGRATION_VM_CONFIG_H
#define KILN_MIGRATION_VM_CONFIG_H

#include "cli/options.h"
#include "migration/stream.h"

#include <stddef.h>

#define VM_CONFIG_MAX_ARGS 256
#define VM_CONFIG_MAX_LEN (64 * 1024)

struct vm_config {
	char *buf; /* the payload; argv points into it */
	char *argv[VM_CONFIG_MAX_ARGS + 1];
	int argc;
};

/* Write the record. 0 or -errno with a reason in err. */
int vm_config_write(struct mig_writer *w, const struct kiln_options *o,
		    char *err, size_t errlen) __attribute__((warn_unused_result));

/* Read the stream's next record, which must be "config", into *c (free
 * with vm_config_free, also after an error). 0 or -errno with a reason. */
int vm_config_read(struct mig_reader *r, struct vm_config *c, char *err,
		   size_t errlen) __attribute__((warn_unused_result));
void vm_config_free(struct vm_config *c);

/* Split a "config" payload into argv (exposed for tests): at most
 * VM_CONFIG_MAX_ARGS NUL-terminated strings filling exactly len bytes.
 * 0 or -EPROTO. */
int vm_config_split(char *buf, size_t len, char **argv, int *argc);

#endif
