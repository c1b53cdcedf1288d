/* virtio-console: one port between the guest's hvc0 and a character back
 * end, served on a device thread. */
#include "devices/virtio_console.h"

#include "core/log.h"
#include "core/util.h"

#include <endian.h>
#include <errno.h>
#include <linux/virtio_console.h>
#include <linux/virtio_ids.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#define CONFIG_SIZE 8 /* cols, rows, max_nr_ports (no emerg_wr) */
#define RX_CHUNK 4096 /* input bytes per receive buffer at most */
#define RX_BATCH 64   /* receive buffers filled before looking at other fds */

struct virtio_console {
	struct char_backend *be;
	struct virtio_device *vdev; /* set while the thread runs */
	pthread_t thread;
	bool running;
	int stop_fd;
	bool has_size;
	_Atomic uint32_t size; /* rows << 16 | cols; config reads it on a vCPU */

	/* Thread state, reset on activate. */
	struct vq_chain *tx, *rx; /* ~24 KiB each */
	bool tx_held;      /* tx is popped and partly written */
	uint64_t tx_off;   /* bytes of it written so far */
	/* Bytes of the next transmit chain already written: a chain given
	 * back to the ring by a pause (or saved) half-written starts there,
	 * so its bytes are neither lost nor doubled. */
	uint32_t tx_skip;
	bool paused;       /* the thread was stopped by pause */
	bool restored;     /* a restore: the next activate re-announces the size */
	bool rx_held;      /* rx is popped and waits for input */
	bool rx_starved;   /* no receive buffers: input not read */
	bool hup_waits;    /* starved, and the input hung up with bytes left */
	bool broken;

	_Atomic uint64_t tx_chains, rx_chains, bad_chains, starved;
};

static void complete(struct virtio_console *vc, unsigned int q,
		     const struct vq_chain *c, uint32_t len, bool *pushed)
{
	if (virtqueue_push(&vc->vdev->vqs[q], c->head, len) == 0)
		*pushed = true;
	atomic_fetch_add(q == VIRTIO_CONSOLE_TXQ ? &vc->tx_chains : &vc->rx_chains, 1);
}

static void queue_broke(struct virtio_console *vc, unsigned int q)
{
	pr_guest(LOG_WARN, "virtio-console: %s queue broken: %s",
		 q == VIRTIO_CONSOLE_TXQ ? "transmit" : "receive",
		 vc->vdev->vqs[q].broken_reason);
	vc->broken = true;
	virtio_set_needs_reset(vc->vdev);
}

/* Write the rest of the held transmit chain. 0: all of it; -EAGAIN: the
 * output is full, come back on POLLOUT. */
static int tx_send(struct virtio_console *vc)
{
	const struct vq_chain *c = vc->tx;
	uint64_t seg_start = 0;
	for (unsigned int i = 0; i < c->nr_read; i++) {
		const struct vq_seg *s = &c->seg[i];
		uint64_t seg_end = seg_start + s->len;
		while (vc->tx_off < seg_end) {
			uint64_t in = vc->tx_off - seg_start;
			ssize_t n = char_backend_write(vc->be, (uint8_t *)s->host + in,
						       (size_t)(s->len - in));
			if (n < 0)
				return (int)n;
			vc->tx_off += (uint64_t)n;
		}
		seg_start = seg_end;
	}
	return 0;
}

/* Transmit everything the guest queued, as far as the output takes it. */
static void tx_drain(struct virtio_console *vc)
{
	struct virtqueue *vq = &vc->vdev->vqs[VIRTIO_CONSOLE_TXQ];
	bool pushed = false;
	if (!vq->enabled || vc->broken)
		return;
	for (;;) {
		if (vc->tx_held) {
			if (tx_send(vc) == -EAGAIN)
				break;
			vc->tx_held = false;
			complete(vc, VIRTIO_CONSOLE_TXQ, vc->tx, 0, &pushed);
		}
		virtqueue_disable_notify(vq);
		int r = virtqueue_pop(vq, vc->tx);
		if (r == 0) {
			if (virtqueue_enable_notify(vq))
				continue;
			break;
		}
		if (r < 0) {
			queue_broke(vc, VIRTIO_CONSOLE_TXQ);
			break;
		}
		if (vc->tx->nr_write) {
			pr_guest(LOG_WARN, "virtio-console: transmit buffer is device-writable");
			atomic_fetch_add(&vc->bad_chains, 1);
			complete(vc, VIRTIO_CONSOLE_TXQ, vc->tx, 0, &pushed);
			continue;
		}
		vc->tx_held = true;
		vc->tx_off = vc->tx_skip;
		vc->tx_skip = 0;
	}
	if (pushed)
		virtio_notify_queue(vc->vdev, VIRTIO_CONSOLE_TXQ);
}

