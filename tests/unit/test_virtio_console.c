/* virtio-console driven the way a driver drives it once the transport has
 * set it up: two queues in fake guest memory, kick eventfds, a fake
 * transport that counts interrupts and NEEDS_RESET, and a socketpair,
 * pipes or a real Unix socket as the back end. */
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
#include <linux/virtio_console.h>
#include <poll.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#define RAM_SIZE 0x200000ull
#define QSIZE 16
#define DATA_GPA 0x100000ull /* guest buffers from here */
#define BIG (64 * 1024)

/* Queue q's rings at 0x10000 * (q + 1). */
#define DESC(q) (0x10000ull * ((q) + 1))
#define AVAIL(q) (DESC(q) + 0x1000)
#define USED(q) (DESC(q) + 0x2000)

struct fx {
	struct guest_mem mem;
	uint8_t *ram;
	struct virtqueue vqs[2];
	int kick[2];
	struct virtio_device vdev;
	struct virtio_console *con;
	struct char_backend *be;
	uint16_t avail_idx[2];
	uint16_t next_desc[2];
	_Atomic unsigned int irqs[2];
	_Atomic unsigned int needs_reset;
	int peer;        /* the test's end of a socketpair back end */
	int in_w, out_r; /* the test's ends of a pipe back end */
	char sock_path[64];
};

static void fake_notify(void *transport, unsigned int q)
{
	struct fx *f = transport;
	atomic_fetch_add(&f->irqs[q], 1);
}

static void fake_needs_reset(void *transport)
{
	struct fx *f = transport;
	atomic_fetch_add(&f->needs_reset, 1);
}

static _Atomic unsigned int config_changes;

static void fake_config_changed(void *transport)
{
	atomic_fetch_add(&config_changes, 1);
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

/* The used element for the n-th completion on q. */
static void used_elem(struct fx *f, unsigned int q, uint16_t n, uint32_t *id,
		      uint32_t *len)
{
	uint8_t *e = f->ram + USED(q) + 4 + 8 * (n % QSIZE);
	memcpy(id, e, 4);
	memcpy(len, e + 4, 4);
}

/* Append a descriptor to q's table; returns its index. */
static uint16_t desc(struct fx *f, unsigned int q, uint64_t addr, uint32_t len,
		     uint16_t flags)
{
	uint16_t i = f->next_desc[q]++ % QSIZE;
	uint16_t next = (uint16_t)((i + 1) % QSIZE);
	uint8_t *d = f->ram + DESC(q) + 16ull * i;
	memcpy(d, &addr, 8);
	memcpy(d + 8, &len, 4);
	memcpy(d + 12, &flags, 2);
	memcpy(d + 14, &next, 2);
	return i;
}

static void offer(struct fx *f, unsigned int q, uint16_t head)
{
	uint16_t idx = f->avail_idx[q]++;
	uint16_t *ring = (uint16_t *)(f->ram + AVAIL(q) + 4);
	ring[idx % QSIZE] = head;
	__atomic_store_n((uint16_t *)(f->ram + AVAIL(q) + 2), (uint16_t)(idx + 1),
			 __ATOMIC_RELEASE);
	assert_int_equal(eventfd_write(f->kick[q], 1), 0);
}

/* One device-readable buffer of text on the transmit queue. */
static uint16_t send_text(struct fx *f, uint64_t gpa, const char *s)
{
	memcpy(f->ram + gpa, s, strlen(s));
	uint16_t h = desc(f, VIRTIO_CONSOLE_TXQ, gpa, (uint32_t)strlen(s), 0);
	offer(f, VIRTIO_CONSOLE_TXQ, h);
	return h;
}

static uint16_t post_rx(struct fx *f, uint64_t gpa, uint32_t len)
{
	uint16_t h = desc(f, VIRTIO_CONSOLE_RXQ, gpa, len, VIRTQ_DESC_F_WRITE);
	offer(f, VIRTIO_CONSOLE_RXQ, h);
	return h;
}

/* Read exactly len bytes from fd (non-blocking or not) within 5 s. */
static void read_exact(int fd, void *buf, size_t len)
{
	size_t got = 0;
	uint64_t end = vdrv_now_ms() + 5000;
	while (got < len && vdrv_now_ms() < end) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		poll(&p, 1, 100);
		ssize_t n = read(fd, (uint8_t *)buf + got, len - got);
		if (n > 0)
			got += (size_t)n;
	}
	assert_int_equal(got, len);
}

