/* libFuzzer target: the live-migration receiver's RAM records against a
 * hostile sender. The input is a list of 21-byte record descriptions
 * (u64 gpa, u32 pages, u32 flags, u32 data length, u8 fill); each becomes a
 * well-framed "ram" record (the stream library is fuzzed on its own in
 * fuzz_migration_stream) and is handed to migrate_ram_receive on a guest
 * memory of two exactly-sized heap regions with a hole between them.
 *
 * Checks besides ASan/UBSan: a refused record changes no byte of RAM and
 * says why; an accepted one lay wholly inside one region and left exactly
 * its pages holding its data (or zeros): RAM always equals a shadow copy
 * that applies only what was accepted. */
#include "core/guest_mem.h"
#include "migration/migrate_ram.h"

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(x)                                                               \
	do {                                                                   \
		if (!(x))                                                      \
			__builtin_trap();                                      \
	} while (0)

#define PG GUEST_PAGE_SIZE
#define R0_GPA 0ull
#define R0_SIZE (16 * PG)
#define R1_GPA (64 * PG)
#define R1_SIZE (8 * PG)
#define DESC 21
#define MAX_DATA (2 * MIGRATE_RAM_MAX_PAGES * PG)
#define MAX_RECORDS 16

static uint64_t get(const uint8_t *p, int n)
{
	uint64_t v = 0;
	for (int i = n - 1; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

/* Apply an accepted record to the shadow copy. */
static void shadow_apply(uint8_t *s0, uint8_t *s1, uint64_t gpa, uint64_t len,
			 bool zero, uint8_t fill)
{
	uint8_t *base = gpa >= R1_GPA ? s1 + (gpa - R1_GPA) : s0 + (gpa - R0_GPA);
	memset(base, zero ? 0 : fill, len);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *r0 = malloc(R0_SIZE), *r1 = malloc(R1_SIZE);
	uint8_t *s0 = malloc(R0_SIZE), *s1 = malloc(R1_SIZE);
	uint8_t *payload = malloc(MIGRATE_RAM_HEADER + MAX_DATA);
	CHECK(r0 && r1 && s0 && s1 && payload);
	memset(r0, 0x11, R0_SIZE);
	memset(r1, 0x22, R1_SIZE);
	memcpy(s0, r0, R0_SIZE);
	memcpy(s1, r1, R1_SIZE);
	struct guest_mem mem;
	memset(&mem, 0, sizeof(mem));
	CHECK(guest_mem_init_fake(&mem, r0, R0_GPA, R0_SIZE) == 0);
	CHECK(guest_mem_init_fake(&mem, r1, R1_GPA, R1_SIZE) == 0);

	int fd = memfd_create("fuzz", MFD_CLOEXEC);
	CHECK(fd >= 0);
	struct mig_writer *w;
	CHECK(mig_writer_open(&w, fd) == 0);
	size_t n = size / DESC > MAX_RECORDS ? MAX_RECORDS : size / DESC;
	for (size_t i = 0; i < n; i++) {
		const uint8_t *d = data + i * DESC;
		uint64_t data_len = get(d + 16, 4) % (MAX_DATA + 1);
		struct mig_buf b = mig_buf_make(payload, MIGRATE_RAM_HEADER);
		mig_put_bytes(&b, d, 16); /* gpa, pages, flags as given */
		memset(payload + MIGRATE_RAM_HEADER, d[20], data_len);
		CHECK(mig_write_record(w, MIGRATE_RAM_RECORD, MIGRATE_RAM_VERSION, 0,
				       payload, MIGRATE_RAM_HEADER + data_len) == 0);
	}
	CHECK(mig_writer_finish(w) == 0);
	mig_writer_close(w);
	CHECK(lseek(fd, 0, SEEK_SET) == 0);

	struct mig_reader *r;
	CHECK(mig_reader_open(&r, fd) == 0);
	for (size_t i = 0;; i++) {
		struct mig_record_info info;
		bool end;
		CHECK(mig_next_record(r, &info, &end) == 0);
		if (end)
			break;
		const uint8_t *d = data + i * DESC;
		uint64_t gpa = get(d, 8), pages = get(d + 8, 4);
		bool zero = get(d + 12, 4) == MIGRATE_RAM_ZERO;
		char err[256] = "";
		int e = migrate_ram_receive(&mem, r, &info, err, sizeof(err));
		if (e) {
			/* The receiver abandons a stream after a refusal. */
			CHECK(e == -EPROTO && err[0]);
			CHECK(memcmp(r0, s0, R0_SIZE) == 0);
			CHECK(memcmp(r1, s1, R1_SIZE) == 0);
			break;
		}
		uint64_t len = pages * PG;
		CHECK(pages >= 1 && pages <= MIGRATE_RAM_MAX_PAGES);
		CHECK((gpa >= R0_GPA && gpa + len <= R0_GPA + R0_SIZE) ||
		      (gpa >= R1_GPA && gpa + len <= R1_GPA + R1_SIZE));
		shadow_apply(s0, s1, gpa, len, zero, d[20]);
		CHECK(memcmp(r0, s0, R0_SIZE) == 0);
		CHECK(memcmp(r1, s1, R1_SIZE) == 0);
	}
	mig_reader_close(r);
	close(fd);
	free(r0);
	free(r1);
	free(s0);
	free(s1);
	free(payload);
	return 0;
}