/* Move input into receive buffers until the input has nothing more, the
 * guest has no buffers (then stop polling the input until it kicks), or a
 * batch is done. */
static void rx_fill(struct virtio_console *vc)
{
	struct virtqueue *vq = &vc->vdev->vqs[VIRTIO_CONSOLE_RXQ];
	uint8_t buf[RX_CHUNK];
	bool pushed = false;
	if (!vq->enabled || vc->broken) {
		vc->rx_starved = true; /* the enable comes with a kick */
		return;
	}
	for (unsigned int i = 0; i < RX_BATCH; i++) {
		if (!vc->rx_held) {
			int r = virtqueue_pop(vq, vc->rx);
			if (r == 0) {
				vc->rx_starved = true;
				atomic_fetch_add(&vc->starved, 1);
				break;
			}
			if (r < 0) {
				queue_broke(vc, VIRTIO_CONSOLE_RXQ);
				break;
			}
			if (vc->rx->nr_read || !vc->rx->write_len) {
				pr_guest(LOG_WARN, "virtio-console: receive buffer is %s",
					 vc->rx->nr_read ? "device-readable" : "empty");
				atomic_fetch_add(&vc->bad_chains, 1);
				complete(vc, VIRTIO_CONSOLE_RXQ, vc->rx, 0, &pushed);
				continue;
			}
			vc->rx_held = true;
		}
		size_t want = vc->rx->write_len < RX_CHUNK ? vc->rx->write_len : RX_CHUNK;
		ssize_t n = char_backend_read(vc->be, buf, want);
		if (n <= 0)
			break; /* keep the buffer for the next input */
		size_t done = vq_chain_write(vc->rx, 0, buf, (size_t)n);
		vc->rx_held = false;
		complete(vc, VIRTIO_CONSOLE_RXQ, vc->rx, (uint32_t)done, &pushed);
	}
	if (pushed)
		virtio_notify_queue(vc->vdev, VIRTIO_CONSOLE_RXQ);
}

static void drain_eventfd(int fd)
{
	eventfd_t v;
	(void)eventfd_read(fd, &v);
}

/* The terminal was resized: new config, and tell the driver. */
static void resized(struct virtio_console *vc)
{
	uint16_t cols, rows;
	drain_eventfd(char_backend_resize_fd(vc->be));
	if (!vc->has_size || !char_backend_winsize(vc->be, &cols, &rows))
		return;
	uint32_t size = (uint32_t)rows << 16 | cols;
	if (atomic_exchange(&vc->size, size) != size &&
	    virtio_has_feature(vc->vdev, VIRTIO_CONSOLE_F_SIZE))
		virtio_config_changed(vc->vdev);
}

enum { P_STOP, P_RXKICK, P_TXKICK, P_IN, P_OUT, P_LISTEN, P_RESIZE, P_N };

static void *console_thread(void *opaque)
{
	struct virtio_console *vc = opaque;
	int rx_kick = vc->vdev->kick_fd[VIRTIO_CONSOLE_RXQ];
	int tx_kick = vc->vdev->kick_fd[VIRTIO_CONSOLE_TXQ];
	/* Buffers may already be waiting (a kick before DRIVER_OK). */
	tx_drain(vc);
	for (;;) {
		/* A socket client that left while a chain waited for it: the
		 * rest of the chain is dropped now, not when the next comes. */
		if (vc->tx_held && char_backend_output_fd(vc->be) < 0)
			tx_drain(vc);
		int in = char_backend_input_fd(vc->be);
		int listen = char_backend_listen_fd(vc->be);
		struct pollfd p[P_N] = {
			[P_STOP] = { .fd = vc->stop_fd, .events = POLLIN },
			[P_RXKICK] = { .fd = vc->broken ? -1 : rx_kick, .events = POLLIN },
			[P_TXKICK] = { .fd = vc->broken || vc->tx_held ? -1 : tx_kick,
				       .events = POLLIN },
			/* Starved, the input is only watched for a hang-up
			 * (events 0), so a socket client that leaves is let go. */
			[P_IN] = { .fd = vc->broken || vc->hup_waits ? -1 : in,
				   .events = vc->rx_starved ? 0 : POLLIN },
			[P_OUT] = { .fd = vc->tx_held && !vc->broken
						  ? char_backend_output_fd(vc->be) : -1,
				    .events = POLLOUT },
			[P_LISTEN] = { .fd = listen, .events = POLLIN },
			[P_RESIZE] = { .fd = char_backend_resize_fd(vc->be),
				       .events = POLLIN },
		};
		if (poll(p, P_N, -1) < 0) {
			if (errno == EINTR)
				continue;
			pr_err("virtio-console: poll: %s", strerror(errno));
			break;
		}
		if (p[P_STOP].revents)
			break;
		if (p[P_RESIZE].revents)
			resized(vc);
		if (p[P_LISTEN].revents && char_backend_accept(vc->be) == 0)
			pr_info("virtio-console: client connected");
		if (p[P_RXKICK].revents & POLLIN) {
			drain_eventfd(rx_kick);
			vc->rx_starved = vc->hup_waits = false;
		}
		if ((p[P_TXKICK].revents & POLLIN) || p[P_OUT].revents) {
			if (p[P_TXKICK].revents)
				drain_eventfd(tx_kick);
			tx_drain(vc);
		}
		if (p[P_IN].revents && !vc->rx_starved)
			rx_fill(vc);
		else if (p[P_IN].revents & (POLLHUP | POLLERR))
			vc->hup_waits = !char_backend_hangup(vc->be);
	}
	return NULL;
}

