#include "virtio/vhost_kernel.h"

#include "core/log.h"
#include "core/util.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/vhost.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <unistd.h>

static int xioctl(int fd, unsigned long req, void *arg)
{
	int r;
	do
		r = ioctl(fd, req, arg);
	while (r < 0 && errno == EINTR);
	return r < 0 ? -errno : 0;
}

int vhost_kernel_open(struct vhost_kernel *v, const char *dev_path, char *err,
		      size_t errlen)
{
	memset(v, 0, sizeof(*v));
	const char *base = strrchr(dev_path, '/');
	snprintf(v->name, sizeof(v->name), "%s", base ? base + 1 : dev_path);
	v->fd = open(dev_path, O_RDWR | O_CLOEXEC);
	if (v->fd < 0) {
		int e = -errno;
		return errmsg(e, err, errlen, "%s: %s", dev_path, strerror(-e));
	}
	int r = xioctl(v->fd, VHOST_SET_OWNER, NULL);
	if (r) {
		errmsg(r, err, errlen, "%s: VHOST_SET_OWNER: %s", dev_path,
		       strerror(-r));
		goto fail;
	}
	uint64_t features;
	r = xioctl(v->fd, VHOST_GET_FEATURES, &features);
	if (r) {
		errmsg(r, err, errlen, "%s: VHOST_GET_FEATURES: %s", dev_path,
		       strerror(-r));
		goto fail;
	}
	v->features = features;
	return 0;
fail:
	close(v->fd);
	v->fd = -1;
	return r;
}

void vhost_kernel_close(struct vhost_kernel *v)
{
	if (v->fd >= 0)
		close(v->fd);
	v->fd = -1;
}

int vhost_kernel_set_features(struct vhost_kernel *v, uint64_t features)
{
	if (features & ~v->features)
		return -EINVAL;
	return xioctl(v->fd, VHOST_SET_FEATURES, &features);
}

int vhost_kernel_mem_table(const struct guest_mem *mem,
			   struct vhost_memory **out)
{
	unsigned int n = mem->nr_regions;
	if (n == 0 || n > GUEST_MEM_MAX_REGIONS)
		return -EINVAL;
	struct vhost_memory *t =
		calloc(1, sizeof(*t) + n * sizeof(struct vhost_memory_region));
	if (!t)
		return -ENOMEM;
	t->nregions = n;
	for (unsigned int i = 0; i < n; i++) {
		const struct guest_mem_region *g = &mem->regions[i];
		t->regions[i] = (struct vhost_memory_region){
			.guest_phys_addr = g->gpa,
			.memory_size = g->size,
			.userspace_addr = (uint64_t)(uintptr_t)g->host,
		};
	}
	*out = t;
	return 0;
}

int vhost_kernel_set_mem_table(struct vhost_kernel *v,
			       const struct guest_mem *mem)
{
	struct vhost_memory *t;
	int r = vhost_kernel_mem_table(mem, &t);
	if (r)
		return r;
	r = xioctl(v->fd, VHOST_SET_MEM_TABLE, t);
	free(t);
	return r;
}

int vhost_kernel_setup(struct vhost_kernel *v, uint64_t features,
		       struct guest_mem *mem)
{
	uint64_t *log = guest_mem_vhost_log(mem);
	if (features & ~v->features)
		return -EINVAL;
	if (log && !(v->features & (1ull << VHOST_F_LOG_ALL)))
		return -EOPNOTSUPP;
	int r = vhost_kernel_set_mem_table(v, mem);
	if (r)
		return r;
	if (log) {
		uint64_t base = (uint64_t)(uintptr_t)log;
		if ((r = xioctl(v->fd, VHOST_SET_LOG_BASE, &base)))
			return r;
		features |= 1ull << VHOST_F_LOG_ALL;
	}
	if ((r = xioctl(v->fd, VHOST_SET_FEATURES, &features)))
		return r;
	v->logging = log != NULL;
	return 0;
}

int vhost_kernel_start_queue(struct vhost_kernel *v, unsigned int index,
			     const struct virtqueue *vq, int kick_fd, int call_fd)
{
	if (!vq->enabled || !vq->desc || !vq->avail || !vq->used)
		return -EINVAL;
	struct vhost_vring_state num = { .index = index, .num = vq->size };
	int r = xioctl(v->fd, VHOST_SET_VRING_NUM, &num);
	if (r)
		return r;
	struct vhost_vring_state base = { .index = index,
					  .num = vq->last_avail_idx };
	r = xioctl(v->fd, VHOST_SET_VRING_BASE, &base);
	if (r)
		return r;
	struct vhost_vring_addr addr = {
		.index = index,
		.flags = v->logging ? 1u << VHOST_VRING_F_LOG : 0,
		.desc_user_addr = (uint64_t)(uintptr_t)vq->desc,
		.used_user_addr = (uint64_t)(uintptr_t)vq->used,
		.avail_user_addr = (uint64_t)(uintptr_t)vq->avail,
		.log_guest_addr = v->logging ? vq->used_gpa : 0,
	};
	r = xioctl(v->fd, VHOST_SET_VRING_ADDR, &addr);
	if (r)
		return r;
	struct vhost_vring_file kick = { .index = index, .fd = kick_fd };
	r = xioctl(v->fd, VHOST_SET_VRING_KICK, &kick);
	if (r)
		return r;
	struct vhost_vring_file call = { .index = index, .fd = call_fd };
	return xioctl(v->fd, VHOST_SET_VRING_CALL, &call);
}

int vhost_kernel_set_vring_err(struct vhost_kernel *v, unsigned int index,
			       int err_fd)
{
	struct vhost_vring_file f = { .index = index, .fd = err_fd };
	return xioctl(v->fd, VHOST_SET_VRING_ERR, &f);
}

