/* The I/O thread: callbacks fire, removal is synchronous from any thread
 * and from inside a callback, destroy copes with registered fds. */
#include "core/event_loop.h"

#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

struct counter {
	int fd;
	atomic_int calls;
	atomic_int running; /* inside the callback now */
	atomic_bool after_remove; /* set once remove returned */
	atomic_int late_calls;   /* calls that started after remove returned */
	atomic_int bad_revents;
	struct event_loop *loop;
	bool drain;           /* read the eventfd (else it stays readable) */
	bool remove_self;
	atomic_int remove_ret;
	useconds_t work_us;
};

static void sleep_ms(unsigned int ms)
{
	struct timespec ts = { .tv_sec = ms / 1000,
			       .tv_nsec = (long)(ms % 1000) * 1000000 };
	nanosleep(&ts, NULL);
}

static void signal_fd(int fd)
{
	uint64_t one = 1;
	assert_int_equal(write(fd, &one, sizeof(one)), sizeof(one));
}

static void count_cb(void *opaque, uint32_t revents)
{
	struct counter *c = opaque;
	atomic_fetch_add(&c->running, 1);
	if (atomic_load(&c->after_remove))
		atomic_fetch_add(&c->late_calls, 1);
	if (!(revents & EPOLLIN)) /* no cmocka asserts off the test thread */
		atomic_fetch_add(&c->bad_revents, 1);
	if (c->drain) {
		uint64_t v;
		ssize_t n = read(c->fd, &v, sizeof(v));
		(void)n;
	}
	if (c->work_us)
		usleep(c->work_us);
	atomic_fetch_add(&c->calls, 1);
	if (c->remove_self)
		atomic_store(&c->remove_ret, event_loop_remove(c->loop, c->fd));
	atomic_fetch_sub(&c->running, 1);
}

static bool wait_for_calls(struct counter *c, int n)
{
	for (int i = 0; i < 2000; i++) {
		if (atomic_load(&c->calls) >= n)
			return true;
		sleep_ms(1);
	}
	return false;
}

static void test_callback_fires(void **state)
{
	struct event_loop *loop = event_loop_create("test-io");
	assert_non_null(loop);
	struct counter c = { .drain = true };
	c.fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	assert_int_equal(event_loop_add(loop, c.fd, EPOLLIN, count_cb, &c), 0);
	assert_int_equal(event_loop_add(loop, c.fd, EPOLLIN, count_cb, &c),
			 -EEXIST);
	signal_fd(c.fd);
	assert_true(wait_for_calls(&c, 1));
	signal_fd(c.fd);
	assert_true(wait_for_calls(&c, 2));
	sleep_ms(20);
	assert_int_equal(atomic_load(&c.calls), 2); /* drained: no more */
	assert_int_equal(event_loop_remove(loop, c.fd), 0);
	assert_int_equal(event_loop_remove(loop, c.fd), -ENOENT);
	event_loop_destroy(loop);
	close(c.fd);
}

static void test_add_rejects_bad_fd(void **state)
{
	struct event_loop *loop = event_loop_create("test-io");
	assert_non_null(loop);
	struct counter c = { 0 };
	assert_int_equal(event_loop_add(loop, -1, EPOLLIN, count_cb, &c),
			 -EINVAL);
	assert_int_equal(event_loop_add(loop, 1000000, EPOLLIN, count_cb, &c),
			 -EBADF);
	event_loop_destroy(loop);
}

/* The fd never drains, so the callback runs back to back; remove from this
 * thread must wait out a running call and stop all later ones. */