static int spawn(struct virtio_console *vc)
{
	drain_eventfd(vc->stop_fd);
	/* Look at the input again: receive buffers may have come meanwhile. */
	vc->rx_starved = vc->hup_waits = false;
	int err = pthread_create(&vc->thread, NULL, console_thread, vc);
	if (err)
		return -err;
	vc->running = true;
	return 0;
}

static int console_activate(void *dev, struct virtio_device *vdev)
{
	struct virtio_console *vc = dev;
	if (vc->running)
		return -EBUSY;
	vc->vdev = vdev;
	vc->tx_held = vc->rx_held = vc->broken = vc->paused = false;
	vc->tx_off = 0;
	int err = spawn(vc);
	if (err) {
		vc->vdev = NULL;
		return err;
	}
	/* The terminal the restored guest runs on may have another size. */
	if (vc->restored && virtio_has_feature(vdev, VIRTIO_CONSOLE_F_SIZE))
		virtio_config_changed(vdev);
	vc->restored = false;
	return 0;
}

static void join(struct virtio_console *vc)
{
	if (!vc->running)
		return;
	(void)eventfd_write(vc->stop_fd, 1);
	pthread_join(vc->thread, NULL);
	vc->running = false;
}

/* Chains held at a reset are forgotten with the queues' in-flight state. */
static void console_reset(void *dev)
{
	struct virtio_console *vc = dev;
	join(vc);
	vc->vdev = NULL;
	vc->tx_held = vc->rx_held = vc->paused = vc->restored = false;
	vc->tx_skip = 0;
}

/* Give a held chain back to its ring as if never popped (true); if the
 * guest rewrote its avail ring meanwhile, answer it empty instead. */
static bool give_back(struct virtio_console *vc, unsigned int q,
		      const struct vq_chain *c)
{
	if (virtqueue_unpop(&vc->vdev->vqs[q], &c->head, 1) == 0)
		return true;
	bool pushed = false;
	complete(vc, q, c, 0, &pushed);
	if (pushed)
		virtio_notify_queue(vc->vdev, q);
	return false;
}

/* Snapshot: the thread stops between polls; a transmit chain that waits
 * for the output goes back to the ring with what was written of it kept
 * in tx_skip, a receive buffer waiting for input goes back unused. */
static void console_pause(void *dev)
{
	struct virtio_console *vc = dev;
	if (!vc->running)
		return;
	join(vc);
	if (vc->tx_held && give_back(vc, VIRTIO_CONSOLE_TXQ, vc->tx))
		vc->tx_skip = (uint32_t)vc->tx_off;
	vc->tx_held = false;
	if (vc->rx_held)
		give_back(vc, VIRTIO_CONSOLE_RXQ, vc->rx);
	vc->rx_held = false;
	vc->paused = true;
}

static int console_resume(void *dev)
{
	struct virtio_console *vc = dev;
	if (!vc->paused)
		return 0;
	vc->paused = false;
	return spawn(vc);
}

#define CONSOLE_STATE_VERSION 1
struct console_state {
	uint32_t version;
	uint32_t tx_skip; /* bytes of the next transmit chain already written */
	uint64_t reserved; /* 0 */
};

