/* Pre-copy live migration, destination side. */
#include "migration/migrate_recv.h"

#include "core/log.h"
#include "migration/migrate_ram.h"
#include "migration/migrate_send.h"
#include "migration/migrate_url.h"
#include "migration/vm_state.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static double now_ms(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

double migrate_recv_elapsed_ms(const struct migrate_in *m)
{
	return now_ms() - m->accepted_ms;
}

/* Wait for a sender on `lfd` (or for cancel_fd): 0 or -errno. */
static int wait_for_sender(int lfd, int cancel_fd)
{
	for (;;) {
		struct pollfd p[2] = {
			{ .fd = lfd, .events = POLLIN },
			{ .fd = cancel_fd, .events = POLLIN },
		};
		int n = poll(p, 2, -1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (p[1].revents)
			return -ECANCELED;
		if (p[0].revents)
			return 0;
	}
}

int migrate_recv_accept(struct migrate_in *m, const char *url, int cancel_fd,
			char *err, size_t errlen)
{
	memset(m, 0, sizeof(*m));
	m->fd = -1;
	char why[400];
	int lfd = migrate_url_listen(url, why, sizeof(why));
	if (lfd < 0) {
		snprintf(err, errlen, "--migrate-from %s", why);
		return lfd;
	}
	pr_info("waiting for a migration on %s", url);
	int e;
	do {
		e = wait_for_sender(lfd, cancel_fd);
		if (!e)
			m->fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
	} while (!e && m->fd < 0 && errno == EINTR);
	if (!e && m->fd < 0)
		e = -errno;
	close(lfd);
	if (!strncmp(url, "unix:", 5))
		unlink(url + 5);
	if (e) {
		snprintf(err, errlen, "--migrate-from %s: accept: %s", url, strerror(-e));
		return e;
	}
	m->accepted_ms = now_ms();
	migrate_set_timeouts(m->fd, MIGRATE_IO_TIMEOUT_S);
	e = mig_reader_open(&m->r, m->fd);
	if (!e)
		e = vm_config_read(m->r, &m->config, why, sizeof(why));
	else
		snprintf(why, sizeof(why), "%s", mig_error(m->r));
	if (e)
		snprintf(err, errlen, "--migrate-from %s: %s", url, why);
	return e;
}

int migrate_recv_load(struct migrate_in *m, struct vm *vm, char *err,
		      size_t errlen)
{
	char why[400] = "";
	uint64_t records = 0;
	int e;
	for (;;) {
		struct mig_record_info info;
		bool end = false;
		e = mig_next_record(m->r, &info, &end);
		if (!e && end) {
			snprintf(why, sizeof(why), "the stream ended before the device state");
			e = -EPROTO;
		}
		if (e) {
			if (!why[0])
				snprintf(why, sizeof(why), "%s", mig_error(m->r));
			break;
		}
		if (!strcmp(info.name, MIGRATE_RAM_DONE_RECORD)) {
			m->ram_done_ms = now_ms();
			e = mig_check_record(m->r, &info, MIGRATE_RAM_DONE_RECORD,
					     MIGRATE_RAM_VERSION, 0, 0);
			if (!e)
				e = mig_skip_payload(m->r);
			if (e)
				snprintf(why, sizeof(why), "%s", mig_error(m->r));
			else
				e = vm_state_load(vm, m->r, why, sizeof(why));
			break;
		}
		e = migrate_ram_receive(&vm->mem, m->r, &info, why, sizeof(why));
		if (e)
			break;
		records++;
	}
	m->loaded_ms = now_ms();
	if (e)
		snprintf(err, errlen, "--migrate-from: %s", why);
	else
		pr_debug("migration: %llu RAM records, %llu stream bytes",
			 (unsigned long long)records,
			 (unsigned long long)mig_reader_bytes(m->r));
	return e;
}

int migrate_recv_ack(struct migrate_in *m)
{
	char c = MIGRATE_ACK;
	for (;;) {
		ssize_t n = send(m->fd, &c, 1, MSG_NOSIGNAL);
		if (n == 1)
			return 0;
		if (n < 0 && errno == EINTR)
			continue;
		return n < 0 ? -errno : -EIO;
	}
}

void migrate_recv_close(struct migrate_in *m)
{
	if (m->r)
		mig_reader_close(m->r);
	if (m->fd >= 0)
		close(m->fd);
	vm_config_free(&m->config);
	m->r = NULL;
	m->fd = -1;
}