static void test_remove_while_firing(void **state)
{
	struct event_loop *loop = event_loop_create("test-io");
	assert_non_null(loop);
	for (int round = 0; round < 20; round++) {
		struct counter *c = calloc(1, sizeof(*c));
		assert_non_null(c);
		c->fd = eventfd(1, EFD_NONBLOCK | EFD_CLOEXEC);
		c->work_us = round % 2 ? 200 : 0;
		assert_int_equal(
			event_loop_add(loop, c->fd, EPOLLIN, count_cb, c), 0);
		assert_true(wait_for_calls(c, 3));
		assert_int_equal(event_loop_remove(loop, c->fd), 0);
		atomic_store(&c->after_remove, true);
		assert_int_equal(atomic_load(&c->running), 0);
		int calls = atomic_load(&c->calls);
		sleep_ms(10);
		assert_int_equal(atomic_load(&c->calls), calls);
		assert_int_equal(atomic_load(&c->late_calls), 0);
		assert_int_equal(atomic_load(&c->bad_revents), 0);
		close(c->fd);
		free(c); /* a late callback would be a use after free */
	}
	event_loop_destroy(loop);
}

static void test_remove_from_callback(void **state)
{
	struct event_loop *loop = event_loop_create("test-io");
	assert_non_null(loop);
	struct counter c = { .remove_self = true, .remove_ret = 1 };
	c.loop = loop;
	c.fd = eventfd(1, EFD_NONBLOCK | EFD_CLOEXEC); /* stays readable */
	assert_int_equal(event_loop_add(loop, c.fd, EPOLLIN, count_cb, &c), 0);
	assert_true(wait_for_calls(&c, 1));
	sleep_ms(20);
	assert_int_equal(atomic_load(&c.calls), 1);
	assert_int_equal(atomic_load(&c.remove_ret), 0);
	assert_int_equal(event_loop_remove(loop, c.fd), -ENOENT);
	event_loop_destroy(loop);
	close(c.fd);
}

/* A callback removes a different fd that is ready in the same batch. */
struct pair {
	struct event_loop *loop;
	int fd_a, fd_b;
	atomic_int a_calls, b_calls, errors;
};

static void pair_a_cb(void *opaque, uint32_t revents)
{
	struct pair *p = opaque;
	atomic_fetch_add(&p->a_calls, 1);
	if (event_loop_remove(p->loop, p->fd_b) || event_loop_remove(p->loop, p->fd_a))
		atomic_fetch_add(&p->errors, 1);
}

static void pair_b_cb(void *opaque, uint32_t revents)
{
	struct pair *p = opaque;
	atomic_fetch_add(&p->b_calls, 1);
	if (event_loop_remove(p->loop, p->fd_a) || event_loop_remove(p->loop, p->fd_b))
		atomic_fetch_add(&p->errors, 1);
}

static void test_remove_other_from_callback(void **state)
{
	struct event_loop *loop = event_loop_create("test-io");
	assert_non_null(loop);
	struct pair p = { .loop = loop };
	p.fd_a = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	p.fd_b = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	/* Both registered before either is ready; neither is drained. */
	assert_int_equal(event_loop_add(loop, p.fd_a, EPOLLIN, pair_a_cb, &p), 0);
	assert_int_equal(event_loop_add(loop, p.fd_b, EPOLLIN, pair_b_cb, &p), 0);
	signal_fd(p.fd_a);
	signal_fd(p.fd_b);
	sleep_ms(30);
	assert_int_equal(atomic_load(&p.errors), 0);
	/* Exactly one of them ran; it removed the other before it could. */
	assert_int_equal(atomic_load(&p.a_calls) + atomic_load(&p.b_calls), 1);
	event_loop_destroy(loop);
	close(p.fd_a);
	close(p.fd_b);
}