int vhost_kernel_stop_queue(struct vhost_kernel *v, unsigned int index,
			    uint16_t *last_avail)
{
	struct vhost_vring_state base = { .index = index };
	int r = xioctl(v->fd, VHOST_GET_VRING_BASE, &base);
	if (r)
		return r;
	*last_avail = (uint16_t)base.num;
	struct vhost_vring_file unbind = { .index = index,
					   .fd = VHOST_FILE_UNBIND };
	r = xioctl(v->fd, VHOST_SET_VRING_KICK, &unbind);
	if (r)
		return r;
	r = xioctl(v->fd, VHOST_SET_VRING_CALL, &unbind);
	if (r)
		return r;
	return xioctl(v->fd, VHOST_SET_VRING_ERR, &unbind);
}

/* ---- completion relay ---------------------------------------------------- */

/* vhost met a ring it cannot use (a descriptor outside the memory table,
 * a bad index): it stopped serving the queue, so the device needs a
 * reset, as when Kiln's own virtqueue code finds one. */
static void ring_error(struct vhost_call_relay *r, unsigned int q)
{
	eventfd_t v;
	if (eventfd_read(r->err_fd[q], &v) != 0)
		return;
	atomic_fetch_add(&r->errors, 1);
	pr_guest(LOG_WARN, "vhost: the kernel refused queue %u's ring (a malformed "
		 "descriptor or index): device needs reset", q);
	r->vdev->tops->needs_reset(r->vdev->transport);
}

static void *relay_thread(void *opaque)
{
	struct vhost_call_relay *r = opaque;
	unsigned int n = r->nr_queues;
	/* [0] stop, [1, n] completions to relay, [n + 1, 2n] ring errors */
	struct pollfd *p = calloc(2 * n + 1, sizeof(*p));
	if (!p) {
		pr_err("vhost relay: out of memory; completions will stall");
		return NULL;
	}
	p[0] = (struct pollfd){ .fd = r->stop_fd, .events = POLLIN };
	for (unsigned int q = 0; q < n; q++) {
		p[q + 1] = (struct pollfd){ .fd = r->relayed[q] ? r->call_fd[q] : -1,
					    .events = POLLIN };
		p[n + 1 + q] = (struct pollfd){ .fd = r->err_fd[q], .events = POLLIN };
	}
	for (;;) {
		if (poll(p, 2 * n + 1, -1) < 0) {
			if (errno == EINTR)
				continue;
			pr_err("vhost relay: poll: %s", strerror(errno));
			break;
		}
		if (p[0].revents)
			break;
		for (unsigned int q = 0; q < n; q++) {
			if (p[n + 1 + q].revents & POLLIN)
				ring_error(r, q);
			if (!(p[q + 1].revents & POLLIN))
				continue;
			eventfd_t v;
			if (eventfd_read(r->call_fd[q], &v) == 0)
				r->vdev->tops->notify_queue(r->vdev->transport, q);
		}
	}
	free(p);
	return NULL;
}

/* Close the relay's own eventfds and free its arrays. */
static void relay_release(struct vhost_call_relay *r)
{
	for (unsigned int q = 0; r->call_fd && q < r->nr_queues; q++)
		if (r->relayed && r->relayed[q] && r->call_fd[q] >= 0)
			close(r->call_fd[q]);
	for (unsigned int q = 0; r->err_fd && q < r->nr_queues; q++)
		if (r->err_fd[q] >= 0)
			close(r->err_fd[q]);
	if (r->stop_fd >= 0)
		close(r->stop_fd);
	free(r->call_fd);
	free(r->err_fd);
	free(r->relayed);
	memset(r, 0, sizeof(*r));
	r->stop_fd = -1;
}

int vhost_call_relay_start(struct vhost_call_relay *r,
			   struct virtio_device *vdev, unsigned int nr_queues)
{
	if (r->started)
		return -EBUSY;
	if (nr_queues == 0 || nr_queues > vdev->num_queues)
		return -EINVAL;
	memset(r, 0, sizeof(*r));
	r->stop_fd = -1;
	r->vdev = vdev;
	r->nr_queues = nr_queues;
	r->call_fd = calloc(nr_queues, sizeof(*r->call_fd));
	r->err_fd = calloc(nr_queues, sizeof(*r->err_fd));
	r->relayed = calloc(nr_queues, sizeof(*r->relayed));
	int err = -ENOMEM;
	if (!r->call_fd || !r->err_fd || !r->relayed)
		goto fail;
	for (unsigned int q = 0; q < nr_queues; q++)
		r->err_fd[q] = -1;
	for (unsigned int q = 0; q < nr_queues; q++) {
		r->err_fd[q] = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
		if (r->err_fd[q] < 0) {
			err = -errno;
			goto fail;
		}
	}
	for (unsigned int q = 0; q < nr_queues; q++) {
		int fd = virtio_queue_irqfd(vdev, q);
		if (fd < 0) {
			fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
			if (fd < 0) {
				err = -errno;
				goto fail;
			}
			r->relayed[q] = true;
		}
		r->call_fd[q] = fd;
	}
	/* The thread always watches the error eventfds; it relays
	 * completions only for the queues without an irqfd. */
	r->stop_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (r->stop_fd < 0) {
		err = -errno;
		goto fail;
	}
	err = -pthread_create(&r->thread, NULL, relay_thread, r);
	if (err)
		goto fail;
	r->thread_running = true;
	r->started = true;
	return 0;
fail:
	relay_release(r);
	return err;
}

void vhost_call_relay_stop(struct vhost_call_relay *r)
{
	if (!r->started)
		return;
	if (r->thread_running) {
		(void)eventfd_write(r->stop_fd, 1);
		pthread_join(r->thread, NULL);
	}
	relay_release(r);
}
