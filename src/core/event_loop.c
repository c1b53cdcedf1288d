/* The I/O thread. Handlers live on a list guarded by `lock`; the thread
 * marks the one whose callback it runs as `current`, and a remover from
 * another thread waits on `idle` until it is not. A removed handler is
 * marked dead and parked on `zombies` until the thread has finished the
 * batch of events that may still point at it. */
#include "core/event_loop.h"
#include "core/log.h"

#include <assert.h>
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#define EVENT_BATCH 64

struct handler {
	int fd;
	bool dead;
	event_loop_cb cb;
	void *opaque;
	struct handler *next;
};

struct event_loop {
	int epfd;
	int wakefd; /* registered with data.ptr == NULL */
	pthread_t thread;
	char name[16];

	pthread_mutex_t lock;
	pthread_cond_t idle;      /* signalled when `current` changes */
	struct handler *handlers; /* live ones */
	struct handler *zombies;  /* removed, freed after the batch */
	const struct handler *current;
	pthread_t loop_tid;
	bool loop_tid_known;
	bool stop;
};

static void wake(struct event_loop *loop)
{
	uint64_t one = 1;
	ssize_t n = write(loop->wakefd, &one, sizeof(one));
	(void)n; /* EAGAIN: a wakeup is pending already */
}

static void free_list(struct handler *h)
{
	while (h) {
		struct handler *next = h->next;
		free(h);
		h = next;
	}
}

static void dispatch(struct event_loop *loop, const struct epoll_event *ev)
{
	struct handler *h = ev->data.ptr;
	if (!h) {
		uint64_t v;
		ssize_t n = read(loop->wakefd, &v, sizeof(v));
		(void)n;
		return;
	}
	pthread_mutex_lock(&loop->lock);
	if (h->dead || loop->stop) {
		pthread_mutex_unlock(&loop->lock);
		return;
	}
	loop->current = h;
	event_loop_cb cb = h->cb;
	void *opaque = h->opaque;
	pthread_mutex_unlock(&loop->lock);

	cb(opaque, ev->events);

	pthread_mutex_lock(&loop->lock);
	loop->current = NULL;
	pthread_cond_broadcast(&loop->idle);
	pthread_mutex_unlock(&loop->lock);
}

static void *loop_thread(void *arg)
{
	struct event_loop *loop = arg;
	pthread_setname_np(pthread_self(), loop->name);
	pthread_mutex_lock(&loop->lock);
	loop->loop_tid = pthread_self();
	loop->loop_tid_known = true;
	pthread_mutex_unlock(&loop->lock);

	struct epoll_event evs[EVENT_BATCH];
	for (;;) {
		pthread_mutex_lock(&loop->lock);
		bool stop = loop->stop;
		struct handler *zombies = loop->zombies;
		loop->zombies = NULL;
		pthread_mutex_unlock(&loop->lock);
		/* No earlier batch can point at these any more, and epoll
		 * dropped them before they were parked. */
		free_list(zombies);
		if (stop)
			break;

		int n = epoll_wait(loop->epfd, evs, EVENT_BATCH, -1);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			pr_err("event loop %s: epoll_wait: %s", loop->name,
			       strerror(errno));
			break;
		}
		for (int i = 0; i < n; i++)
			dispatch(loop, &evs[i]);
	}
	return NULL;
}

struct event_loop *event_loop_create(const char *name)
{
	struct event_loop *loop = calloc(1, sizeof(*loop));
	if (!loop)
		return NULL;
	snprintf(loop->name, sizeof(loop->name), "%s", name ? name : "io");
	loop->wakefd = -1;
	int e;
	loop->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (loop->epfd < 0)
		goto fail_errno;
	loop->wakefd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (loop->wakefd < 0)
		goto fail_errno;
	struct epoll_event ev = { .events = EPOLLIN, .data.ptr = NULL };
	if (epoll_ctl(loop->epfd, EPOLL_CTL_ADD, loop->wakefd, &ev) < 0)
		goto fail_errno;
	pthread_mutex_init(&loop->lock, NULL);
	pthread_cond_init(&loop->idle, NULL);
	e = pthread_create(&loop->thread, NULL, loop_thread, loop);
	if (e) {
		pthread_cond_destroy(&loop->idle);
		pthread_mutex_destroy(&loop->lock);
		goto fail;
	}
	return loop;

fail_errno:
	e = errno;
fail:
	if (loop->wakefd >= 0)
		close(loop->wakefd);
	if (loop->epfd >= 0)
		close(loop->epfd);
	free(loop);
	errno = e;
	return NULL;
}

/* Called with the lock held. */
static struct handler **find(struct event_loop *loop, int fd)
{
	struct handler **p = &loop->handlers;
	while (*p && (*p)->fd != fd)
		p = &(*p)->next;
	return p;
}

int event_loop_add(struct event_loop *loop, int fd, uint32_t events,
		   event_loop_cb cb, void *opaque)
{
	if (fd < 0 || !cb)
		return -EINVAL;
	struct handler *h = calloc(1, sizeof(*h));
	if (!h)
		return -ENOMEM;
	*h = (struct handler){ .fd = fd, .cb = cb, .opaque = opaque };
	int ret = 0;
	pthread_mutex_lock(&loop->lock);
	if (*find(loop, fd)) {
		ret = -EEXIST;
	} else {
		struct epoll_event ev = { .events = events, .data.ptr = h };
		if (epoll_ctl(loop->epfd, EPOLL_CTL_ADD, fd, &ev) < 0) {
			ret = -errno;
		} else {
			h->next = loop->handlers;
			loop->handlers = h;
		}
	}
	pthread_mutex_unlock(&loop->lock);
	if (ret)
		free(h);
	return ret;
}

int event_loop_remove(struct event_loop *loop, int fd)
{
	pthread_mutex_lock(&loop->lock);
	struct handler **p = find(loop, fd);
	struct handler *h = *p;
	if (!h) {
		pthread_mutex_unlock(&loop->lock);
		return -ENOENT;
	}
	*p = h->next;
	if (epoll_ctl(loop->epfd, EPOLL_CTL_DEL, fd, NULL) < 0)
		pr_warn("event loop %s: EPOLL_CTL_DEL fd %d: %s (closed before removal?)",
			loop->name, fd, strerror(errno));
	h->dead = true;
	h->next = loop->zombies;
	loop->zombies = h;
	bool on_loop = loop->loop_tid_known &&
		       pthread_equal(loop->loop_tid, pthread_self());
	if (!on_loop)
		while (loop->current == h)
			pthread_cond_wait(&loop->idle, &loop->lock);
	pthread_mutex_unlock(&loop->lock);
	/* Let the thread free the zombie even if nothing else fires. */
	if (!on_loop)
		wake(loop);
	return 0;
}

void event_loop_destroy(struct event_loop *loop)
{
	if (!loop)
		return;
	pthread_mutex_lock(&loop->lock);
	assert(!loop->loop_tid_known ||
	       !pthread_equal(loop->loop_tid, pthread_self()));
	loop->stop = true;
	pthread_mutex_unlock(&loop->lock);
	wake(loop);
	pthread_join(loop->thread, NULL);
	free_list(loop->handlers);
	free_list(loop->zombies);
	close(loop->wakefd);
	close(loop->epfd);
	pthread_cond_destroy(&loop->idle);
	pthread_mutex_destroy(&loop->lock);
	free(loop);
}