static ssize_t console_save(void *dev, void *buf, size_t cap)
{
	struct virtio_console *vc = dev;
	struct console_state st = { .version = CONSOLE_STATE_VERSION,
				    .tx_skip = vc->tx_skip };
	if (cap < sizeof(st))
		return -ENOSPC;
	memcpy(buf, &st, sizeof(st));
	return (ssize_t)sizeof(st);
}

/* tx_skip needs no bound of its own: a chain shorter than it is taken as
 * written in full and answered. */
static int console_restore(void *dev, const void *buf, size_t len,
			   uint64_t features, char *err, size_t errlen)
{
	struct virtio_console *vc = dev;
	struct console_state st;
	if (vc->running)
		return errmsg(-EBUSY, err, errlen, "the device is running");
	if (len != sizeof(st))
		return errmsg(-EINVAL, err, errlen, "%zu bytes of state, expected %zu",
			      len, sizeof(st));
	memcpy(&st, buf, sizeof(st));
	if (st.version != CONSOLE_STATE_VERSION)
		return errmsg(-EINVAL, err, errlen, "state version %u, expected %u",
			      st.version, CONSOLE_STATE_VERSION);
	if (st.reserved)
		return errmsg(-EINVAL, err, errlen, "reserved bytes set");
	vc->tx_skip = st.tx_skip;
	vc->restored = true;
	return 0;
}

static void console_config_read(void *dev, uint32_t off, void *buf, uint32_t len)
{
	struct virtio_console *vc = dev;
	uint8_t cfg[CONFIG_SIZE] = { 0 };
	uint32_t size = atomic_load(&vc->size);
	uint16_t cols = htole16((uint16_t)size), rows = htole16((uint16_t)(size >> 16));
	uint32_t ports = htole32(1);
	memcpy(cfg + 0, &cols, 2);
	memcpy(cfg + 2, &rows, 2);
	memcpy(cfg + 4, &ports, 4);
	memcpy(buf, cfg + off, len); /* the transport checked the range */
}

static uint64_t console_features(void *dev)
{
	struct virtio_console *vc = dev;
	return vc->has_size ? 1ull << VIRTIO_CONSOLE_F_SIZE : 0;
}

const struct virtio_device_ops virtio_console_ops = {
	.name = "virtio-console",
	.device_id = VIRTIO_ID_CONSOLE,
	.num_queues = 2,
	.max_queue_size = VIRTIO_CONSOLE_QUEUE_SIZE,
	.device_features = 0,
	.event_idx = true,
	.config_size = CONFIG_SIZE,
	.config_read = console_config_read,
	.activate = console_activate,
	.reset = console_reset,
	.pause = console_pause,
	.resume = console_resume,
	.save = console_save,
	.restore = console_restore,
	.get_device_features = console_features,
};

int virtio_console_create(struct virtio_console **out, struct char_backend *be)
{
	struct virtio_console *vc = calloc(1, sizeof(*vc));
	int err = -ENOMEM;
	if (!vc)
		goto fail_backend;
	vc->be = be;
	vc->stop_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (vc->stop_fd < 0) {
		err = -errno;
		goto fail_free;
	}
	vc->tx = malloc(sizeof(*vc->tx));
	vc->rx = malloc(sizeof(*vc->rx));
	if (!vc->tx || !vc->rx)
		goto fail_chains;
	uint16_t cols, rows;
	vc->has_size = char_backend_winsize(be, &cols, &rows);
	if (vc->has_size)
		atomic_store(&vc->size, (uint32_t)rows << 16 | cols);
	*out = vc;
	return 0;
fail_chains:
	free(vc->tx);
	free(vc->rx);
	close(vc->stop_fd);
fail_free:
	free(vc);
fail_backend:
	char_backend_close(be);
	free(be);
	return err;
}

void virtio_console_destroy(struct virtio_console *vc)
{
	if (!vc)
		return;
	console_reset(vc);
	close(vc->stop_fd);
	free(vc->tx);
	free(vc->rx);
	char_backend_close(vc->be);
	free(vc->be);
	free(vc);
}

void virtio_console_get_stats(struct virtio_console *vc,
			      struct virtio_console_stats *s)
{
	s->tx_chains = atomic_load(&vc->tx_chains);
	s->rx_chains = atomic_load(&vc->rx_chains);
	s->bad_chains = atomic_load(&vc->bad_chains);
	s->rx_starved = atomic_load(&vc->starved);
	char_backend_get_stats(vc->be, &s->backend);
}
