/* Eventfd doorbells for the soft accelerator (see soft_eventfd.h).
 *
 * irqfds: one epoll thread. Each route's epoll data carries its slot and
 * a generation, so an event that was already returned for a route removed
 * meanwhile is dropped. The lock is held while a signal is read and
 * injected, so once remove() returns nothing of that route is in flight.
 */
#include "accel/soft/soft_eventfd.h"

#include "core/log.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

struct route {
	bool used;
	int fd;
	uint32_t gen;
	uint64_t addr;
	uint32_t data;
};

struct ioeventfd {
	bool used, pio;
	uint64_t addr;
	uint32_t len;
	int fd;
};

struct soft_eventfds {
	pthread_mutex_t lock;
	int (*inject)(void *opaque, uint64_t addr, uint32_t data);
	void *opaque;
	int epfd, stop_fd;
	pthread_t thread;
	bool thread_started;
	struct route route[SOFT_IRQFD_ROUTES];
	struct ioeventfd iofd[SOFT_IOEVENTFDS];
	unsigned int nr_iofd; /* slots in use, scanned on every write */
};

#define STOP_TAG UINT64_MAX

static void handle(struct soft_eventfds *e, uint64_t tag)
{
	unsigned int slot = (uint32_t)tag;
	uint32_t gen = (uint32_t)(tag >> 32);
	uint64_t n;

	if (slot >= SOFT_IRQFD_ROUTES)
		return;
	pthread_mutex_lock(&e->lock);
	struct route *r = &e->route[slot];
	if (r->used && r->gen == gen && read(r->fd, &n, sizeof(n)) == sizeof(n)) {
		int err = e->inject(e->opaque, r->addr, r->data);
		if (err)
			pr_debug("soft irqfd route %u: %s", slot, strerror(-err));
	}
	pthread_mutex_unlock(&e->lock);
}

static void *irqfd_thread(void *arg)
{
	struct soft_eventfds *e = arg;
	struct epoll_event ev[16];
	for (;;) {
		int n = epoll_wait(e->epfd, ev, 16, -1);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			pr_err("soft irqfd thread: epoll_wait: %s", strerror(errno));
			return NULL;
		}
		for (int i = 0; i < n; i++) {
			if (ev[i].data.u64 == STOP_TAG)
				return NULL;
			handle(e, ev[i].data.u64);
		}
	}
}

int soft_eventfds_create(struct soft_eventfds **out,
			 int (*inject)(void *opaque, uint64_t addr, uint32_t data),
			 void *opaque)
{
	struct soft_eventfds *e = calloc(1, sizeof(*e));
	int err;
	if (!e)
		return -ENOMEM;
	pthread_mutex_init(&e->lock, NULL);
	e->inject = inject;
	e->opaque = opaque;
	e->epfd = epoll_create1(EPOLL_CLOEXEC);
	e->stop_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (e->epfd < 0 || e->stop_fd < 0) {
		err = -errno;
		goto fail;
	}
	struct epoll_event ev = { .events = EPOLLIN, .data.u64 = STOP_TAG };
	if (epoll_ctl(e->epfd, EPOLL_CTL_ADD, e->stop_fd, &ev) < 0) {
		err = -errno;
		goto fail;
	}
	if ((err = -pthread_create(&e->thread, NULL, irqfd_thread, e)))
		goto fail;
	e->thread_started = true;
	*out = e;
	return 0;
fail:
	soft_eventfds_destroy(e);
	return err;
}

void soft_eventfds_destroy(struct soft_eventfds *e)
{
	if (!e)
		return;
	if (e->thread_started) {
		uint64_t one = 1;
		if (write(e->stop_fd, &one, sizeof(one)) != sizeof(one))
			pr_err("soft irqfd thread: cannot stop it: %s", strerror(errno));
		else
			pthread_join(e->thread, NULL);
	}
	if (e->epfd >= 0)
		close(e->epfd);
	if (e->stop_fd >= 0)
		close(e->stop_fd);
	pthread_mutex_destroy(&e->lock);
	free(e);
}

