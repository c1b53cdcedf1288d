/* virtio-console snapshot: a transmit chain the output cannot take in full
 * (a one-page pipe) is held when the device pauses; it goes back to the
 * ring with what was written of it remembered, so after a resume - or a
 * restore into another device - the rest follows and no byte is lost or
 * doubled. A receive buffer waiting for input goes back unused. The saved
 * bytes are refused when bad. The device is driven directly with a fake
 * transport, as in test_virtio_console.c. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "backends/char_backend.h"
#include "core/guest_mem.h"
#include "core/log.h"
#include "devices/virtio_console.h"
#include "virtio_drv.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#define RAM_SIZE 0x100000ull
#define QSIZE 16
#define DATA_GPA 0x80000ull
#define TX_LEN 10000u
#define DESC(q) (0x10000ull * ((q) + 1))
#define AVAIL(q) (DESC(q) + 0x1000)
#define USED(q) (DESC(q) + 0x2000)

/* One console device over a pipe pair, on a RAM the test may share. */
struct dev {
	struct virtqueue vqs[2];
	int kick[2];
	struct virtio_device vdev;
	struct virtio_console *con;
	int in_w, out_r;
	_Atomic unsigned int config_changes;
};

struct fx {
	struct guest_mem mem;
	uint8_t *ram;
	struct dev a, b;
};

static void fake_notify(void *transport, unsigned int q) {}
static void fake_needs_reset(void *transport) {}

static void fake_config_changed(void *transport)
{
	struct dev *d = transport;
	atomic_fetch_add(&d->config_changes, 1);
}

static const struct virtio_transport_ops tops = {
	.notify_queue = fake_notify,
	.needs_reset = fake_needs_reset,
	.config_changed = fake_config_changed,
};

static uint16_t used_idx(struct fx *f, unsigned int q)
{
	return vdrv_used_idx(f->ram + USED(q));
}

static bool wait_used(struct fx *f, unsigned int q, uint16_t want)
{
	return vdrv_wait_used(f->ram + USED(q), want, 5000);
}

static void dev_init(struct fx *f, struct dev *d)
{
	int in[2], out[2];
	assert_int_equal(pipe2(in, O_CLOEXEC), 0);
	assert_int_equal(pipe2(out, O_CLOEXEC), 0);
	assert_true(fcntl(out[1], F_SETPIPE_SZ, 4096) >= 4096);
	struct char_backend *be = calloc(1, sizeof(*be));
	assert_non_null(be);
	char_backend_open_fds(be, in[0], out[1]);
	d->in_w = in[1];
	d->out_r = out[0];
	virtqueue_init(&d->vqs[0], &f->mem, VIRTIO_CONSOLE_QUEUE_SIZE, "con.rx");
	virtqueue_init(&d->vqs[1], &f->mem, VIRTIO_CONSOLE_QUEUE_SIZE, "con.tx");
	for (unsigned int q = 0; q < 2; q++) {
		d->kick[q] = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
		assert_true(d->kick[q] >= 0);
	}
	assert_int_equal(virtio_console_create(&d->con, be), 0);
	d->vdev = (struct virtio_device){
		.ops = &virtio_console_ops, .dev = d->con, .num_queues = 2,
		.vqs = d->vqs, .kick_fd = d->kick,
		.features = 1ull << VIRTIO_F_VERSION_1, .tops = &tops, .transport = d,
	};
}

static void dev_fini(struct dev *d)
{
	virtio_console_ops.reset(d->con);
	virtio_console_destroy(d->con);
	for (unsigned int q = 0; q < 2; q++) {
		virtqueue_reset(&d->vqs[q]);
		close(d->kick[q]);
	}
	close(d->in_w);
	close(d->out_r);
}

static int setup(void **state)
{
	log_set_level(LOG_ERROR);
	struct fx *f = calloc(1, sizeof(*f));
	assert_non_null(f);
	f->ram = calloc(1, RAM_SIZE);
	assert_non_null(f->ram);
	assert_int_equal(guest_mem_init_fake(&f->mem, f->ram, 0, RAM_SIZE), 0);
	dev_init(f, &f->a);
	dev_init(f, &f->b);
	char err[128];
	for (unsigned int q = 0; q < 2; q++) {
		struct virtqueue *vq = &f->a.vqs[q];
		vq->size = QSIZE;
		vq->desc_gpa = DESC(q);
		vq->avail_gpa = AVAIL(q);
		vq->used_gpa = USED(q);
		vq->features = 1ull << VIRTIO_F_VERSION_1;
		assert_int_equal(virtqueue_enable(vq, err, sizeof(err)), 0);
	}
	assert_int_equal(virtio_console_ops.activate(f->a.con, &f->a.vdev), 0);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	dev_fini(&f->a);
	dev_fini(&f->b);
	guest_mem_destroy(&f->mem);
	free(f->ram);
	free(f);
	return 0;
}

