/* Byte-level helpers shared by the stream reader and writer (internal). */
#ifndef KILN_MIGRATION_STREAM_WIRE_H
#define KILN_MIGRATION_STREAM_WIRE_H

#include "migration/stream.h"

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

static inline void wire_put32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static inline void wire_put64(uint8_t *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static inline uint32_t wire_get32(const uint8_t *p)
{
	uint32_t v = 0;
	for (int i = 0; i < 4; i++)
		v |= (uint32_t)p[i] << (8 * i);
	return v;
}

static inline uint64_t wire_get64(const uint8_t *p)
{
	uint64_t v = 0;
	for (int i = 0; i < 8; i++)
		v |= (uint64_t)p[i] << (8 * i);
	return v;
}

static inline bool wire_printable(uint8_t c)
{
	return c >= 0x20 && c <= 0x7e;
}

/* A section name as it appears on the wire: 1..23 printable characters,
 * then only NULs up to MIG_NAME_SIZE. One spelling per name, so a name
 * compares equal as a C string exactly when its bytes are equal. */
static inline bool wire_name_valid(const uint8_t name[MIG_NAME_SIZE])
{
	size_t n = 0;

	while (n < MIG_NAME_SIZE && name[n])
		if (!wire_printable(name[n++]))
			return false;
	if (n == 0 || n == MIG_NAME_SIZE)
		return false;
	for (size_t i = n; i < MIG_NAME_SIZE; i++)
		if (name[i])
			return false;
	return true;
}

/* Record header field offsets. */
enum {
	REC_OFF_MAGIC = 0,
	REC_OFF_NAME = 4,
	REC_OFF_VERSION = 28,
	REC_OFF_INSTANCE = 32,
	REC_OFF_LEN = 36,
	REC_OFF_CRC = 44,
};

/* File header field offsets. */
enum {
	FILE_OFF_MAGIC = 0,
	FILE_OFF_VERSION = 8,
	FILE_OFF_FLAGS = 12,
	FILE_OFF_RESERVED = 16,
	FILE_OFF_CRC = 24,
};

#endif
