/* The parts of the vhost library that need no /dev/vhost-*: the memory
 * table built from guest_mem, the argument checks done before any ioctl,
 * and the completion relay driven through plain eventfds and a fake
 * transport that counts the interrupts it is asked to raise. The ioctls
 * themselves are proven by the integration tests (virtio-vsock). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "virtio/vhost_kernel.h"

#include <errno.h>
#include <linux/vhost.h>
#include <fcntl.h>
#include <poll.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#define NQ 3

struct fake_transport {
	_Atomic unsigned int notified[NQ];
	int irqfd[NQ]; /* -1: no irqfd for that queue */
};

static void fake_notify(void *transport, unsigned int q)
{
	struct fake_transport *t = transport;
	if (q < NQ)
		atomic_fetch_add(&t->notified[q], 1);
}

static _Atomic unsigned int resets;
static void fake_needs_reset(void *transport)
{
	atomic_fetch_add(&resets, 1);
}
static void fake_config_changed(void *transport) {}

static int fake_irqfd(void *transport, unsigned int q)
{
	struct fake_transport *t = transport;
	return q < NQ ? t->irqfd[q] : -1;
}

static const struct virtio_transport_ops tops_irqfd = {
	.notify_queue = fake_notify,
	.needs_reset = fake_needs_reset,
	.config_changed = fake_config_changed,
	.queue_irqfd = fake_irqfd,
};

static const struct virtio_transport_ops tops_no_irqfd = {
	.notify_queue = fake_notify,
	.needs_reset = fake_needs_reset,
	.config_changed = fake_config_changed,
};

static void make_vdev(struct virtio_device *vdev, struct fake_transport *t,
		      const struct virtio_transport_ops *tops)
{
	memset(t, 0, sizeof(*t));
	for (int q = 0; q < NQ; q++)
		t->irqfd[q] = -1;
	memset(vdev, 0, sizeof(*vdev));
	vdev->num_queues = NQ;
	vdev->tops = tops;
	vdev->transport = t;
}

/* 1 if fd is not open (any more), 0 if it is. */
static int fcntl_is_closed_check(int fd)
{
	return fcntl(fd, F_GETFD) < 0 && errno == EBADF;
}

/* Wait up to 2 s for queue q's count to reach want. */
static unsigned int wait_notified(struct fake_transport *t, unsigned int q,
				  unsigned int want)
{
	for (int i = 0; i < 2000; i++) {
		unsigned int n = atomic_load(&t->notified[q]);
		if (n >= want)
			return n;
		nanosleep(&(struct timespec){ .tv_nsec = 1000000 }, NULL);
	}
	return atomic_load(&t->notified[q]);
}

static void test_mem_table_from_regions(void **state)
{
	static uint8_t a[4096], b[8192];
	struct guest_mem mem = { 0 };
	mem.regions[0] = (struct guest_mem_region){ .gpa = 0, .size = sizeof(a),
						    .host = a, .fd = -1 };
	mem.regions[1] = (struct guest_mem_region){ .gpa = 0x100000000ull,
						    .size = sizeof(b), .host = b,
						    .fd = -1 };
	mem.nr_regions = 2;
	struct vhost_memory *t = NULL;
	assert_int_equal(vhost_kernel_mem_table(&mem, &t), 0);
	assert_non_null(t);
	assert_int_equal(t->nregions, 2);
	assert_int_equal(t->regions[0].guest_phys_addr, 0);
	assert_int_equal(t->regions[0].memory_size, sizeof(a));
	assert_int_equal(t->regions[0].userspace_addr, (uintptr_t)a);
	assert_int_equal(t->regions[1].guest_phys_addr, 0x100000000ull);
	assert_int_equal(t->regions[1].memory_size, sizeof(b));
	assert_int_equal(t->regions[1].userspace_addr, (uintptr_t)b);
	assert_int_equal(t->regions[1].flags_padding, 0);
	free(t);
}

static void test_mem_table_from_fake_mem(void **state)
{
	static uint8_t ram[65536], high[4096];
	struct guest_mem mem = { 0 };
	assert_int_equal(guest_mem_init_fake(&mem, ram, 0x200000, sizeof(ram)), 0);
	assert_int_equal(guest_mem_init_fake(&mem, high, 0x300000, sizeof(high)), 0);
	struct vhost_memory *t = NULL;
	assert_int_equal(vhost_kernel_mem_table(&mem, &t), 0);
	assert_int_equal(t->nregions, 2);
	assert_int_equal(t->regions[0].guest_phys_addr, 0x200000);
	assert_int_equal(t->regions[0].memory_size, sizeof(ram));
	assert_int_equal(t->regions[0].userspace_addr, (uintptr_t)ram);
	assert_int_equal(t->regions[1].guest_phys_addr, 0x300000);
	assert_int_equal(t->regions[1].userspace_addr, (uintptr_t)high);
	free(t);
}

