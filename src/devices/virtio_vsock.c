/* virtio-vsock: the device model around the kernel's vhost-vsock. */
#include "devices/virtio_vsock.h"

#include "core/log.h"
#include "core/util.h"

#include <endian.h>
#include <errno.h>
#include <linux/vhost.h>
#include <linux/virtio_ids.h>
#include <linux/virtio_vsock.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

/* Device-specific bits Kiln passes on when vhost-vsock has them. */
#define VSOCK_PASSED_FEATURES (1ull << VIRTIO_VSOCK_F_SEQPACKET)
/* Ring features the transport always offers; vhost must implement them. */
#define VSOCK_NEEDED_FEATURES                                                  \
	((1ull << VIRTIO_F_VERSION_1) | (1ull << VIRTIO_F_INDIRECT_DESC) |     \
	 (1ull << VIRTIO_F_EVENT_IDX))

/* The queues vhost serves: rx and tx. */
#define VSOCK_VHOST_QUEUES 2

struct virtio_vsock {
	struct vhost_kernel vhost;
	uint64_t cid;
	uint64_t features; /* device-specific bits offered to the guest */
	struct guest_mem *mem;
	struct vhost_call_relay relay;
	bool queues_started[VSOCK_VHOST_QUEUES];
	bool running; /* VHOST_VSOCK_SET_RUNNING 1 succeeded */
};

static int set_running(struct virtio_vsock *vs, int on)
{
	int r;
	do
		r = ioctl(vs->vhost.fd, VHOST_VSOCK_SET_RUNNING, &on);
	while (r < 0 && errno == EINTR);
	return r < 0 ? -errno : 0;
}

int virtio_vsock_open_vhost(struct vhost_kernel *v, const char *dev_path,
			    uint64_t cid, char *err, size_t errlen)
{
	char why[160];
	int r = vhost_kernel_open(v, dev_path, why, sizeof(why));
	if (r)
		return errmsg(r, err, errlen, "%s%s", why,
			      r == -ENOENT ? " (is the vhost_vsock module loaded?)"
					   : "");
	uint64_t c = cid;
	do
		r = ioctl(v->fd, VHOST_VSOCK_SET_GUEST_CID, &c);
	while (r < 0 && errno == EINTR);
	if (r < 0) {
		r = -errno;
		if (r == -EADDRINUSE)
			errmsg(r, err, errlen,
			       "cid=%llu is already in use by another VM",
			       (unsigned long long)cid);
		else
			errmsg(r, err, errlen, "cid=%llu: %s: %s",
			       (unsigned long long)cid, dev_path, strerror(-r));
		vhost_kernel_close(v);
		return r;
	}
	return 0;
}

int virtio_vsock_create(struct virtio_vsock **out, struct vhost_kernel *v,
			uint64_t cid, struct guest_mem *mem, char *err,
			size_t errlen)
{
	uint64_t missing = VSOCK_NEEDED_FEATURES & ~v->features;
	if (missing) {
		vhost_kernel_close(v);
		return errmsg(-ENOTSUP, err, errlen,
			      "%s lacks virtio features 0x%llx", v->name,
			      (unsigned long long)missing);
	}
	struct virtio_vsock *vs = calloc(1, sizeof(*vs));
	if (!vs) {
		vhost_kernel_close(v);
		return errmsg(-ENOMEM, err, errlen, "out of memory");
	}
	vs->vhost = *v;
	v->fd = -1; /* ours now */
	vs->cid = cid;
	vs->features = v->features & VSOCK_PASSED_FEATURES;
	vs->mem = mem;
	*out = vs;
	return 0;
}

static void vsock_reset(void *dev)
{
	struct virtio_vsock *vs = dev;
	if (vs->running) {
		int r = set_running(vs, 0);
		if (r)
			pr_warn("virtio-vsock: VHOST_VSOCK_SET_RUNNING 0: %s",
				strerror(-r));
		vs->running = false;
	}
	for (unsigned int q = 0; q < VSOCK_VHOST_QUEUES; q++) {
		if (!vs->queues_started[q])
			continue;
		uint16_t last_avail;
		int r = vhost_kernel_stop_queue(&vs->vhost, q, &last_avail);
		if (r)
			pr_warn("virtio-vsock: stopping queue %u: %s", q,
				strerror(-r));
		vs->queues_started[q] = false;
	}
	vhost_call_relay_stop(&vs->relay);
}