static bool nothing_to_read(int fd, int ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	return poll(&p, 1, ms) == 0;
}

static void start_queues(struct fx *f)
{
	char err[128];
	for (unsigned int q = 0; q < 2; q++) {
		struct virtqueue *vq = &f->vqs[q];
		vq->size = QSIZE;
		vq->desc_gpa = DESC(q);
		vq->avail_gpa = AVAIL(q);
		vq->used_gpa = USED(q);
		vq->features = 1ull << VIRTIO_F_VERSION_1;
		assert_int_equal(virtqueue_enable(vq, err, sizeof(err)), 0);
	}
	assert_int_equal(virtio_console_ops.activate(f->con, &f->vdev), 0);
}

/* The device over `be` (heap, open), queues enabled, activated. */
static struct fx *make(struct char_backend *be)
{
	struct fx *f = calloc(1, sizeof(*f));
	assert_non_null(f);
	log_set_level(LOG_ERROR); /* the negative tests log guest errors */
	f->ram = calloc(1, RAM_SIZE);
	assert_non_null(f->ram);
	assert_int_equal(guest_mem_init_fake(&f->mem, f->ram, 0, RAM_SIZE), 0);
	virtqueue_init(&f->vqs[0], &f->mem, VIRTIO_CONSOLE_QUEUE_SIZE, "con.rx");
	virtqueue_init(&f->vqs[1], &f->mem, VIRTIO_CONSOLE_QUEUE_SIZE, "con.tx");
	for (unsigned int q = 0; q < 2; q++) {
		f->kick[q] = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
		assert_true(f->kick[q] >= 0);
	}
	f->vdev = (struct virtio_device){
		.ops = &virtio_console_ops, .num_queues = 2, .vqs = f->vqs,
		.kick_fd = f->kick, .features = 1ull << VIRTIO_F_VERSION_1,
		.tops = &tops, .transport = f,
	};
	f->be = be;
	f->peer = f->in_w = f->out_r = -1;
	assert_int_equal(virtio_console_create(&f->con, be), 0);
	f->vdev.dev = f->con;
	start_queues(f);
	return f;
}

static int setup_socketpair(void **state)
{
	int sv[2];
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
	struct char_backend *be = calloc(1, sizeof(*be));
	assert_non_null(be);
	char_backend_open_fds(be, sv[0], sv[0]);
	struct fx *f = make(be);
	f->peer = sv[1];
	*state = f;
	return 0;
}

/* Input and output on two pipes; the output pipe holds one page only, so
 * the device meets EAGAIN on anything longer. */
static int setup_pipes(void **state)
{
	int in[2], out[2];
	assert_int_equal(pipe2(in, O_CLOEXEC), 0);
	assert_int_equal(pipe2(out, O_CLOEXEC), 0);
	assert_true(fcntl(out[1], F_SETPIPE_SZ, 4096) >= 4096);
	struct char_backend *be = calloc(1, sizeof(*be));
	assert_non_null(be);
	char_backend_open_fds(be, in[0], out[1]);
	struct fx *f = make(be);
	f->in_w = in[1];
	f->out_r = out[0];
	*state = f;
	return 0;
}

static int setup_socket(void **state)
{
	char path[64];
	snprintf(path, sizeof(path), "/tmp/kiln-con-%d.sock", (int)getpid());
	unlink(path);
	struct char_backend *be = calloc(1, sizeof(*be));
	assert_non_null(be);
	char err[256];
	assert_int_equal(char_backend_open(be, CHAR_BACKEND_SOCKET, path, -1,
					   "--console", err, sizeof(err)), 0);
	struct fx *f = make(be);
	strcpy(f->sock_path, path);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	virtio_console_ops.reset(f->con);
	virtio_console_destroy(f->con);
	for (unsigned int q = 0; q < 2; q++)
		close(f->kick[q]);
	if (f->peer >= 0)
		close(f->peer);
	if (f->in_w >= 0)
		close(f->in_w);
	if (f->out_r >= 0)
		close(f->out_r);
	guest_mem_destroy(&f->mem);
	free(f->ram);
	free(f);
	return 0;
}

