/* virtio-vsock without /dev/vhost-vsock: the features it passes on from
 * what the kernel offers, its config space (le64 guest_cid), the refusals
 * before any ioctl, and that a failed activation leaves nothing running.
 * A vhost handle on /dev/null stands in for the kernel: every vhost ioctl
 * on it fails (ENOTTY), which is how activation failures are exercised.
 * The data path itself is proven by the integration tests. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "devices/virtio_vsock.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/vhost.h>
#include <linux/virtio_vsock.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define RAM_SIZE 0x10000ull
#define QSIZE 8

#define RING_FEATURES                                                          \
	((1ull << VIRTIO_F_VERSION_1) | (1ull << VIRTIO_F_INDIRECT_DESC) |     \
	 (1ull << VIRTIO_F_EVENT_IDX))
/* What a current vhost-vsock offers (VHOST_VSOCK_FEATURES). */
#define KERNEL_FEATURES                                                        \
	(RING_FEATURES | (1ull << VIRTIO_VSOCK_F_SEQPACKET) |                  \
	 (1ull << VHOST_F_LOG_ALL) | (1ull << 24) /* NOTIFY_ON_EMPTY */ |      \
	 (1ull << 33) /* ACCESS_PLATFORM */)

static void fake_vhost(struct vhost_kernel *v, uint64_t features)
{
	memset(v, 0, sizeof(*v));
	v->fd = open("/dev/null", O_RDWR | O_CLOEXEC);
	assert_true(v->fd >= 0);
	v->features = features;
	strcpy(v->name, "vhost-vsock");
}

static int is_closed(int fd)
{
	return fcntl(fd, F_GETFD) < 0 && errno == EBADF;
}

static void test_features_from_kernel(void **state)
{
	struct guest_mem mem = { 0 };
	struct vhost_kernel v;
	struct virtio_vsock *vs;
	char err[128] = "";
	fake_vhost(&v, KERNEL_FEATURES);
	int fd = v.fd;
	assert_int_equal(virtio_vsock_create(&vs, &v, 42, &mem, err, sizeof(err)), 0);
	assert_int_equal(v.fd, -1); /* the device owns it now */
	/* Only SEQPACKET: never log, ACCESS_PLATFORM or legacy bits; the
	 * transport adds the ring features itself. */
	assert_int_equal(virtio_vsock_features(vs), 1ull << VIRTIO_VSOCK_F_SEQPACKET);
	assert_int_equal(virtio_vsock_ops.get_device_features(vs),
			 1ull << VIRTIO_VSOCK_F_SEQPACKET);
	assert_int_equal(virtio_vsock_cid(vs), 42);
	virtio_vsock_destroy(vs);
	assert_true(is_closed(fd));

	/* An older kernel without SEQPACKET: nothing device-specific. */
	fake_vhost(&v, RING_FEATURES);
	assert_int_equal(virtio_vsock_create(&vs, &v, 3, &mem, err, sizeof(err)), 0);
	assert_int_equal(virtio_vsock_features(vs), 0);
	virtio_vsock_destroy(vs);
}

static void test_kernel_without_ring_features(void **state)
{
	struct guest_mem mem = { 0 };
	struct vhost_kernel v;
	struct virtio_vsock *vs = NULL;
	char err[128] = "";
	fake_vhost(&v, RING_FEATURES & ~(1ull << VIRTIO_F_EVENT_IDX));
	int fd = v.fd;
	assert_int_equal(virtio_vsock_create(&vs, &v, 3, &mem, err, sizeof(err)),
			 -ENOTSUP);
	assert_null(vs);
	assert_true(is_closed(fd));
	assert_non_null(strstr(err, "vhost-vsock lacks virtio features 0x20000000"));
}

