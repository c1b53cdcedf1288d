/* Console input: the escape key and what reaches the guest. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "console/console.h"

#include <poll.h>
#include <pthread.h>
#include <sys/eventfd.h>
#include <unistd.h>

static bool feed(struct console *c, const char *s, size_t len)
{
	return console_input(c, (const uint8_t *)s, len);
}

struct run_arg {
	struct console *c;
	int event_fd;
	bool quit;
};

static void *run_thread(void *p)
{
	struct run_arg *a = p;
	a->quit = console_run(a->c, a->event_fd);
	return NULL;
}

/* --console tty: keystrokes go into the virtio-console's pipe, with the
 * escape key handled as for COM1, and Ctrl-A x still quits. */
static void test_hvc_input(void **state)
{
	struct console c;
	char err[128];
	assert_int_equal(console_open(&c, SERIAL_OFF, NULL, err, sizeof(err)), 0);
	int rd = -1;
	assert_int_equal(console_open_hvc_input(&c, &rd, err, sizeof(err)), 0);
	assert_true(rd >= 0);
	int in[2];
	assert_int_equal(pipe(in), 0);
	c.in_fd = in[0]; /* the test types instead of stdin */
	int ev = eventfd(0, EFD_NONBLOCK);
	assert_true(ev >= 0);
	struct run_arg a = { .c = &c, .event_fd = ev };
	pthread_t t;
	assert_int_equal(pthread_create(&t, NULL, run_thread, &a), 0);
	assert_int_equal(write(in[1], "ab\001\001c\001z", 7), 7);
	char got[8] = "";
	size_t n = 0;
	for (int i = 0; i < 500 && n < 4; i++) {
		struct pollfd p = { .fd = rd, .events = POLLIN };
		poll(&p, 1, 10);
		ssize_t r = read(rd, got + n, sizeof(got) - 1 - n);
		if (r > 0)
			n += (size_t)r;
	}
	assert_int_equal(n, 4);
	assert_memory_equal(got, "ab\001c", 4);
	assert_int_equal(write(in[1], "\001x", 2), 2);
	pthread_join(t, NULL);
	assert_true(a.quit);
	close(in[0]);
	close(in[1]);
	close(ev);
	close(rd);
	console_close(&c);
}

static void test_plain_bytes_queue(void **state)
{
	struct console c;
	memset(&c, 0, sizeof(c));
	assert_false(feed(&c, "ls\r", 3));
	assert_int_equal(c.pending_len, 3);
	assert_memory_equal(c.pending, "ls\r", 3);
}

static void test_escape_quit(void **state)
{
	struct console c;
	memset(&c, 0, sizeof(c));
	assert_true(feed(&c, "a\001x", 3));
	assert_int_equal(c.pending_len, 1);
	/* The escape may arrive split over two reads. */
	memset(&c, 0, sizeof(c));
	assert_false(feed(&c, "\001", 1));
	assert_true(feed(&c, "x", 1));
}

static void test_escape_literal_and_unknown(void **state)
{
	struct console c;
	memset(&c, 0, sizeof(c));
	/* Ctrl-A Ctrl-A sends one Ctrl-A; Ctrl-A followed by another key drops both. */
	assert_false(feed(&c, "\001\001b\001qc", 6));
	assert_int_equal(c.pending_len, 3);
	assert_memory_equal(c.pending, "\001bc", 3);
	/* A lone 'x' is just a letter. */
	memset(&c, 0, sizeof(c));
	assert_false(feed(&c, "xx", 2));
	assert_int_equal(c.pending_len, 2);
}

static void test_queue_is_bounded(void **state)
{
	struct console c;
	memset(&c, 0, sizeof(c));
	char big[2048];
	memset(big, 'y', sizeof(big));
	assert_false(feed(&c, big, sizeof(big)));
	assert_int_equal(c.pending_len, sizeof(c.pending));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plain_bytes_queue),
		cmocka_unit_test(test_hvc_input),
		cmocka_unit_test(test_escape_quit),
		cmocka_unit_test(test_escape_literal_and_unknown),
		cmocka_unit_test(test_queue_is_bounded),
	};
	return cmocka_run_group_tests_name("console", tests, NULL, NULL);
}
