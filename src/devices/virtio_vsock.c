/* virtio-vsock: the device model around the kernel's vhost-vsock. */
#include "devices/virtio_vsock.h"

#include "core/log.h"
#include "core/util.h"

#include <endian.h>
#include <errno.h>
#include <linux/vhost.h>
#include <linux/virtio_ids.h>
#include <linux/virtio_vsock.h>
#include <poll.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <unistd.h>

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
	bool paused;  /* stopped by pause, to be started again by resume */

	/* The event queue is Kiln's. After a restore the guest's connections
	 * are gone (the host side lived in another vhost-vsock), so it is
	 * sent a TRANSPORT_RESET; while it has no event buffer, a thread
	 * waits for its kick. */
	struct virtio_device *vdev; /* while activated */
	struct vq_chain *chain;     /* event queue pop scratch */
	bool reset_pending;
	int stop_fd;
	pthread_t event_thread;
	bool event_thread_running;
	_Atomic uint64_t resets_sent;
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
	vs->chain = malloc(sizeof(*vs->chain));
	vs->stop_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (!vs->chain || vs->stop_fd < 0) {
		int e = vs->stop_fd < 0 ? -errno : -ENOMEM;
		if (vs->stop_fd >= 0)
			close(vs->stop_fd);
		free(vs->chain);
		vhost_kernel_close(&vs->vhost);
		free(vs);
		return errmsg(e, err, errlen, "virtio-vsock: %s", strerror(-e));
	}
	*out = vs;
	return 0;
}

/* ---- the transport reset event ------------------------------------------- */

/* Put one VIRTIO_VSOCK_EVENT_TRANSPORT_RESET into the guest's next event
 * buffer. 1: sent (or cannot ever be: no event queue); 0: no buffer yet;
 * -EIO: the queue broke (NEEDS_RESET is set). One thread at a time. */
static int send_reset(struct virtio_vsock *vs)
{
	struct virtio_device *vdev = vs->vdev;
	struct virtqueue *vq = &vdev->vqs[VIRTIO_VSOCK_EVENT];
	if (!vq->enabled) {
		pr_guest(LOG_WARN, "virtio-vsock: no event queue for the transport reset");
		return 1;
	}
	for (;;) {
		int r = virtqueue_pop(vq, vs->chain);
		if (r == 0)
			return 0;
		if (r < 0) {
			virtio_set_needs_reset(vdev);
			return -EIO;
		}
		struct virtio_vsock_event ev = {
			.id = htole32(VIRTIO_VSOCK_EVENT_TRANSPORT_RESET),
		};
		uint32_t len = 0;
		if (vs->chain->nr_read || vs->chain->write_len < sizeof(ev))
			pr_guest(LOG_WARN, "virtio-vsock: event buffer of %u bytes "
				 "(%u readable)", vs->chain->write_len, vs->chain->read_len);
		else
			len = (uint32_t)vq_chain_write(vs->chain, 0, &ev, sizeof(ev));
		if (virtqueue_push(vq, vs->chain->head, len) == 0)
			virtio_notify_queue(vdev, VIRTIO_VSOCK_EVENT);
		if (len) {
			atomic_fetch_add(&vs->resets_sent, 1);
			pr_info("virtio-vsock: cid %llu: transport reset sent to the guest",
				(unsigned long long)vs->cid);
			return 1;
		}
	}
}

static void *event_thread(void *opaque)
{
	struct virtio_vsock *vs = opaque;
	int kick = vs->vdev->kick_fd[VIRTIO_VSOCK_EVENT];
	for (;;) {
		struct pollfd p[2] = { { .fd = vs->stop_fd, .events = POLLIN },
				       { .fd = kick, .events = POLLIN } };
		if (poll(p, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			pr_err("virtio-vsock: poll: %s", strerror(errno));
			break;
		}
		if (p[0].revents)
			break;
		eventfd_t v;
		(void)eventfd_read(kick, &v);
		if (send_reset(vs)) {
			vs->reset_pending = false;
			break;
		}
	}
	return NULL;
}

/* Send a pending reset now, or have a thread wait for an event buffer. */
static int deliver_pending_reset(struct virtio_vsock *vs)
{
	if (!vs->reset_pending)
		return 0;
	if (send_reset(vs)) {
		vs->reset_pending = false;
		return 0;
	}
	eventfd_t v;
	(void)eventfd_read(vs->stop_fd, &v);
	int e = -pthread_create(&vs->event_thread, NULL, event_thread, vs);
	if (!e)
		vs->event_thread_running = true;
	return e;
}

static void stop_event_thread(struct virtio_vsock *vs)
{
	if (!vs->event_thread_running)
		return;
	(void)eventfd_write(vs->stop_fd, 1);
	pthread_join(vs->event_thread, NULL);
	vs->event_thread_running = false;
}

/* Stop vhost and take rx and tx back, each ring going on from where the
 * kernel stopped. */
static void stop_vhost(struct virtio_vsock *vs)
{
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
		else
			virtqueue_take_position(&vs->vdev->vqs[q], last_avail);
		vs->queues_started[q] = false;
	}
	vhost_call_relay_stop(&vs->relay);
}

static void vsock_reset(void *dev)
{
	struct virtio_vsock *vs = dev;
	stop_event_thread(vs);
	stop_vhost(vs);
	vs->vdev = NULL;
	vs->paused = vs->reset_pending = false;
}