static void test_config_is_le64_cid(void **state)
{
	struct guest_mem mem = { 0 };
	struct vhost_kernel v;
	struct virtio_vsock *vs;
	char err[128];
	fake_vhost(&v, KERNEL_FEATURES);
	assert_int_equal(virtio_vsock_create(&vs, &v, 0xfedcba98ull, &mem, err,
					     sizeof(err)), 0);
	assert_int_equal(virtio_vsock_ops.config_size, 8);
	uint8_t b[8];
	virtio_vsock_ops.config_read(vs, 0, b, 8);
	const uint8_t want[8] = { 0x98, 0xba, 0xdc, 0xfe, 0, 0, 0, 0 };
	assert_memory_equal(b, want, 8);
	/* Drivers may read it in 32-bit halves. */
	uint8_t lo[4], hi[4];
	virtio_vsock_ops.config_read(vs, 0, lo, 4);
	virtio_vsock_ops.config_read(vs, 4, hi, 4);
	assert_memory_equal(lo, want, 4);
	assert_memory_equal(hi, want + 4, 4);
	/* Read-only: a write changes nothing. */
	const uint8_t junk[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
	virtio_vsock_ops.config_write(vs, 0, junk, 8);
	virtio_vsock_ops.config_read(vs, 0, b, 8);
	assert_memory_equal(b, want, 8);
	virtio_vsock_destroy(vs);
}

/* ---- activation ---------------------------------------------------------- */

struct fx {
	uint8_t *ram;
	struct guest_mem mem;
	struct virtqueue vqs[VIRTIO_VSOCK_NUM_QUEUES];
	int kick[VIRTIO_VSOCK_NUM_QUEUES];
	struct virtio_device vdev;
	struct virtio_vsock *vs;
	unsigned int notified, needs_reset;
};

static void t_notify(void *transport, unsigned int q)
{
	((struct fx *)transport)->notified++;
}

static void t_needs_reset(void *transport)
{
	((struct fx *)transport)->needs_reset++;
}

static void t_config_changed(void *transport) {}

static const struct virtio_transport_ops tops = {
	.notify_queue = t_notify,
	.needs_reset = t_needs_reset,
	.config_changed = t_config_changed,
};

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	assert_non_null(f);
	f->ram = calloc(1, RAM_SIZE);
	assert_non_null(f->ram);
	assert_int_equal(guest_mem_init_fake(&f->mem, f->ram, 0, RAM_SIZE), 0);
	for (unsigned int q = 0; q < VIRTIO_VSOCK_NUM_QUEUES; q++) {
		virtqueue_init(&f->vqs[q], &f->mem, VIRTIO_VSOCK_QUEUE_SIZE, "vsock");
		f->kick[q] = -1;
	}
	f->vdev.ops = &virtio_vsock_ops;
	f->vdev.num_queues = VIRTIO_VSOCK_NUM_QUEUES;
	f->vdev.vqs = f->vqs;
	f->vdev.kick_fd = f->kick;
	f->vdev.features = RING_FEATURES;
	f->vdev.tops = &tops;
	f->vdev.transport = f;
	struct vhost_kernel v;
	char err[128];
	fake_vhost(&v, KERNEL_FEATURES);
	assert_int_equal(virtio_vsock_create(&f->vs, &v, 5, &f->mem, err,
					     sizeof(err)), 0);
	f->vdev.dev = f->vs;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	virtio_vsock_destroy(f->vs);
	free(f->ram);
	free(f);
	return 0;
}

static void enable(struct fx *f, unsigned int q)
{
	char err[128];
	struct virtqueue *vq = &f->vqs[q];
	vq->size = QSIZE;
	vq->desc_gpa = 0x1000 * (q + 1);
	vq->avail_gpa = vq->desc_gpa + 0x400;
	vq->used_gpa = vq->desc_gpa + 0x800;
	vq->features = f->vdev.features;
	assert_int_equal(virtqueue_enable(vq, err, sizeof(err)), 0);
}

static void test_activate_needs_rx_and_tx(void **state)
{
	struct fx *f = *state;
	enable(f, VIRTIO_VSOCK_RX);
	enable(f, VIRTIO_VSOCK_EVENT);
	/* tx was never enabled: refused before the kernel is asked. */
	assert_int_equal(virtio_vsock_ops.activate(f->vs, &f->vdev), -EINVAL);
	virtio_vsock_ops.reset(f->vs); /* the transport resets next: no-op */
}

static void test_failed_activation_leaves_nothing(void **state)
{
	struct fx *f = *state;
	for (unsigned int q = 0; q < VIRTIO_VSOCK_NUM_QUEUES; q++)
		enable(f, q);
	/* /dev/null answers VHOST_SET_FEATURES with ENOTTY. */
	assert_int_equal(virtio_vsock_ops.activate(f->vs, &f->vdev), -ENOTTY);
	/* The failure unwound what activation had set up: a second try
	 * fails the same way instead of -EBUSY from a relay left started,
	 * and resets after it are no-ops. */
	assert_int_equal(virtio_vsock_ops.activate(f->vs, &f->vdev), -ENOTTY);
	virtio_vsock_ops.reset(f->vs);
	virtio_vsock_ops.reset(f->vs);
	assert_int_equal(f->notified, 0);
}

/* The saved bytes: a version, whether a transport reset waits for an
 * event buffer, reserved zeros. A restore always leaves a reset pending
 * (the guest's connections stayed with the old vhost-vsock); bad bytes
 * are refused with a reason. */