static void test_mem_table_refuses_empty(void **state)
{
	struct guest_mem mem = { 0 };
	struct vhost_memory *t = NULL;
	assert_int_equal(vhost_kernel_mem_table(&mem, &t), -EINVAL);
	assert_null(t);
	mem.nr_regions = GUEST_MEM_MAX_REGIONS + 1;
	assert_int_equal(vhost_kernel_mem_table(&mem, &t), -EINVAL);
	assert_null(t);
}

static void test_open_missing_device(void **state)
{
	struct vhost_kernel v;
	char err[128] = "";
	assert_int_equal(vhost_kernel_open(&v, "/nonexistent/vhost-test", err,
					   sizeof(err)),
			 -ENOENT);
	assert_int_equal(v.fd, -1);
	assert_string_equal(err, "/nonexistent/vhost-test: No such file or directory");
	assert_string_equal(v.name, "vhost-test");
	vhost_kernel_close(&v); /* fd -1: nothing to do */
}

static void test_argument_checks_before_ioctl(void **state)
{
	/* fd -1: reaching the ioctl would give -EBADF, not -EINVAL. */
	struct vhost_kernel v = { .fd = -1, .features = 1ull << 32 };
	assert_int_equal(vhost_kernel_set_features(&v, 1ull << 33), -EINVAL);
	assert_int_equal(vhost_kernel_set_features(&v, 1ull << 32), -EBADF);
	struct virtqueue vq;
	virtqueue_init(&vq, NULL, 16, "test");
	assert_int_equal(vhost_kernel_start_queue(&v, 0, &vq, -1, -1), -EINVAL);

	/* The device set-up: features the kernel lacks, and a migration's
	 * dirty log when the kernel cannot log, are refused before any
	 * ioctl. */
	static uint8_t ram[4 * 4096];
	struct guest_mem mem = { 0 };
	assert_int_equal(guest_mem_init_fake(&mem, ram, 0, sizeof(ram)), 0);
	assert_int_equal(vhost_kernel_setup(&v, 1ull << 33, &mem), -EINVAL);
	assert_int_equal(vhost_kernel_setup(&v, 1ull << 32, &mem), -EBADF);
	assert_int_equal(guest_mem_dirty_log_start(&mem), 0);
	assert_int_equal(vhost_kernel_setup(&v, 1ull << 32, &mem), -EOPNOTSUPP);
	v.features |= 1ull << VHOST_F_LOG_ALL;
	assert_int_equal(vhost_kernel_setup(&v, 1ull << 32, &mem), -EBADF);
	assert_false(v.logging);
	guest_mem_destroy(&mem);
}

static void test_relay_without_irqfds(void **state)
{
	struct fake_transport t;
	struct virtio_device vdev;
	make_vdev(&vdev, &t, &tops_no_irqfd);
	struct vhost_call_relay r = { 0 };
	assert_int_equal(vhost_call_relay_start(&r, &vdev, 2), 0);
	assert_true(r.relayed[0] && r.relayed[1]);
	assert_true(r.call_fd[0] >= 0 && r.call_fd[1] >= 0);
	assert_int_not_equal(r.call_fd[0], r.call_fd[1]);
	assert_int_equal(vhost_call_relay_start(&r, &vdev, 2), -EBUSY);

	/* Each signal is one interrupt on its own queue, unconditionally. */
	assert_int_equal(eventfd_write(r.call_fd[1], 1), 0);
	assert_int_equal(wait_notified(&t, 1, 1), 1);
	assert_int_equal(atomic_load(&t.notified[0]), 0);
	assert_int_equal(eventfd_write(r.call_fd[0], 1), 0);
	assert_int_equal(wait_notified(&t, 0, 1), 1);
	assert_int_equal(eventfd_write(r.call_fd[1], 1), 0);
	assert_int_equal(wait_notified(&t, 1, 2), 2);
	/* Queue 2 was not handed to the relay. */
	assert_int_equal(atomic_load(&t.notified[2]), 0);

	int fd0 = r.call_fd[0];
	vhost_call_relay_stop(&r);
	assert_false(r.started);
	assert_null(r.call_fd);
	/* The relay's eventfd is closed. */
	assert_int_equal(fcntl_is_closed_check(fd0), 1);
	vhost_call_relay_stop(&r); /* again: no-op */
}