/* A one-descriptor chain on q of device d, as avail entry idx. */
static void offer(struct fx *f, struct dev *d, unsigned int q, uint16_t idx,
		  uint16_t head, uint64_t gpa, uint32_t len, uint16_t flags)
{
	uint8_t *p = f->ram + DESC(q) + 16ull * head;
	uint16_t next = 0;
	memcpy(p, &gpa, 8);
	memcpy(p + 8, &len, 4);
	memcpy(p + 12, &flags, 2);
	memcpy(p + 14, &next, 2);
	memcpy(f->ram + AVAIL(q) + 4 + 2 * (idx % QSIZE), &head, 2);
	__atomic_store_n((uint16_t *)(f->ram + AVAIL(q) + 2), (uint16_t)(idx + 1),
			 __ATOMIC_RELEASE);
	assert_int_equal(eventfd_write(d->kick[q], 1), 0);
}

static void pattern(uint8_t *p, size_t len)
{
	for (size_t i = 0; i < len; i++)
		p[i] = (uint8_t)(i * 7 + i / 251);
}

/* Everything readable from fd until it stays empty for 200 ms. */
static size_t drain_out(int fd, uint8_t *buf, size_t cap)
{
	size_t got = 0;
	for (;;) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		if (poll(&p, 1, 200) != 1)
			return got;
		ssize_t n = read(fd, buf + got, cap - got);
		if (n <= 0)
			return got;
		got += (size_t)n;
	}
}

/* A: 10000 bytes to transmit, the pipe takes 4096 and the chain waits. */
static void block_tx(struct fx *f)
{
	pattern(f->ram + DATA_GPA, TX_LEN);
	offer(f, &f->a, VIRTIO_CONSOLE_TXQ, 0, 0, DATA_GPA, TX_LEN, 0);
	/* A receive buffer with no input: held too. */
	offer(f, &f->a, VIRTIO_CONSOLE_RXQ, 0, 0, DATA_GPA + 0x4000, 64,
	      VIRTQ_DESC_F_WRITE);
	vdrv_sleep_ms(100);
	assert_int_equal(used_idx(f, VIRTIO_CONSOLE_TXQ), 0);
	virtio_console_ops.pause(f->a.con);
	assert_int_equal(used_idx(f, VIRTIO_CONSOLE_TXQ), 0);
	assert_int_equal(used_idx(f, VIRTIO_CONSOLE_RXQ), 0);
	/* Both chains went back: nothing in flight. */
	for (unsigned int q = 0; q < 2; q++) {
		struct virtqueue_state s;
		assert_int_equal(virtqueue_save(&f->a.vqs[q], &s), 0);
		assert_int_equal(s.last_avail_idx, 0);
	}
}

static void test_pause_resume_same_device(void **state)
{
	struct fx *f = *state;
	block_tx(f);
	virtio_console_ops.pause(f->a.con); /* twice: no-op */
	assert_int_equal(virtio_console_ops.resume(f->a.con), 0);
	uint8_t *got = calloc(1, 2 * TX_LEN), *want = malloc(TX_LEN);
	assert_non_null(got);
	assert_non_null(want);
	pattern(want, TX_LEN);
	size_t n = 0;
	uint64_t end = vdrv_now_ms() + 5000;
	while (n < TX_LEN && vdrv_now_ms() < end)
		n += drain_out(f->a.out_r, got + n, 2 * TX_LEN - n);
	assert_int_equal(n, TX_LEN);
	assert_memory_equal(got, want, TX_LEN);
	assert_true(wait_used(f, VIRTIO_CONSOLE_TXQ, 1));
	/* The receive buffer is served again after the resume. */
	assert_int_equal(write(f->a.in_w, "hi", 2), 2);
	assert_true(wait_used(f, VIRTIO_CONSOLE_RXQ, 1));
	assert_memory_equal(f->ram + DATA_GPA + 0x4000, "hi", 2);
	free(got);
	free(want);
}

static void test_restore_into_another_device(void **state)
{
	struct fx *f = *state;
	block_tx(f);
	uint8_t st[64];
	ssize_t len = virtio_console_ops.save(f->a.con, st, sizeof(st));
	assert_int_equal(len, 16);
	assert_int_equal(virtio_console_ops.save(f->a.con, st, 15), -ENOSPC);
	struct virtqueue_state qs[2];
	char err[192] = "";
	for (unsigned int q = 0; q < 2; q++) {
		assert_int_equal(virtqueue_save(&f->a.vqs[q], &qs[q]), 0);
		assert_int_equal(virtqueue_restore(&f->b.vqs[q], &qs[q], err,
						   sizeof(err)), 0);
	}
	assert_int_equal(virtio_console_ops.restore(f->b.con, st, (size_t)len,
						    f->b.vdev.features, err,
						    sizeof(err)), 0);
	assert_int_equal(virtio_console_ops.activate(f->b.con, &f->b.vdev), 0);
	/* A wrote the first 4096 bytes, B writes the rest: once each. */
	uint8_t *got = calloc(1, 2 * TX_LEN), *want = malloc(TX_LEN);
	assert_non_null(got);
	assert_non_null(want);
	pattern(want, TX_LEN);
	size_t na = drain_out(f->a.out_r, got, 2 * TX_LEN);
	size_t nb = 0;
	uint64_t end = vdrv_now_ms() + 5000;
	while (na + nb < TX_LEN && vdrv_now_ms() < end)
		nb += drain_out(f->b.out_r, got + na + nb, 2 * TX_LEN - na - nb);
	assert_true(na > 0 && na < TX_LEN);
	assert_int_equal(na + nb, TX_LEN);
	assert_memory_equal(got, want, TX_LEN);
	assert_true(wait_used(f, VIRTIO_CONSOLE_TXQ, 1));
	free(got);
	free(want);
}