/* Hand rx and tx to vhost and start it. The event queue (2) is left as the
 * guest filled it: its buffers wait there for a transport event. */
static int vsock_activate(void *dev, struct virtio_device *vdev)
{
	struct virtio_vsock *vs = dev;
	const char *step;
	int r;
	for (unsigned int q = 0; q < VSOCK_VHOST_QUEUES; q++) {
		if (!vdev->vqs[q].enabled) {
			pr_guest(LOG_WARN, "virtio-vsock: driver started without "
				 "enabling queue %u", q);
			return -EINVAL;
		}
	}
	step = "VHOST_SET_FEATURES";
	r = vhost_kernel_set_features(&vs->vhost,
				      vdev->features & vs->vhost.features);
	if (r)
		goto fail;
	step = "VHOST_SET_MEM_TABLE";
	r = vhost_kernel_set_mem_table(&vs->vhost, vs->mem);
	if (r)
		goto fail;
	step = "the completion relay";
	r = vhost_call_relay_start(&vs->relay, vdev, VSOCK_VHOST_QUEUES);
	if (r)
		goto fail;
	for (unsigned int q = 0; q < VSOCK_VHOST_QUEUES; q++) {
		step = "starting a queue";
		r = vhost_kernel_start_queue(&vs->vhost, q, &vdev->vqs[q],
					     vdev->kick_fd[q], vs->relay.call_fd[q]);
		if (r)
			goto fail;
		vs->queues_started[q] = true;
	}
	step = "VHOST_VSOCK_SET_RUNNING";
	r = set_running(vs, 1);
	if (r)
		goto fail;
	vs->running = true;
	pr_debug("virtio-vsock: cid %llu running (features 0x%llx, %s)",
		 (unsigned long long)vs->cid, (unsigned long long)vdev->features,
		 vs->relay.thread_running ? "relayed interrupts" : "irqfds");
	return 0;
fail:
	pr_warn("virtio-vsock: %s: %s", step, strerror(-r));
	vsock_reset(vs);
	return r;
}

static void vsock_config_read(void *dev, uint32_t off, void *buf, uint32_t len)
{
	struct virtio_vsock *vs = dev;
	struct virtio_vsock_config cfg = { .guest_cid = htole64(vs->cid) };
	memcpy(buf, (uint8_t *)&cfg + off, len);
}

/* guest_cid is read-only: writes are ignored. */
static void vsock_config_write(void *dev, uint32_t off, const void *buf,
			       uint32_t len)
{
	pr_guest(LOG_DEBUG, "virtio-vsock: config write ignored");
}

static uint64_t vsock_get_device_features(void *dev)
{
	return ((struct virtio_vsock *)dev)->features;
}

const struct virtio_device_ops virtio_vsock_ops = {
	.name = "virtio-vsock",
	.device_id = VIRTIO_ID_VSOCK,
	.num_queues = VIRTIO_VSOCK_NUM_QUEUES,
	.max_queue_size = VIRTIO_VSOCK_QUEUE_SIZE,
	.device_features = 0, /* per instance: get_device_features */
	.event_idx = true,
	.config_size = sizeof(struct virtio_vsock_config),
	.config_read = vsock_config_read,
	.config_write = vsock_config_write,
	.activate = vsock_activate,
	.reset = vsock_reset,
	.get_device_features = vsock_get_device_features,
};

void virtio_vsock_destroy(struct virtio_vsock *vs)
{
	if (!vs)
		return;
	vsock_reset(vs);
	vhost_kernel_close(&vs->vhost);
	free(vs);
}

uint64_t virtio_vsock_cid(const struct virtio_vsock *vs)
{
	return vs->cid;
}

uint64_t virtio_vsock_features(const struct virtio_vsock *vs)
{
	return vs->features;
}