static void test_relay_uses_irqfds_where_present(void **state)
{
	struct fake_transport t;
	struct virtio_device vdev;
	make_vdev(&vdev, &t, &tops_irqfd);
	int irq0 = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	assert_true(irq0 >= 0);
	t.irqfd[0] = irq0; /* queue 0 has a vector with an irqfd, 1 not */
	struct vhost_call_relay r = { 0 };
	assert_int_equal(vhost_call_relay_start(&r, &vdev, 2), 0);
	assert_int_equal(r.call_fd[0], irq0);
	assert_false(r.relayed[0]);
	assert_true(r.relayed[1]);
	assert_true(r.thread_running);

	/* A signal on the irqfd goes to KVM, not through Kiln... */
	assert_int_equal(eventfd_write(irq0, 1), 0);
	assert_int_equal(eventfd_write(r.call_fd[1], 1), 0);
	assert_int_equal(wait_notified(&t, 1, 1), 1);
	assert_int_equal(atomic_load(&t.notified[0]), 0);
	/* ...and stays in it for KVM to consume. */
	eventfd_t v = 0;
	assert_int_equal(eventfd_read(irq0, &v), 0);
	assert_int_equal(v, 1);

	vhost_call_relay_stop(&r);
	/* The transport's irqfd is not the relay's to close. */
	assert_int_equal(fcntl_is_closed_check(irq0), 0);
	close(irq0);
}

/* With an irqfd for every queue nothing is relayed, but the thread still
 * watches the error eventfds: a ring error sets NEEDS_RESET. */
static void test_relay_all_irqfds_watches_errors(void **state)
{
	struct fake_transport t;
	struct virtio_device vdev;
	make_vdev(&vdev, &t, &tops_irqfd);
	int fds[NQ];
	for (int q = 0; q < NQ; q++) {
		fds[q] = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
		t.irqfd[q] = fds[q];
	}
	struct vhost_call_relay r = { 0 };
	assert_int_equal(vhost_call_relay_start(&r, &vdev, NQ), 0);
	assert_true(r.thread_running);
	for (int q = 0; q < NQ; q++) {
		assert_int_equal(r.call_fd[q], fds[q]);
		assert_false(r.relayed[q]);
		assert_true(r.err_fd[q] >= 0);
	}
	unsigned int before = atomic_load(&resets);
	assert_int_equal(eventfd_write(r.err_fd[1], 1), 0);
	for (int i = 0; i < 2000 && atomic_load(&r.errors) < 1; i++)
		usleep(1000);
	assert_int_equal(atomic_load(&r.errors), 1);
	assert_int_equal(atomic_load(&resets), before + 1);
	/* no queue was interrupted for it */
	for (int q = 0; q < NQ; q++)
		assert_int_equal(atomic_load(&t.notified[q]), 0);
	int err1 = r.err_fd[1];
	vhost_call_relay_stop(&r);
	assert_int_equal(fcntl_is_closed_check(err1), 1);
	for (int q = 0; q < NQ; q++) {
		assert_int_equal(fcntl_is_closed_check(fds[q]), 0);
		close(fds[q]);
	}
}

static void test_relay_bad_queue_counts(void **state)
{
	struct fake_transport t;
	struct virtio_device vdev;
	make_vdev(&vdev, &t, &tops_no_irqfd);
	struct vhost_call_relay r = { 0 };
	assert_int_equal(vhost_call_relay_start(&r, &vdev, 0), -EINVAL);
	assert_int_equal(vhost_call_relay_start(&r, &vdev, NQ + 1), -EINVAL);
	assert_false(r.started);
	vhost_call_relay_stop(&r); /* never started: no-op */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mem_table_from_regions),
		cmocka_unit_test(test_mem_table_from_fake_mem),
		cmocka_unit_test(test_mem_table_refuses_empty),
		cmocka_unit_test(test_open_missing_device),
		cmocka_unit_test(test_argument_checks_before_ioctl),
		cmocka_unit_test(test_relay_without_irqfds),
		cmocka_unit_test(test_relay_uses_irqfds_where_present),
		cmocka_unit_test(test_relay_all_irqfds_watches_errors),
		cmocka_unit_test(test_relay_bad_queue_counts),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