int soft_irqfd_add(struct soft_eventfds *e, int fd, uint64_t addr, uint32_t data)
{
	int ret = -ENOSPC;
	pthread_mutex_lock(&e->lock);
	for (unsigned int i = 0; i < SOFT_IRQFD_ROUTES; i++) {
		struct route *r = &e->route[i];
		if (r->used)
			continue;
		r->gen++;
		struct epoll_event ev = {
			.events = EPOLLIN,
			.data.u64 = i | (uint64_t)r->gen << 32,
		};
		if (epoll_ctl(e->epfd, EPOLL_CTL_ADD, fd, &ev) < 0) {
			ret = -errno;
			break;
		}
		*r = (struct route){ .used = true, .fd = fd, .gen = r->gen,
				     .addr = addr, .data = data };
		ret = (int)i;
		break;
	}
	pthread_mutex_unlock(&e->lock);
	return ret;
}

int soft_irqfd_update(struct soft_eventfds *e, int route, uint64_t addr,
		      uint32_t data)
{
	int ret = -EINVAL;
	if (route < 0 || route >= SOFT_IRQFD_ROUTES)
		return ret;
	pthread_mutex_lock(&e->lock);
	if (e->route[route].used) {
		e->route[route].addr = addr;
		e->route[route].data = data;
		ret = 0;
	}
	pthread_mutex_unlock(&e->lock);
	return ret;
}

void soft_irqfd_remove(struct soft_eventfds *e, int route)
{
	if (route < 0 || route >= SOFT_IRQFD_ROUTES)
		return;
	pthread_mutex_lock(&e->lock);
	struct route *r = &e->route[route];
	if (r->used) {
		if (epoll_ctl(e->epfd, EPOLL_CTL_DEL, r->fd, NULL) < 0)
			pr_debug("soft irqfd route %d: %s", route, strerror(errno));
		r->used = false;
	}
	pthread_mutex_unlock(&e->lock);
}

int soft_ioeventfd_add(struct soft_eventfds *e, uint64_t addr, uint32_t len,
		       bool pio, int fd)
{
	if (len != 0 && len != 1 && len != 2 && len != 4 && len != 8)
		return -EINVAL;
	int ret = -ENOSPC;
	pthread_mutex_lock(&e->lock);
	for (unsigned int i = 0; i < SOFT_IOEVENTFDS; i++) {
		if (e->iofd[i].used)
			continue;
		e->iofd[i] = (struct ioeventfd){ .used = true, .pio = pio,
						 .addr = addr, .len = len, .fd = fd };
		if (i >= e->nr_iofd)
			e->nr_iofd = i + 1;
		ret = 0;
		break;
	}
	pthread_mutex_unlock(&e->lock);
	return ret;
}

void soft_ioeventfd_remove(struct soft_eventfds *e, uint64_t addr,
			   uint32_t len, bool pio, int fd)
{
	pthread_mutex_lock(&e->lock);
	for (unsigned int i = 0; i < e->nr_iofd; i++) {
		struct ioeventfd *f = &e->iofd[i];
		if (f->used && f->addr == addr && f->len == len && f->pio == pio &&
		    f->fd == fd) {
			f->used = false;
			break;
		}
	}
	while (e->nr_iofd && !e->iofd[e->nr_iofd - 1].used)
		e->nr_iofd--;
	pthread_mutex_unlock(&e->lock);
}

bool soft_ioeventfd_write(struct soft_eventfds *e, uint64_t addr, unsigned len,
			  bool pio)
{
	bool hit = false;
	pthread_mutex_lock(&e->lock);
	for (unsigned int i = 0; i < e->nr_iofd && !hit; i++) {
		struct ioeventfd *f = &e->iofd[i];
		if (!f->used || f->pio != pio || f->addr != addr ||
		    (f->len && f->len != len))
			continue;
		uint64_t one = 1;
		/* EAGAIN: the counter is saturated, a signal is pending. */
		if (write(f->fd, &one, sizeof(one)) < 0 && errno != EAGAIN)
			pr_debug("ioeventfd at 0x%llx: %s",
				 (unsigned long long)addr, strerror(errno));
		hit = true;
	}
	pthread_mutex_unlock(&e->lock);
	return hit;
}
