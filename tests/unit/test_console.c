/* Console input: the escape key and what reaches the guest. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "console/console.h"

static bool feed(struct console *c, const char *s, size_t len)
{
	return console_input(c, (const uint8_t *)s, len);
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
		cmocka_unit_test(test_escape_quit),
		cmocka_unit_test(test_escape_literal_and_unknown),
		cmocka_unit_test(test_queue_is_bounded),
	};
	return cmocka_run_group_tests_name("console", tests, NULL, NULL);
}