struct console_state_bytes {
	uint32_t version;
	uint32_t tx_skip;
	uint64_t reserved;
};

static void expect_refused(struct fx *f, const void *st, size_t len, const char *why)
{
	char err[192] = "";
	assert_int_equal(virtio_console_ops.restore(f->b.con, st, len, 0, err,
						    sizeof(err)), -EINVAL);
	if (!strstr(err, why))
		fail_msg("expected \"%s\", got \"%s\"", why, err);
}

static void test_state_refused(void **state)
{
	struct fx *f = *state;
	struct console_state_bytes good;
	assert_int_equal(virtio_console_ops.save(f->b.con, &good, sizeof(good)),
			 sizeof(good));
	assert_int_equal(good.version, 1);
	assert_int_equal(good.tx_skip, 0);
	struct console_state_bytes s;
	for (uint32_t v = 0; v < 64; v++) {
		if (v == 1)
			continue;
		s = good;
		s.version = v;
		expect_refused(f, &s, sizeof(s), "version");
	}
	for (unsigned int bit = 0; bit < 64; bit++) {
		s = good;
		s.reserved = 1ull << bit;
		expect_refused(f, &s, sizeof(s), "reserved");
	}
	for (size_t len = 0; len < sizeof(s) + 4; len++) {
		uint8_t buf[sizeof(s) + 4] = { 0 };
		memcpy(buf, &good, sizeof(good));
		if (len != sizeof(s))
			expect_refused(f, buf, len, "bytes of state");
	}
	/* A skip longer than the chain it meets: the chain is taken as
	 * written and answered, nothing is sent. */
	s = good;
	s.tx_skip = 0xffffffffu;
	char err[192];
	assert_int_equal(virtio_console_ops.restore(f->b.con, &s, sizeof(s), 0, err,
						    sizeof(err)), 0);
	struct console_state_bytes again;
	assert_int_equal(virtio_console_ops.save(f->b.con, &again, sizeof(again)),
			 sizeof(again));
	assert_memory_equal(&again, &s, sizeof(s));
	char e2[128];
	for (unsigned int q = 0; q < 2; q++) {
		struct virtqueue *vq = &f->b.vqs[q];
		vq->size = QSIZE;
		vq->desc_gpa = DESC(q) + 0x40000;
		vq->avail_gpa = AVAIL(q) + 0x40000;
		vq->used_gpa = USED(q) + 0x40000;
		vq->features = 1ull << VIRTIO_F_VERSION_1;
		assert_int_equal(virtqueue_enable(vq, e2, sizeof(e2)), 0);
	}
	assert_int_equal(virtio_console_ops.activate(f->b.con, &f->b.vdev), 0);
	memcpy(f->ram + DATA_GPA, "abc", 3);
	uint8_t *p = f->ram + DESC(VIRTIO_CONSOLE_TXQ) + 0x40000;
	uint64_t gpa = DATA_GPA;
	uint32_t len = 3;
	memcpy(p, &gpa, 8);
	memcpy(p + 8, &len, 4);
	uint16_t one = 1;
	memcpy(f->ram + AVAIL(VIRTIO_CONSOLE_TXQ) + 0x40000 + 2, &one, 2);
	assert_int_equal(eventfd_write(f->b.kick[VIRTIO_CONSOLE_TXQ], 1), 0);
	uint64_t end = vdrv_now_ms() + 5000;
	while (*(volatile uint16_t *)(f->ram + USED(VIRTIO_CONSOLE_TXQ) + 0x40000 + 2) != 1 &&
	       vdrv_now_ms() < end)
		vdrv_sleep_ms(1);
	assert_int_equal(*(uint16_t *)(f->ram + USED(VIRTIO_CONSOLE_TXQ) + 0x40000 + 2), 1);
	uint8_t out[8];
	assert_int_equal(drain_out(f->b.out_r, out, sizeof(out)), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_pause_resume_same_device, setup, teardown),
		cmocka_unit_test_setup_teardown(test_restore_into_another_device, setup, teardown),
		cmocka_unit_test_setup_teardown(test_state_refused, setup, teardown),
	};
	return cmocka_run_group_tests_name("virtio-console state", tests, NULL, NULL);
}