static void stats(struct fx *f, struct virtio_console_stats *s)
{
	virtio_console_get_stats(f->con, s);
}

/* ---- tests ---------------------------------------------------------------- */

/* A two-buffer chain reaches the back end in order, and comes back with
 * nothing written and an interrupt. */
static void test_tx_reaches_output(void **state)
{
	struct fx *f = *state;
	memcpy(f->ram + DATA_GPA, "hello ", 6);
	memcpy(f->ram + DATA_GPA + 0x1000, "world\n", 6);
	uint16_t h = desc(f, VIRTIO_CONSOLE_TXQ, DATA_GPA, 6, VIRTQ_DESC_F_NEXT);
	desc(f, VIRTIO_CONSOLE_TXQ, DATA_GPA + 0x1000, 6, 0);
	offer(f, VIRTIO_CONSOLE_TXQ, h);
	char buf[13] = "";
	read_exact(f->peer, buf, 12);
	assert_string_equal(buf, "hello world\n");
	assert_true(wait_used(f, VIRTIO_CONSOLE_TXQ, 1));
	uint32_t id, len;
	used_elem(f, VIRTIO_CONSOLE_TXQ, 0, &id, &len);
	assert_int_equal(id, h);
	assert_int_equal(len, 0);
	assert_true(atomic_load(&f->irqs[VIRTIO_CONSOLE_TXQ]) >= 1);
	struct virtio_console_stats s;
	stats(f, &s);
	assert_int_equal(s.tx_chains, 1);
	assert_int_equal(s.backend.out_bytes, 12);
}

/* Input fills one posted buffer per read, with its length in the used ring. */
static void test_rx_reaches_guest(void **state)
{
	struct fx *f = *state;
	uint16_t h = post_rx(f, DATA_GPA, 64);
	post_rx(f, DATA_GPA + 64, 64);
	assert_int_equal(write(f->peer, "abc", 3), 3);
	assert_true(wait_used(f, VIRTIO_CONSOLE_RXQ, 1));
	uint32_t id, len;
	used_elem(f, VIRTIO_CONSOLE_RXQ, 0, &id, &len);
	assert_int_equal(id, h);
	assert_int_equal(len, 3);
	assert_memory_equal(f->ram + DATA_GPA, "abc", 3);
	assert_true(atomic_load(&f->irqs[VIRTIO_CONSOLE_RXQ]) >= 1);
	assert_int_equal(write(f->peer, "defg", 4), 4);
	assert_true(wait_used(f, VIRTIO_CONSOLE_RXQ, 2));
	used_elem(f, VIRTIO_CONSOLE_RXQ, 1, &id, &len);
	assert_int_equal(len, 4);
	assert_memory_equal(f->ram + DATA_GPA + 64, "defg", 4);
}

/* Input longer than a buffer is split over buffers, not lost. */
static void test_rx_split_over_buffers(void **state)
{
	struct fx *f = *state;
	for (unsigned int i = 0; i < 4; i++)
		post_rx(f, DATA_GPA + 16ull * i, 4);
	assert_int_equal(write(f->peer, "0123456789abcdef", 16), 16);
	assert_true(wait_used(f, VIRTIO_CONSOLE_RXQ, 4));
	assert_memory_equal(f->ram + DATA_GPA, "0123", 4);
	assert_memory_equal(f->ram + DATA_GPA + 16, "4567", 4);
	assert_memory_equal(f->ram + DATA_GPA + 32, "89ab", 4);
	assert_memory_equal(f->ram + DATA_GPA + 48, "cdef", 4);
}

/* No receive buffers: the device leaves the input unread (the bytes stay
 * in the socket) until the guest posts one and kicks. */
