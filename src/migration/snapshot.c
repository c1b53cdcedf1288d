/* Snapshot files: writing a paused VM out, reading one back in. */
#include "migration/snapshot.h"

#include "core/log.h"
#include "migration/vm_state.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int path_in(char *out, size_t cap, const char *dir, const char *name)
{
	int n = snprintf(out, cap, "%s/%s", dir, name);
	return n < 0 || (size_t)n >= cap ? -ENAMETOOLONG : 0;
}

/* Write `name` in `dir` through name.tmp: fsync, rename, so a crash leaves
 * the old file or the new one. `fill` writes the content to the fd. */
static int write_atomically(const char *dir, const char *name,
			    int (*fill)(int fd, void *arg, char *err, size_t errlen),
			    void *arg, char *err, size_t errlen)
{
	char final[4200], tmp[4210];
	if (path_in(final, sizeof(final), dir, name) ||
	    snprintf(tmp, sizeof(tmp), "%s.tmp", final) >= (int)sizeof(tmp)) {
		snprintf(err, errlen, "%s: path too long", dir);
		return -ENAMETOOLONG;
	}
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0) {
		int e = -errno;
		snprintf(err, errlen, "%s: %s", tmp, strerror(-e));
		return e;
	}
	int e = fill(fd, arg, err, errlen);
	if (!e && fsync(fd) < 0) {
		e = -errno;
		snprintf(err, errlen, "%s: fsync: %s", tmp, strerror(-e));
	}
	close(fd);
	if (!e && rename(tmp, final) < 0) {
		e = -errno;
		snprintf(err, errlen, "%s: rename: %s", final, strerror(-e));
	}
	if (e)
		unlink(tmp);
	return e;
}

static int fill_memory(int fd, void *arg, char *err, size_t errlen)
{
	struct vm *vm = arg;
	int e = guest_mem_save_file(&vm->mem, fd);
	if (e)
		snprintf(err, errlen, "writing guest memory: %s", strerror(-e));
	return e;
}

struct state_arg {
	struct vm *vm;
	const struct kiln_options *o;
};

static int fill_state(int fd, void *arg, char *err, size_t errlen)
{
	struct state_arg *a = arg;
	struct mig_writer *w;
	int e = mig_writer_open(&w, fd);
	if (e) {
		snprintf(err, errlen, "cannot start the state stream: %s", strerror(-e));
		return e;
	}
	e = vm_config_write(w, a->o, err, errlen);
	if (!e)
		e = vm_state_save(a->vm, w, err, errlen);
	if (!e && (e = mig_writer_finish(w)))
		snprintf(err, errlen, "%s", mig_writer_error(w));
	mig_writer_close(w);
	return e;
}

int snapshot_save(struct vm *vm, const struct kiln_options *o, const char *dir,
		  char *err, size_t errlen)
{
	if (!vm_is_paused(vm)) {
		snprintf(err, errlen, "the VM must be paused first (vm.pause)");
		return -EBUSY;
	}
	int se = vm_state_supported(vm, err, errlen);
	if (se)
		return se;
	if (mkdir(dir, 0700) < 0 && errno != EEXIST) {
		int e = -errno;
		snprintf(err, errlen, "%s: %s", dir, strerror(-e));
		return e;
	}
	int e = vm_devices_pause(vm, err, errlen);
	if (e)
		return e;
	struct state_arg a = { .vm = vm, .o = o };
	e = write_atomically(dir, "memory.bin", fill_memory, vm, err, errlen);
	if (!e)
		e = write_atomically(dir, "state.kiln", fill_state, &a, err, errlen);
	vm_devices_resume(vm);
	if (!e) {
		/* The renames themselves must survive a crash too. */
		int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (dfd >= 0) {
			fsync(dfd);
			close(dfd);
		}
	}
	return e;
}

int snapshot_open(struct snapshot *s, const char *dir, char *err, size_t errlen)
{
	memset(s, 0, sizeof(*s));
	s->state_fd = -1;
	if (snprintf(s->dir, sizeof(s->dir), "%s", dir) >= (int)sizeof(s->dir)) {
		snprintf(err, errlen, "--restore: path too long");
		return -ENAMETOOLONG;
	}
	char path[4200];
	if (path_in(path, sizeof(path), dir, "state.kiln")) {
		snprintf(err, errlen, "--restore: path too long");
		return -ENAMETOOLONG;
	}
	s->state_fd = open(path, O_RDONLY | O_CLOEXEC);
	if (s->state_fd < 0) {
		int e = -errno;
		snprintf(err, errlen, "--restore: %s: %s", path, strerror(-e));
		return e;
	}
	int e = mig_reader_open(&s->r, s->state_fd);
	if (e) {
		snprintf(err, errlen, "--restore: %s: %s", path, mig_error(s->r));
		return e;
	}
	char why[400];
	e = vm_config_read(s->r, &s->config, why, sizeof(why));
	if (e) {
		snprintf(err, errlen, "--restore: %s: %s", path, why);
		return e;
	}
	return 0;
}

int snapshot_load(struct snapshot *s, struct vm *vm, char *err, size_t errlen)
{
	char path[4200];
	if (path_in(path, sizeof(path), s->dir, "memory.bin")) {
		snprintf(err, errlen, "--restore: path too long");
		return -ENAMETOOLONG;
	}
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		int e = -errno;
		snprintf(err, errlen, "--restore: %s: %s", path, strerror(-e));
		return e;
	}
	int e = guest_mem_load_file(&vm->mem, fd);
	close(fd); /* a private mapping keeps its own reference */
	if (e) {
		snprintf(err, errlen, "--restore: %s: %s", path,
			 e == -EINVAL ? "size does not match the VM's memory" : strerror(-e));
		return e;
	}
	char why[400];
	e = vm_state_load(vm, s->r, why, sizeof(why));
	if (e)
		snprintf(err, errlen, "--restore: %s/state.kiln: %s", s->dir, why);
	return e;
}

void snapshot_close(struct snapshot *s)
{
	if (s->r)
		mig_reader_close(s->r);
	if (s->state_fd >= 0)
		close(s->state_fd);
	vm_config_free(&s->config);
	s->r = NULL;
	s->state_fd = -1;
}
