/* libFuzzer target: the software CPU's decoder sees whatever bytes a guest
 * puts in memory. It must never read past its input or crash, and what it
 * accepts must have a sane length. The first byte picks the mode. */
#include "accel/soft/decode.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const unsigned modes[3] = { 16, 32, 64 };
	struct x86_insn in;

	if (size < 1)
		return 0;
	unsigned mode = modes[data[0] % 3];
	/* An exact-size copy, so that an overread is caught. */
	size_t n = size - 1;
	uint8_t *b = malloc(n ? n : 1);
	if (!b)
		abort();
	memcpy(b, data + 1, n);
	enum x86_decode_result r = x86_decode(b, n, mode, &in);
	if (r == X86_DECODE_OK && (in.len < 1 || in.len > 15 || in.len > n))
		abort();
	if (r == X86_DECODE_TRUNCATED && n >= 16)
		abort();
	free(b);
	return 0;
}