/* Hand rx and tx to vhost and start it. */
static int start_vhost(struct virtio_vsock *vs, struct virtio_device *vdev)
{
	const char *step;
	int r;
	step = "the vhost set-up";
	r = vhost_kernel_setup(&vs->vhost, vdev->features & vs->vhost.features,
			       vs->mem);
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
		step = "VHOST_SET_VRING_ERR";
		r = vhost_kernel_set_vring_err(&vs->vhost, q, vs->relay.err_fd[q]);
		if (r)
			goto fail;
	}
	step = "VHOST_VSOCK_SET_RUNNING";
	r = set_running(vs, 1);
	if (r)
		goto fail;
	vs->running = true;
	/* A completion signalled to a relay that was stopped (a pause, or
	 * the Kiln a snapshot came from) reached nobody: interrupt relayed
	 * queues once. */
	for (unsigned int q = 0; q < VSOCK_VHOST_QUEUES; q++)
		if (vs->relay.relayed[q])
			vdev->tops->notify_queue(vdev->transport, q);
	/* The relay thread always runs (it watches vhost's error fds);
	 * interrupts go through it only for queues without an irqfd. */
	bool relayed = false;
	for (unsigned int q = 0; q < VSOCK_VHOST_QUEUES; q++)
		relayed |= vs->relay.relayed[q];
	pr_debug("virtio-vsock: cid %llu running (features 0x%llx, %s%s)",
		 (unsigned long long)vs->cid, (unsigned long long)vdev->features,
		 relayed ? "relayed interrupts" : "irqfds",
		 vs->vhost.logging ? ", dirty log" : "");
	return 0;
fail:
	pr_warn("virtio-vsock: %s: %s", step, strerror(-r));
	stop_vhost(vs);
	return r;
}

/* Hand rx and tx to vhost and start it. The event queue (2) is left as the
 * guest filled it: its buffers wait there for a transport event, which a
 * restored device sends at once. */
static int vsock_activate(void *dev, struct virtio_device *vdev)
{
	struct virtio_vsock *vs = dev;
	for (unsigned int q = 0; q < VSOCK_VHOST_QUEUES; q++) {
		if (!vdev->vqs[q].enabled) {
			pr_guest(LOG_WARN, "virtio-vsock: driver started without "
				 "enabling queue %u", q);
			return -EINVAL;
		}
	}
	vs->vdev = vdev;
	int r = start_vhost(vs, vdev);
	if (!r)
		r = deliver_pending_reset(vs);
	if (r)
		vsock_reset(vs);
	return r;
}

/* Snapshot: vhost stops between packets and each ring records where it
 * stopped; the host side of the connections stays in the kernel, so a
 * resume in the same Kiln carries them on. */
static void vsock_pause(void *dev)
{
	struct virtio_vsock *vs = dev;
	if (!vs->vdev || vs->paused)
		return;
	stop_event_thread(vs);
	stop_vhost(vs);
	vs->paused = true;
}

static int vsock_resume(void *dev)
{
	struct virtio_vsock *vs = dev;
	if (!vs->paused)
		return 0;
	vs->paused = false;
	int r = start_vhost(vs, vs->vdev);
	return r ? r : deliver_pending_reset(vs);
}

#define VSOCK_STATE_VERSION 1
struct vsock_state {
	uint32_t version;
	uint8_t reset_pending; /* 0/1: a TRANSPORT_RESET waits for a buffer */
	uint8_t reserved[11];  /* 0 */
};

static ssize_t vsock_save(void *dev, void *buf, size_t cap)
{
	struct virtio_vsock *vs = dev;
	struct vsock_state st = { .version = VSOCK_STATE_VERSION,
				  .reset_pending = vs->reset_pending };
	if (cap < sizeof(st))
		return -ENOSPC;
	memcpy(buf, &st, sizeof(st));
	return (ssize_t)sizeof(st);
}

/* Whatever the saved flag says, a restored guest gets a TRANSPORT_RESET:
 * its connections ended with the vhost-vsock of the Kiln it came from. */
static int vsock_restore(void *dev, const void *buf, size_t len,
			 uint64_t features, char *err, size_t errlen)
{
	struct virtio_vsock *vs = dev;
	struct vsock_state st;
	if (vs->vdev)
		return errmsg(-EBUSY, err, errlen, "the device is running");
	if (len != sizeof(st))
		return errmsg(-EINVAL, err, errlen, "%zu bytes of state, expected %zu",
			      len, sizeof(st));
	memcpy(&st, buf, sizeof(st));
	if (st.version != VSOCK_STATE_VERSION)
		return errmsg(-EINVAL, err, errlen, "state version %u, expected %u",
			      st.version, VSOCK_STATE_VERSION);
	for (size_t i = 0; i < sizeof(st.reserved); i++)
		if (st.reserved[i])
			return errmsg(-EINVAL, err, errlen, "reserved bytes set");
	if (st.reset_pending > 1)
		return errmsg(-EINVAL, err, errlen, "reset flag %u", st.reset_pending);
	vs->reset_pending = true;
	return 0;
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
	.pause = vsock_pause,
	.resume = vsock_resume,
	.save = vsock_save,
	.restore = vsock_restore,
	.get_device_features = vsock_get_device_features,
};

void virtio_vsock_destroy(struct virtio_vsock *vs)
{
	if (!vs)
		return;
	vsock_reset(vs);
	vhost_kernel_close(&vs->vhost);
	close(vs->stop_fd);
	free(vs->chain);
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

uint64_t virtio_vsock_resets_sent(struct virtio_vsock *vs)
{
	return atomic_load(&vs->resets_sent);
}