static void test_rx_backpressure(void **state)
{
	struct fx *f = *state;
	assert_int_equal(write(f->peer, "xyz", 3), 3);
	uint64_t end = vdrv_now_ms() + 5000;
	struct virtio_console_stats s;
	do {
		vdrv_sleep_ms(2);
		stats(f, &s);
	} while (!s.rx_starved && vdrv_now_ms() < end);
	assert_true(s.rx_starved >= 1);
	vdrv_sleep_ms(50);
	int pending = 0;
	assert_int_equal(ioctl(f->be->in_fd, FIONREAD, &pending), 0);
	assert_int_equal(pending, 3);
	stats(f, &s);
	assert_int_equal(s.backend.in_bytes, 0);
	assert_int_equal(used_idx(f, VIRTIO_CONSOLE_RXQ), 0);

	post_rx(f, DATA_GPA, 64);
	assert_true(wait_used(f, VIRTIO_CONSOLE_RXQ, 1));
	uint32_t id, len;
	used_elem(f, VIRTIO_CONSOLE_RXQ, 0, &id, &len);
	assert_int_equal(len, 3);
	assert_memory_equal(f->ram + DATA_GPA, "xyz", 3);
}

/* The output takes one page at a time: the chain is kept (not completed)
 * until every byte went out, in order. */
static void test_tx_partial_writes(void **state)
{
	struct fx *f = *state;
	for (unsigned int i = 0; i < BIG; i++)
		f->ram[DATA_GPA + i] = (uint8_t)(i * 13 + i / 251);
	uint16_t h = desc(f, VIRTIO_CONSOLE_TXQ, DATA_GPA, BIG / 2, VIRTQ_DESC_F_NEXT);
	desc(f, VIRTIO_CONSOLE_TXQ, DATA_GPA + BIG / 2, BIG / 2, 0);
	offer(f, VIRTIO_CONSOLE_TXQ, h);
	vdrv_sleep_ms(50);
	assert_int_equal(used_idx(f, VIRTIO_CONSOLE_TXQ), 0); /* still held */
	/* A second chain queues behind the held one. */
	send_text(f, DATA_GPA + BIG, "tail");
	uint8_t *got = malloc(BIG + 4);
	assert_non_null(got);
	read_exact(f->out_r, got, BIG + 4);
	assert_memory_equal(got, f->ram + DATA_GPA, BIG);
	assert_memory_equal(got + BIG, "tail", 4);
	free(got);
	assert_true(wait_used(f, VIRTIO_CONSOLE_TXQ, 2));
	uint32_t id, len;
	used_elem(f, VIRTIO_CONSOLE_TXQ, 0, &id, &len);
	assert_int_equal(id, h);
	struct virtio_console_stats s;
	stats(f, &s);
	assert_int_equal(s.backend.out_bytes, BIG + 4);
	assert_int_equal(s.backend.dropped, 0);
}

/* Pipes: input arrives through a different fd than output goes out of. */
static void test_pipes_both_ways(void **state)
{
	struct fx *f = *state;
	post_rx(f, DATA_GPA, 32);
	assert_int_equal(write(f->in_w, "ping", 4), 4);
	assert_true(wait_used(f, VIRTIO_CONSOLE_RXQ, 1));
	assert_memory_equal(f->ram + DATA_GPA, "ping", 4);
	send_text(f, DATA_GPA + 0x1000, "pong");
	char buf[5] = "";
	read_exact(f->out_r, buf, 4);
	assert_string_equal(buf, "pong");
}

/* Chains in the wrong direction or without room come back unused, are
 * counted, and the device goes on serving good ones. */
