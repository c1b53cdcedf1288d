/* An I/O thread: one epoll set and the thread that waits on it.
 *
 * Devices and backends register file descriptors (eventfds, sockets, tap
 * devices) with a callback; the callback runs on the loop's thread. All
 * functions may be called from any thread, including from a callback of
 * the same loop (except event_loop_destroy).
 */
#ifndef KILN_CORE_EVENT_LOOP_H
#define KILN_CORE_EVENT_LOOP_H

#include <stdint.h>

struct event_loop;

/* `revents` is the epoll event mask that fired (EPOLLIN, EPOLLERR, ...). */
typedef void (*event_loop_cb)(void *opaque, uint32_t revents);

/* Start a loop and its thread; `name` (first 15 characters) names the
 * thread. NULL on failure, with errno set. */
struct event_loop *event_loop_create(const char *name);

/* Watch `fd` for the epoll `events` (level-triggered unless EPOLLET is
 * given). Returns 0, -EEXIST if `fd` is registered already, or -errno. */
int event_loop_add(struct event_loop *loop, int fd, uint32_t events,
		   event_loop_cb cb, void *opaque)
	__attribute__((warn_unused_result));

/* Stop watching `fd`. Synchronous: when it returns, `fd`'s callback is not
 * running and will not run again, so its opaque may be freed and the fd
 * closed (and only then: close an fd after removing it, never before).
 * From the loop's own thread (inside a callback, even fd's own) it does not
 * wait. From another thread it waits for a running callback of `fd` to
 * return: do not call it while holding a lock that callback takes.
 * Returns 0, or -ENOENT if `fd` is not registered. */
int event_loop_remove(struct event_loop *loop, int fd);

/* Stop the thread and join it, then free the loop. Fds still registered
 * are dropped, not closed. Not from the loop's own thread. */
void event_loop_destroy(struct event_loop *loop);

#endif
