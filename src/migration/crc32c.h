/* CRC-32C (Castagnoli, reflected polynomial 0x82F63B78), the checksum of
 * iSCSI, ext4 and btrfs. crc32c("123456789") == 0xE3069283. Uses the SSE4.2
 * crc32 instruction when the CPU has it, tables otherwise (slicing-by-8);
 * both give the same result. */
#ifndef KILN_MIGRATION_CRC32C_H
#define KILN_MIGRATION_CRC32C_H

#include <stddef.h>
#include <stdint.h>

/* Extend `crc` (0 for a fresh checksum, or the value a previous call
 * returned) over [data, data + len). crc32c_extend(crc32c_extend(0, a), b)
 * equals the checksum of a followed by b. */
uint32_t crc32c_extend(uint32_t crc, const void *data, size_t len);

static inline uint32_t crc32c(const void *data, size_t len)
{
	return crc32c_extend(0, data, len);
}

/* The table version on its own, so tests can compare the two paths. */
uint32_t crc32c_extend_table(uint32_t crc, const void *data, size_t len);

#endif