static void test_destroy_with_registered(void **state)
{
	struct event_loop *loop = event_loop_create("test-io");
	assert_non_null(loop);
	struct counter busy = { 0 }, quiet = { .drain = true };
	busy.fd = eventfd(1, EFD_NONBLOCK | EFD_CLOEXEC); /* fires forever */
	quiet.fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	assert_int_equal(event_loop_add(loop, busy.fd, EPOLLIN, count_cb, &busy), 0);
	assert_int_equal(event_loop_add(loop, quiet.fd, EPOLLIN, count_cb, &quiet), 0);
	assert_true(wait_for_calls(&busy, 5));
	event_loop_destroy(loop);
	int calls = atomic_load(&busy.calls);
	assert_int_equal(atomic_load(&busy.running), 0);
	sleep_ms(10);
	assert_int_equal(atomic_load(&busy.calls), calls);
	close(busy.fd);
	close(quiet.fd);

	/* And a loop that never had anything registered. */
	loop = event_loop_create("test-idle");
	assert_non_null(loop);
	event_loop_destroy(loop);
	event_loop_destroy(NULL);
}

#define MANY 300

static void test_many_fds(void **state)
{
	struct event_loop *loop = event_loop_create("a-rather-long-thread-name");
	assert_non_null(loop);
	struct counter *c = calloc(MANY, sizeof(*c));
	assert_non_null(c);
	for (int i = 0; i < MANY; i++) {
		c[i].fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
		assert_true(c[i].fd >= 0);
		c[i].drain = true;
		assert_int_equal(
			event_loop_add(loop, c[i].fd, EPOLLIN, count_cb, &c[i]), 0);
	}
	for (int i = 0; i < MANY; i++)
		signal_fd(c[i].fd);
	for (int i = 0; i < MANY; i++)
		assert_true(wait_for_calls(&c[i], 1));
	/* Remove every other one, fire all again: only the rest run. */
	for (int i = 0; i < MANY; i += 2)
		assert_int_equal(event_loop_remove(loop, c[i].fd), 0);
	for (int i = 0; i < MANY; i++)
		signal_fd(c[i].fd);
	for (int i = 1; i < MANY; i += 2)
		assert_true(wait_for_calls(&c[i], 2));
	sleep_ms(20);
	for (int i = 0; i < MANY; i++)
		assert_int_equal(atomic_load(&c[i].calls), i % 2 ? 2 : 1);
	event_loop_destroy(loop);
	for (int i = 0; i < MANY; i++)
		close(c[i].fd);
	free(c);
}

/* Several threads add and remove their own fds while they fire. */
struct churn {
	struct event_loop *loop;
	int errors;
};

static void *churn_thread(void *arg)
{
	struct churn *ch = arg;
	for (int i = 0; i < 200; i++) {
		struct counter *c = calloc(1, sizeof(*c));
		c->fd = eventfd(1, EFD_NONBLOCK | EFD_CLOEXEC);
		if (event_loop_add(ch->loop, c->fd, EPOLLIN, count_cb, c))
			ch->errors++;
		if (i % 3 == 0)
			sleep_ms(1);
		if (event_loop_remove(ch->loop, c->fd))
			ch->errors++;
		atomic_store(&c->after_remove, true);
		if (atomic_load(&c->running) || atomic_load(&c->late_calls))
			ch->errors++;
		close(c->fd);
		free(c);
	}
	return NULL;
}

static void test_concurrent_churn(void **state)
{
	struct event_loop *loop = event_loop_create("test-churn");
	assert_non_null(loop);
	pthread_t t[4];
	struct churn ch[4];
	for (int i = 0; i < 4; i++) {
		ch[i] = (struct churn){ .loop = loop };
		assert_int_equal(pthread_create(&t[i], NULL, churn_thread, &ch[i]), 0);
	}
	for (int i = 0; i < 4; i++) {
		pthread_join(t[i], NULL);
		assert_int_equal(ch[i].errors, 0);
	}
	event_loop_destroy(loop);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_callback_fires),
		cmocka_unit_test(test_add_rejects_bad_fd),
		cmocka_unit_test(test_remove_while_firing),
		cmocka_unit_test(test_remove_from_callback),
		cmocka_unit_test(test_remove_other_from_callback),
		cmocka_unit_test(test_destroy_with_registered),
		cmocka_unit_test(test_many_fds),
		cmocka_unit_test(test_concurrent_churn),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