static void test_hostile_chains(void **state)
{
	struct fx *f = *state;
	/* tx with a device-writable buffer: nothing goes out */
	memcpy(f->ram + DATA_GPA, "evil", 4);
	uint16_t h = desc(f, VIRTIO_CONSOLE_TXQ, DATA_GPA, 4, VIRTQ_DESC_F_NEXT);
	desc(f, VIRTIO_CONSOLE_TXQ, DATA_GPA + 0x100, 16, VIRTQ_DESC_F_WRITE);
	offer(f, VIRTIO_CONSOLE_TXQ, h);
	assert_true(wait_used(f, VIRTIO_CONSOLE_TXQ, 1));
	uint32_t id, len;
	used_elem(f, VIRTIO_CONSOLE_TXQ, 0, &id, &len);
	assert_int_equal(id, h);
	assert_int_equal(len, 0);
	/* tx with only zero-length buffers: returned, nothing sent */
	h = desc(f, VIRTIO_CONSOLE_TXQ, DATA_GPA, 0, 0);
	offer(f, VIRTIO_CONSOLE_TXQ, h);
	assert_true(wait_used(f, VIRTIO_CONSOLE_TXQ, 2));
	assert_true(nothing_to_read(f->peer, 30));

	/* rx with a readable buffer, rx with zero length: both returned with
	 * 0 bytes; the input lands in the good buffer behind them */
	uint16_t bad1 = desc(f, VIRTIO_CONSOLE_RXQ, DATA_GPA + 0x200, 8, VIRTQ_DESC_F_NEXT);
	desc(f, VIRTIO_CONSOLE_RXQ, DATA_GPA + 0x300, 8, VIRTQ_DESC_F_WRITE);
	offer(f, VIRTIO_CONSOLE_RXQ, bad1);
	uint16_t bad2 = desc(f, VIRTIO_CONSOLE_RXQ, DATA_GPA + 0x400, 0, VIRTQ_DESC_F_WRITE);
	offer(f, VIRTIO_CONSOLE_RXQ, bad2);
	uint16_t good = post_rx(f, DATA_GPA + 0x500, 8);
	assert_int_equal(write(f->peer, "ok", 2), 2);
	assert_true(wait_used(f, VIRTIO_CONSOLE_RXQ, 3));
	used_elem(f, VIRTIO_CONSOLE_RXQ, 0, &id, &len);
	assert_int_equal(id, bad1);
	assert_int_equal(len, 0);
	used_elem(f, VIRTIO_CONSOLE_RXQ, 1, &id, &len);
	assert_int_equal(id, bad2);
	assert_int_equal(len, 0);
	used_elem(f, VIRTIO_CONSOLE_RXQ, 2, &id, &len);
	assert_int_equal(id, good);
	assert_int_equal(len, 2);
	assert_memory_equal(f->ram + DATA_GPA + 0x500, "ok", 2);

	struct virtio_console_stats s;
	stats(f, &s);
	assert_int_equal(s.bad_chains, 3);
	assert_int_equal(atomic_load(&f->needs_reset), 0);

	/* and a good transmit still works */
	send_text(f, DATA_GPA + 0x600, "fine");
	char buf[5] = "";
	read_exact(f->peer, buf, 4);
	assert_string_equal(buf, "fine");
}

/* A ring the guest broke (avail index far ahead): NEEDS_RESET, Kiln runs
 * on, and a reset plus re-enable brings the device back. */
static void test_broken_ring_needs_reset(void **state)
{
	struct fx *f = *state;
	__atomic_store_n((uint16_t *)(f->ram + AVAIL(VIRTIO_CONSOLE_TXQ) + 2),
			 (uint16_t)(QSIZE + 5), __ATOMIC_RELEASE);
	assert_int_equal(eventfd_write(f->kick[VIRTIO_CONSOLE_TXQ], 1), 0);
	uint64_t end = vdrv_now_ms() + 5000;
	while (!atomic_load(&f->needs_reset) && vdrv_now_ms() < end)
		vdrv_sleep_ms(1);
	assert_int_equal(atomic_load(&f->needs_reset), 1);

	virtio_console_ops.reset(f->con);
	for (unsigned int q = 0; q < 2; q++) {
		virtqueue_reset(&f->vqs[q]);
		memset(f->ram + DESC(q), 0, 0x3000);
		f->avail_idx[q] = f->next_desc[q] = 0;
	}
	start_queues(f);
	send_text(f, DATA_GPA, "again");
	char buf[6] = "";
	read_exact(f->peer, buf, 5);
	assert_string_equal(buf, "again");
}

