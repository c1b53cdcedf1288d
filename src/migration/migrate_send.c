/* Pre-copy live migration, source side. */
#include "migration/migrate_send.h"

#include "core/dirty_bitmap.h"
#include "core/log.h"
#include "migration/migrate_ram.h"
#include "migration/migrate_rate.h"
#include "migration/migrate_throttle.h"
#include "migration/migrate_url.h"
#include "migration/stream.h"
#include "migration/vm_config.h"
#include "migration/vm_state.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

struct send {
	struct vm *vm;
	struct mig_writer *w;
	uint64_t *dirty[GUEST_MEM_MAX_REGIONS]; /* pages still to send */
	uint8_t *buf;
	struct migrate_ram_stats st;
	bool logging;
	struct migrate_throttle throttle;
	struct migrate_rate rate; /* the bandwidth limit, if any */
	char *err;
	size_t errlen;
};

static double now_ms(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

static uint64_t now_ns(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

/* The writer's pace hook: wait out the bandwidth limit. */
static void pace(void *ctx, size_t bytes)
{
	struct send *s = ctx;
	uint64_t ns = migrate_rate_take(&s->rate, now_ns(), bytes);
	struct timespec ts = { .tv_sec = (time_t)(ns / 1000000000u),
			       .tv_nsec = (long)(ns % 1000000000u) };
	while (ns && nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/* With the devices running (a failed migration: the guest goes on here),
 * they are restarted around it, so that kernel data paths (vhost) stop
 * writing the dirty log. */
static void stop_logging(struct send *s, bool devices_running)
{
	if (!s->logging)
		return;
	struct vm *vm = s->vm;
	char why[256];
	bool cycle = devices_running && vm_devices_pause(vm, why, sizeof(why)) == 0;
	vm->accel_ops->dirty_log_stop(vm->accel);
	guest_mem_dirty_log_stop(&vm->mem);
	if (cycle)
		vm_devices_resume(vm);
	s->logging = false;
}

/* Dirty logging must not miss a write by a chain in flight when it starts
 * (its pages would be unknown): the devices finish their chains first, and
 * kernel data paths (vhost) start again logging their writes. */
static int start_logging(struct send *s)
{
	struct vm *vm = s->vm;
	int e = vm_devices_pause(vm, s->err, s->errlen);
	if (e)
		return e;
	e = guest_mem_dirty_log_start(&vm->mem);
	if (!e) {
		e = vm->accel_ops->dirty_log_start(vm->accel);
		if (e)
			guest_mem_dirty_log_stop(&vm->mem);
	}
	vm_devices_resume(vm);
	if (e) {
		snprintf(s->err, s->errlen, "cannot start dirty page logging: %s",
			 strerror(-e));
		return e;
	}
	s->logging = true;
	return 0;
}

/* Add the pages written since the last fetch to s->dirty; their count. */
static int fetch_dirty(struct send *s, uint64_t *count)
{
	struct vm *vm = s->vm;
	*count = 0;
	for (unsigned int i = 0; i < vm->mem.nr_regions; i++) {
		int e = vm->accel_ops->dirty_log_fetch(vm->accel, i, s->dirty[i]);
		if (e) {
			snprintf(s->err, s->errlen, "cannot read the dirty page log: %s",
				 strerror(-e));
			return e;
		}
		guest_mem_take_dirty(&vm->mem, i, s->dirty[i]);
		*count += dirty_bitmap_count(s->dirty[i], guest_mem_region_pages(&vm->mem, i));
	}
	return 0;
}

/* Send every page set in s->dirty, clearing the bits. */
static int send_dirty(struct send *s)
{
	struct guest_mem *mem = &s->vm->mem;
	for (unsigned int i = 0; i < mem->nr_regions; i++) {
		uint64_t pages = guest_mem_region_pages(mem, i);
		uint64_t full = mem->regions[i].size / GUEST_PAGE_SIZE;
		uint64_t pos = 0, start, len;
		while (dirty_bitmap_next_run(s->dirty[i], full, &pos,
					     MIGRATE_RAM_MAX_PAGES, &start, &len)) {
			int e = migrate_ram_send(s->w, mem, i, start, len, s->buf, &s->st);
			if (e) {
				snprintf(s->err, s->errlen, "sending RAM: %s",
					 mig_writer_error(s->w));
				return e;
			}
		}
		memset(s->dirty[i], 0, dirty_bitmap_words(pages) * sizeof(uint64_t));
	}
	return 0;
}

static int wait_ack(int fd, char *err, size_t errlen)
{
	char c;
	for (;;) {
		ssize_t n = recv(fd, &c, 1, 0);
		if (n == 1 && c == MIGRATE_ACK)
			return 0;
		if (n < 0 && errno == EINTR)
			continue;
		int e = n < 0 ? -errno : -EPROTO;
		snprintf(err, errlen, "the destination did not confirm: %s",
			 n == 0 ? "it closed the connection"
			 : n > 0 ? "unexpected answer"
			 : e == -EAGAIN ? "timed out" : strerror(-e));
		return e == -EAGAIN ? -ETIMEDOUT : e;
	}
}

int migrate_send(struct vm *vm, const struct kiln_options *o, const char *url,
		 const struct migrate_params *p, struct migrate_result *res,
		 char *err, size_t errlen)
{
	memset(res, 0, sizeof(*res));
	unsigned int downtime_ms = p->downtime_ms ? p->downtime_ms
				   : MIGRATE_DEFAULT_DOWNTIME_MS;
	if (p->bandwidth_mbps > MIGRATE_MAX_BANDWIDTH_MBPS) {
		snprintf(err, errlen, "bandwidth limit above %u Mbit/s",
			 MIGRATE_MAX_BANDWIDTH_MBPS);
		return -EINVAL;
	}
	if (vm_is_paused(vm)) {
		snprintf(err, errlen, "the VM is paused (resume it first)");
		return -EBUSY;
	}
	if (!vm->accel_ops->dirty_log_start) {
		snprintf(err, errlen, "the %s accelerator cannot log dirty pages",
			 vm->accel_ops->name);
		return -EOPNOTSUPP;
	}
	/* Refuse a device that cannot be saved before anything starts. */
	int e = vm_devices_pause(vm, err, errlen);
	if (e)
		return e;
	vm_devices_resume(vm);

	double t0 = now_ms();
	struct send s = { .vm = vm, .err = err, .errlen = errlen };
	bool paused = false;
	int fd = migrate_url_connect(url, err, errlen);
	if (fd < 0)
		return fd;
	migrate_set_timeouts(fd, MIGRATE_IO_TIMEOUT_S);
	e = -ENOMEM;
	s.buf = malloc(MIGRATE_RAM_MAX_PAGES * GUEST_PAGE_SIZE);
	if (!s.buf)
		goto fail;
	for (unsigned int i = 0; i < vm->mem.nr_regions; i++) {
		s.dirty[i] = calloc(dirty_bitmap_words(guest_mem_region_pages(&vm->mem, i)),
				    sizeof(uint64_t));
		if (!s.dirty[i])
			goto fail;
	}
	if ((e = mig_writer_open(&s.w, fd))) {
		snprintf(err, errlen, "cannot start the stream: %s", strerror(-e));
		goto fail;
	}
	if (p->bandwidth_mbps) {
		migrate_rate_init(&s.rate, (uint64_t)p->bandwidth_mbps * 125000u, now_ns());
		mig_writer_set_pace(s.w, pace, &s);
	}
	if ((e = vm_config_write(s.w, o, err, errlen)) || (e = start_logging(&s)))
		goto fail;

	/* Pass 1: everything, while the guest runs. */
	for (unsigned int i = 0; i < vm->mem.nr_regions; i++)
		dirty_bitmap_set(s.dirty[i], guest_mem_region_pages(&vm->mem, i), 0,
				 UINT64_MAX);
	double stream_t = now_ms();
	uint64_t stream_bytes = mig_writer_bytes(s.w);
	if ((e = send_dirty(&s)))
		goto fail;
	res->passes = 1;
	uint64_t left;
	for (;;) {
		/* What the link has really carried so far, bytes per ms: with
		 * a bandwidth limit at most that; the pages left are counted
		 * as if none were zeros (dirtied pages seldom are). */
		double t = now_ms();
		double rate = (double)(mig_writer_bytes(s.w) - stream_bytes) /
			      (t - stream_t > 0.01 ? t - stream_t : 0.01);
		if ((e = fetch_dirty(&s, &left)))
			goto fail;
		double estimate = (double)left * GUEST_PAGE_SIZE / (rate > 0 ? rate : 1e-9);
		pr_debug("migration: pass %u: %llu dirty pages left, %.1f ms at %.0f KB/s",
			 res->passes, (unsigned long long)left, estimate, rate);
		if (estimate <= downtime_ms || res->passes >= MIGRATE_MAX_PASSES - 1)
			break;
		/* Not converging after a few passes: slow the guest down,
		 * more with every pass. */
		if (res->passes >= MIGRATE_THROTTLE_AFTER) {
			unsigned int pct = MIGRATE_THROTTLE_START +
				MIGRATE_THROTTLE_STEP * (res->passes - MIGRATE_THROTTLE_AFTER);
			pct = pct > MIGRATE_THROTTLE_MAX ? MIGRATE_THROTTLE_MAX : pct;
			if (pct != res->throttle_pct &&
			    migrate_throttle_set(&s.throttle, vm, pct) == 0) {
				pr_info("migration: %llu pages dirty after pass %u: "
					"throttling the vCPUs to %u%%",
					(unsigned long long)left, res->passes, pct);
				res->throttle_pct = pct;
			}
		}
		if ((e = send_dirty(&s)))
			goto fail;
		res->passes++;
	}

	/* Stop and copy: the last pages and the device state. */
	migrate_throttle_stop(&s.throttle);
	double pause_req_t = now_ms();
	if ((e = vm_pause(vm))) {
		snprintf(err, errlen, "cannot pause the vCPUs: %s", strerror(-e));
		goto fail;
	}
	/* The downtime starts when the last vCPU has stopped. */
	double pause_t = now_ms();
	clock_gettime(CLOCK_REALTIME, &res->paused_at);
	paused = true;
	if ((e = vm_devices_pause(vm, err, errlen)))
		goto fail; /* nothing stayed paused but the vCPUs */
	double dev_t = now_ms();
	if ((e = fetch_dirty(&s, &left)) || (e = send_dirty(&s)))
		goto fail_paused;
	res->passes++;
	double ram_t = now_ms();
	if ((e = mig_write_record(s.w, MIGRATE_RAM_DONE_RECORD, MIGRATE_RAM_VERSION, 0,
				  NULL, 0))) {
		snprintf(err, errlen, "%s", mig_writer_error(s.w));
		goto fail_paused;
	}
	if ((e = vm_state_save(vm, s.w, err, errlen)))
		goto fail_paused;
	if ((e = mig_writer_finish(s.w))) {
		snprintf(err, errlen, "%s", mig_writer_error(s.w));
		goto fail_paused;
	}
	double sent_t = now_ms();
	if ((e = wait_ack(fd, err, errlen)))
		goto fail_paused;
	double done = now_ms();
	pr_debug("migration: stopping the vCPUs took %.1f ms; then devices %.1f ms, "
		 "the last %llu pages %.1f ms, device state and the stream's end %.1f ms, "
		 "the destination's ack %.1f ms",
		 pause_t - pause_req_t, dev_t - pause_t, (unsigned long long)left,
		 ram_t - dev_t, sent_t - ram_t, done - sent_t);
	res->total_ms = done - t0;
	res->downtime_ms = done - pause_t;
	res->bytes = mig_writer_bytes(s.w);
	res->pages = s.st.pages;
	res->zero_pages = s.st.zero_pages;
	mig_writer_close(s.w);
	stop_logging(&s, false);
	close(fd);
	free(s.buf);
	for (unsigned int i = 0; i < GUEST_MEM_MAX_REGIONS; i++)
		free(s.dirty[i]);
	return 0;

fail_paused:
	vm_devices_resume(vm);
fail:
	migrate_throttle_stop(&s.throttle);
	if (paused && vm_resume(vm))
		pr_err("migration: cannot resume the vCPUs");
	if (s.w)
		mig_writer_close(s.w);
	stop_logging(&s, true);
	close(fd);
	free(s.buf);
	for (unsigned int i = 0; i < GUEST_MEM_MAX_REGIONS; i++)
		free(s.dirty[i]);
	if (!err[0])
		snprintf(err, errlen, "%s", strerror(-e));
	return e;
}
