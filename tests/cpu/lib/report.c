/* Output for CPU test bodies: a tiny printf, the KILN_CPU line format,
 * CRC-32 and a PRNG. Freestanding (no libc), shared by the guest and the
 * native harness so both format every number the same way.
 */
#include "cpu_test.h"

#include <stdarg.h>

static bool failed, quick;
static const char *verbose_prefix;

bool ct_quick(void)
{
	return quick;
}

void ct_set_quick(bool on)
{
	quick = on;
}

size_t ct_strlen(const char *s)
{
	size_t n = 0;
	while (s[n])
		n++;
	return n;
}

int ct_strncmp(const char *a, const char *b, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (a[i] != b[i])
			return (unsigned char)a[i] - (unsigned char)b[i];
		if (!a[i])
			return 0;
	}
	return 0;
}

void *ct_memset(void *d, int c, size_t n)
{
	volatile unsigned char *p = d;
	while (n--)
		*p++ = (unsigned char)c;
	return d;
}

void *ct_memcpy(void *d, const void *s, size_t n)
{
	volatile unsigned char *p = d;
	const unsigned char *q = s;
	while (n--)
		*p++ = *q++;
	return d;
}

/* ---- formatting ---- */

struct buf {
	char b[256];
	size_t n;
};

static void put(struct buf *o, char c)
{
	if (o->n == sizeof(o->b)) {
		ct_write(o->b, o->n);
		o->n = 0;
	}
	o->b[o->n++] = c;
}

static void put_num(struct buf *o, uint64_t v, unsigned int base, bool neg,
		    int width, bool zero)
{
	char tmp[24];
	int n = 0;
	do {
		tmp[n++] = "0123456789abcdef"[v % base];
		v /= base;
	} while (v);
	if (neg)
		tmp[n++] = '-';
	while (width-- > n)
		put(o, zero ? '0' : ' ');
	while (n)
		put(o, tmp[--n]);
}

static void vformat(struct buf *o, const char *fmt, va_list ap)
{
	for (; *fmt; fmt++) {
		if (*fmt != '%') {
			put(o, *fmt);
			continue;
		}
		fmt++;
		bool zero = false;
		int width = 0, longs = 0;
		if (*fmt == '0') {
			zero = true;
			fmt++;
		}
		while (*fmt >= '0' && *fmt <= '9')
			width = width * 10 + (*fmt++ - '0');
		while (*fmt == 'l') {
			longs++;
			fmt++;
		}
		switch (*fmt) {
		case 's': {
			const char *s = va_arg(ap, const char *);
			int len = (int)ct_strlen(s);
			while (width-- > len)
				put(o, ' ');
			while (*s)
				put(o, *s++);
			break;
		}
		case 'c':
			put(o, (char)va_arg(ap, int));
			break;
		case 'd': {
			int64_t v = longs ? va_arg(ap, int64_t) : va_arg(ap, int);
			put_num(o, v < 0 ? -(uint64_t)v : (uint64_t)v, 10, v < 0,
				width, zero);
			break;
		}
		case 'u':
		case 'x': {
			uint64_t v = longs ? va_arg(ap, uint64_t) : va_arg(ap, unsigned int);
			put_num(o, v, *fmt == 'x' ? 16 : 10, false, width, zero);
			break;
		}
		case '%':
			put(o, '%');
			break;
		default:
			put(o, '?');
			break;
		}
	}
}

void ct_printf(const char *fmt, ...)
{
	struct buf o = { .n = 0 };
	va_list ap;
	va_start(ap, fmt);
	vformat(&o, fmt, ap);
	va_end(ap);
	ct_write(o.b, o.n);
}

void ct_out(const char *key, uint64_t v)
{
	ct_printf("KILN_CPU %s %s=%lx\n", ct_name, key, v);
}

void ct_out2(const char *key, const char *sub, uint64_t v)
{
	ct_printf("KILN_CPU %s %s.%s=%lx\n", ct_name, key, sub, v);
}

void ct_fail(const char *fmt, ...)
{
	struct buf o = { .n = 0 };
	const char *p = "KILN_CPU_FAIL ";
	while (*p)
		put(&o, *p++);
	for (p = ct_name; *p; p++)
		put(&o, *p);
	put(&o, ' ');
	va_list ap;
	va_start(ap, fmt);
	vformat(&o, fmt, ap);
	va_end(ap);
	put(&o, '\n');
	ct_write(o.b, o.n);
	failed = true;
}

bool ct_check(bool ok, const char *what, uint64_t got, uint64_t want)
{
	if (!ok)
		ct_fail("%s: got 0x%lx, want 0x%lx", what, got, want);
	return ok;
}

bool ct_failed(void)
{
	return failed;
}

void ct_finish(void)
{
	ct_printf("KILN_CPU_END %s %s\n", ct_name, failed ? "fail" : "ok");
}

void ct_set_verbose(const char *prefix)
{
	verbose_prefix = prefix && *prefix ? prefix : 0;
}

bool ct_verbose(const char *key)
{
	if (!verbose_prefix)
		return false;
	size_t n = ct_strlen(verbose_prefix);
	return ct_strncmp(key, verbose_prefix, n) == 0 ||
	       (verbose_prefix[0] == '*' && verbose_prefix[1] == 0);
}

/* ---- hashing and operands ---- */

uint32_t ct_crc32(uint32_t crc, const void *p, size_t n)
{
	static uint32_t table[256];
	const unsigned char *b = p;

	if (!table[1]) {
		for (uint32_t i = 0; i < 256; i++) {
			uint32_t c = i;
			for (int k = 0; k < 8; k++)
				c = c & 1 ? 0xedb88320u ^ (c >> 1) : c >> 1;
			table[i] = c;
		}
	}
	crc = ~crc;
	while (n--)
		crc = table[(crc ^ *b++) & 0xff] ^ (crc >> 8);
	return ~crc;
}

uint64_t ct_rand(uint64_t *s)
{
	uint64_t x = *s;
	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*s = x;
	return x * 0x2545f4914f6cdd1dull;
}