/* Config space: one port, no size without a terminal (so no F_SIZE). */
static void test_config_and_features(void **state)
{
	struct fx *f = *state;
	uint8_t cfg[8];
	virtio_console_ops.config_read(f->con, 0, cfg, sizeof(cfg));
	uint32_t ports;
	memcpy(&ports, cfg + 4, 4);
	assert_int_equal(ports, 1);
	assert_int_equal(virtio_console_ops.get_device_features(f->con) &
				 (1ull << VIRTIO_CONSOLE_F_SIZE), 0);
	assert_int_equal(virtio_console_ops.get_device_features(f->con) &
				 (1ull << VIRTIO_CONSOLE_F_MULTIPORT), 0);
	assert_int_equal(virtio_console_ops.device_id, 3);
	assert_int_equal(virtio_console_ops.num_queues, 2);
}

/* tty on a terminal: VIRTIO_CONSOLE_F_SIZE with the terminal's size, and
 * a resize (SIGWINCH) updates the config and interrupts the driver. */
static void test_tty_size(void **state)
{
	int m = posix_openpt(O_RDWR | O_NOCTTY);
	assert_true(m >= 0);
	assert_int_equal(grantpt(m), 0);
	assert_int_equal(unlockpt(m), 0);
	int t = open(ptsname(m), O_RDWR | O_NOCTTY);
	assert_true(t >= 0);
	struct winsize ws = { .ws_row = 40, .ws_col = 132 };
	assert_int_equal(ioctl(t, TIOCSWINSZ, &ws), 0);
	fflush(stdout);
	int saved = dup(STDOUT_FILENO);
	assert_true(saved >= 0);
	dup2(t, STDOUT_FILENO); /* the back end takes stdout */
	struct char_backend *be = calloc(1, sizeof(*be));
	char err[128];
	int e = char_backend_open(be, CHAR_BACKEND_TTY, NULL, -1, "--console", err,
				  sizeof(err));
	dup2(saved, STDOUT_FILENO);
	close(saved);
	assert_int_equal(e, 0);
	struct fx *f = make(be);
	assert_int_equal(virtio_console_ops.get_device_features(f->con),
			 1ull << VIRTIO_CONSOLE_F_SIZE);
	uint16_t size[2];
	virtio_console_ops.config_read(f->con, 0, size, 4);
	assert_int_equal(size[0], 132); /* cols */
	assert_int_equal(size[1], 40);  /* rows */

	/* the driver took F_SIZE */
	virtio_console_ops.reset(f->con);
	f->vdev.features |= 1ull << VIRTIO_CONSOLE_F_SIZE;
	assert_int_equal(virtio_console_ops.activate(f->con, &f->vdev), 0);
	unsigned int before = atomic_load(&config_changes);
	ws.ws_col = 100;
	ws.ws_row = 30;
	assert_int_equal(ioctl(t, TIOCSWINSZ, &ws), 0);
	raise(SIGWINCH); /* the pty is not our terminal: no signal by itself */
	uint64_t end = vdrv_now_ms() + 5000;
	while (atomic_load(&config_changes) == before && vdrv_now_ms() < end)
		vdrv_sleep_ms(1);
	assert_int_equal(atomic_load(&config_changes), before + 1);
	virtio_console_ops.config_read(f->con, 0, size, 4);
	assert_int_equal(size[0], 100);
	assert_int_equal(size[1], 30);
	/* the text goes to the terminal */
	send_text(f, DATA_GPA, "on the tty");
	char buf[16] = "";
	read_exact(m, buf, 10);
	assert_string_equal(buf, "on the tty");
	*state = f;
	teardown(state);
	close(t);
	close(m);
}