struct vsock_state_bytes {
	uint32_t version;
	uint8_t reset_pending;
	uint8_t reserved[11];
};

static void test_state(void **state)
{
	struct fx *f = *state;
	struct vsock_state_bytes good, s, again;
	char err[160] = "";
	assert_int_equal(virtio_vsock_ops.save(f->vs, &good, sizeof(good) - 1), -ENOSPC);
	assert_int_equal(virtio_vsock_ops.save(f->vs, &good, sizeof(good)), sizeof(good));
	assert_int_equal(good.version, 1);
	assert_int_equal(good.reset_pending, 0);
	assert_int_equal(virtio_vsock_ops.restore(f->vs, &good, sizeof(good), RING_FEATURES,
						  err, sizeof(err)), 0);
	assert_int_equal(virtio_vsock_ops.save(f->vs, &again, sizeof(again)), sizeof(again));
	assert_int_equal(again.reset_pending, 1);
	/* Saved again from there, it restores again. */
	assert_int_equal(virtio_vsock_ops.restore(f->vs, &again, sizeof(again), 0,
						  err, sizeof(err)), 0);
	for (uint32_t v = 0; v < 300; v++) {
		s = good;
		s.version = v == 1 ? 0xffffffffu : v;
		assert_int_equal(virtio_vsock_ops.restore(f->vs, &s, sizeof(s), 0, err,
							  sizeof(err)), -EINVAL);
		assert_non_null(strstr(err, "version"));
	}
	for (unsigned int b = 2; b < 256; b++) {
		s = good;
		s.reset_pending = (uint8_t)b;
		assert_int_equal(virtio_vsock_ops.restore(f->vs, &s, sizeof(s), 0, err,
							  sizeof(err)), -EINVAL);
		assert_non_null(strstr(err, "reset flag"));
	}
	for (size_t i = 0; i < sizeof(s.reserved); i++) {
		s = good;
		s.reserved[i] = 1;
		assert_int_equal(virtio_vsock_ops.restore(f->vs, &s, sizeof(s), 0, err,
							  sizeof(err)), -EINVAL);
		assert_non_null(strstr(err, "reserved"));
	}
	for (size_t len = 0; len < sizeof(s) + 3; len++) {
		uint8_t buf[sizeof(s) + 3] = { 0 };
		memcpy(buf, &good, sizeof(good));
		if (len == sizeof(s))
			continue;
		assert_int_equal(virtio_vsock_ops.restore(f->vs, buf, len, 0, err,
							  sizeof(err)), -EINVAL);
		assert_non_null(strstr(err, "bytes of state"));
	}
	/* A reset forgets the pending event with the connections. */
	virtio_vsock_ops.reset(f->vs);
	assert_int_equal(virtio_vsock_ops.save(f->vs, &again, sizeof(again)), sizeof(again));
	assert_int_equal(again.reset_pending, 0);
	assert_int_equal(virtio_vsock_resets_sent(f->vs), 0);
}

static void test_open_missing_device(void **state)
{
	struct vhost_kernel v;
	char err[160] = "";
	assert_int_equal(virtio_vsock_open_vhost(&v, "/nonexistent/vhost-vsock", 3,
						 err, sizeof(err)),
			 -ENOENT);
	assert_int_equal(v.fd, -1);
	assert_string_equal(err, "/nonexistent/vhost-vsock: No such file or "
				 "directory (is the vhost_vsock module loaded?)");
}

static void test_open_not_a_vhost_device(void **state)
{
	/* /dev/null opens, but refuses the first vhost ioctl: the error names
	 * it and the handle is closed again. */
	struct vhost_kernel v;
	char err[160] = "";
	int r = virtio_vsock_open_vhost(&v, "/dev/null", 3, err, sizeof(err));
	assert_int_equal(r, -ENOTTY);
	assert_int_equal(v.fd, -1);
	assert_non_null(strstr(err, "VHOST_SET_OWNER"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_features_from_kernel),
		cmocka_unit_test(test_kernel_without_ring_features),
		cmocka_unit_test(test_config_is_le64_cid),
		cmocka_unit_test_setup_teardown(test_activate_needs_rx_and_tx,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_failed_activation_leaves_nothing,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_state, setup, teardown),
		cmocka_unit_test(test_open_missing_device),
		cmocka_unit_test(test_open_not_a_vhost_device),
	};
	return cmocka_run_group_tests_name("virtio_vsock", tests, NULL, NULL);
}