static int connect_to(const char *path)
{
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	assert_true(fd >= 0);
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	strcpy(sa.sun_path, path);
	assert_int_equal(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	return fd;
}

static void wait_connects(struct fx *f, uint64_t n)
{
	struct virtio_console_stats s;
	uint64_t end = vdrv_now_ms() + 5000;
	do {
		vdrv_sleep_ms(1);
		stats(f, &s);
	} while (s.backend.connects < n && vdrv_now_ms() < end);
	assert_int_equal(s.backend.connects, n);
}

/* socket=PATH: output with no client is dropped and counted; a client gets
 * both directions; after it leaves the next one is served. */
static void test_socket_clients(void **state)
{
	struct fx *f = *state;
	send_text(f, DATA_GPA, "nobody hears this");
	assert_true(wait_used(f, VIRTIO_CONSOLE_TXQ, 1));
	struct virtio_console_stats s;
	stats(f, &s);
	assert_int_equal(s.backend.dropped, 17);

	int c = connect_to(f->sock_path);
	wait_connects(f, 1);
	send_text(f, DATA_GPA + 0x100, "hi client");
	char buf[16] = "";
	read_exact(c, buf, 9);
	assert_string_equal(buf, "hi client");
	post_rx(f, DATA_GPA + 0x200, 32);
	assert_int_equal(write(c, "hi guest", 8), 8);
	assert_true(wait_used(f, VIRTIO_CONSOLE_RXQ, 1));
	assert_memory_equal(f->ram + DATA_GPA + 0x200, "hi guest", 8);
	close(c);

	/* the device notices the hang-up and listens again */
	c = connect_to(f->sock_path);
	wait_connects(f, 2);
	send_text(f, DATA_GPA + 0x300, "second");
	memset(buf, 0, sizeof(buf));
	read_exact(c, buf, 6);
	assert_string_equal(buf, "second");
	close(c);
}

/* A client that stops reading holds a long chain back (nothing lost while
 * it is connected); when it leaves, the rest is dropped and the chain
 * completes, so the guest is not stuck behind a client that is gone. Here
 * it only shuts down its sending side: the device sees the end of input,
 * lets the client go, and must then finish the held chain too. */
static void test_socket_client_leaves_mid_chain(void **state)
{
	struct fx *f = *state;
	int c = connect_to(f->sock_path);
	wait_connects(f, 1);
	const uint32_t half = 448 * 1024;
	uint16_t h = desc(f, VIRTIO_CONSOLE_TXQ, DATA_GPA, half, VIRTQ_DESC_F_NEXT);
	desc(f, VIRTIO_CONSOLE_TXQ, DATA_GPA + half, half, 0);
	offer(f, VIRTIO_CONSOLE_TXQ, h);
	vdrv_sleep_ms(100);
	assert_int_equal(used_idx(f, VIRTIO_CONSOLE_TXQ), 0); /* held */
	struct virtio_console_stats s;
	stats(f, &s);
	assert_true(s.backend.out_bytes > 0 && s.backend.out_bytes < 2 * half);
	post_rx(f, DATA_GPA + 2 * half, 64);
	post_rx(f, DATA_GPA + 2 * half + 64, 64); /* room to see the end */
	assert_int_equal(write(c, "bye", 3), 3);
	assert_int_equal(shutdown(c, SHUT_WR), 0);
	assert_true(wait_used(f, VIRTIO_CONSOLE_RXQ, 1));
	assert_memory_equal(f->ram + DATA_GPA + 2 * half, "bye", 3);
	assert_true(wait_used(f, VIRTIO_CONSOLE_TXQ, 1));
	close(c);
	stats(f, &s);
	assert_int_equal(s.backend.out_bytes + s.backend.dropped, 2 * half);
	assert_true(s.backend.dropped > 0);
}

/* socket=PATH refuses a path that is not a socket, removes a stale one,
 * and the socket file goes away when the back end closes. */
static void test_socket_paths(void **state)
{
	char path[64], err[256];
	snprintf(path, sizeof(path), "/tmp/kiln-con-path-%d", (int)getpid());
	int fd = open(path, O_CREAT | O_WRONLY | O_TRUNC, 0600);
	assert_true(fd >= 0);
	close(fd);
	struct char_backend be;
	assert_int_equal(char_backend_open(&be, CHAR_BACKEND_SOCKET, path, -1,
					   "--console", err, sizeof(err)), -EEXIST);
	assert_non_null(strstr(err, "--console socket="));
	assert_non_null(strstr(err, "not a socket"));
	struct stat st;
	assert_int_equal(stat(path, &st), 0); /* not removed */
	unlink(path);

	/* a socket nobody listens on any more */
	int s = socket(AF_UNIX, SOCK_STREAM, 0);
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	strcpy(sa.sun_path, path);
	assert_int_equal(bind(s, (struct sockaddr *)&sa, sizeof(sa)), 0);
	close(s);
	assert_int_equal(char_backend_open(&be, CHAR_BACKEND_SOCKET, path, -1,
					   "--console", err, sizeof(err)), 0);
	/* a second Kiln on the same live socket is refused */
	struct char_backend be2;
	assert_int_equal(char_backend_open(&be2, CHAR_BACKEND_SOCKET, path, -1,
					   "--console", err, sizeof(err)), -EADDRINUSE);
	char_backend_close(&be);
	assert_int_equal(stat(path, &st), -1);

	assert_int_equal(char_backend_open(&be, CHAR_BACKEND_FILE,
					   "/nonexistent-dir/x.log", -1, "--console",
					   err, sizeof(err)), -ENOENT);
	assert_string_equal(err, "--console file=/nonexistent-dir/x.log: "
				 "No such file or directory");
}

/* file=PATH appends; pty gives a terminal that sees the output raw. */
static void test_file_and_pty(void **state)
{
	char path[64], err[256];
	snprintf(path, sizeof(path), "/tmp/kiln-con-file-%d", (int)getpid());
	int fd = open(path, O_CREAT | O_WRONLY | O_TRUNC, 0600);
	assert_int_equal(write(fd, "old\n", 4), 4);
	close(fd);
	struct char_backend be;
	assert_int_equal(char_backend_open(&be, CHAR_BACKEND_FILE, path, -1,
					   "--console", err, sizeof(err)), 0);
	assert_int_equal(char_backend_input_fd(&be), -1);
	assert_int_equal(char_backend_write(&be, "new\n", 4), 4);
	char_backend_close(&be);
	char buf[16] = "";
	fd = open(path, O_RDONLY);
	assert_int_equal(read(fd, buf, sizeof(buf)), 8);
	close(fd);
	assert_string_equal(buf, "old\nnew\n");
	unlink(path);

	assert_int_equal(char_backend_open(&be, CHAR_BACKEND_PTY, NULL, -1,
					   "--console", err, sizeof(err)), 0);
	assert_non_null(strstr(be.path, "/dev/pts/"));
	int t = open(be.path, O_RDWR | O_NOCTTY);
	assert_true(t >= 0);
	assert_int_equal(char_backend_write(&be, "a\nb", 3), 3);
	memset(buf, 0, sizeof(buf));
	read_exact(t, buf, 3);
	assert_string_equal(buf, "a\nb"); /* raw: no \r added */
	assert_int_equal(write(t, "k", 1), 1);
	struct pollfd p = { .fd = char_backend_input_fd(&be), .events = POLLIN };
	assert_int_equal(poll(&p, 1, 5000), 1);
	assert_int_equal(char_backend_read(&be, buf, sizeof(buf)), 1);
	assert_int_equal(buf[0], 'k');
	close(t);
	char_backend_close(&be);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_tx_reaches_output, setup_socketpair, teardown),
		cmocka_unit_test_setup_teardown(test_rx_reaches_guest, setup_socketpair, teardown),
		cmocka_unit_test_setup_teardown(test_rx_split_over_buffers, setup_socketpair, teardown),
		cmocka_unit_test_setup_teardown(test_rx_backpressure, setup_socketpair, teardown),
		cmocka_unit_test_setup_teardown(test_tx_partial_writes, setup_pipes, teardown),
		cmocka_unit_test_setup_teardown(test_pipes_both_ways, setup_pipes, teardown),
		cmocka_unit_test_setup_teardown(test_hostile_chains, setup_socketpair, teardown),
		cmocka_unit_test_setup_teardown(test_broken_ring_needs_reset, setup_socketpair, teardown),
		cmocka_unit_test_setup_teardown(test_config_and_features, setup_socketpair, teardown),
		cmocka_unit_test_setup_teardown(test_socket_clients, setup_socket, teardown),
		cmocka_unit_test_setup_teardown(test_socket_client_leaves_mid_chain,
						setup_socket, teardown),
		cmocka_unit_test(test_socket_paths),
		cmocka_unit_test(test_tty_size),
		cmocka_unit_test(test_file_and_pty),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
