/* libFuzzer target: a kernel image is a file the user hands Kiln, often
 * one fetched from elsewhere. Probing it and loading it into a small guest
 * must never read or write outside the buffers, whatever the bytes. */
#include "arch/x86/boot.h"
#include "core/guest_mem.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define FUZZ_RAM (64u << 20)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t *ram;
	struct kernel_info info;
	char err[256];

	if (kernel_probe(data, size, &info, err, sizeof(err)))
		return 0;
	if (!ram) {
		ram = calloc(1, FUZZ_RAM);
		if (!ram)
			abort();
	}
	struct guest_mem mem;
	memset(&mem, 0, sizeof(mem));
	if (guest_mem_init_fake(&mem, ram, 0, FUZZ_RAM))
		abort();
	static const uint8_t initrd[4096];
	struct boot_request req = {
		.kernel = data, .kernel_len = size, .info = &info,
		.initrd = initrd, .initrd_len = sizeof(initrd),
		.cmdline = "console=ttyS0", .rsdp_addr = 0xe0000,
	};
	struct x86_boot_cpu cpu;
	(void)x86_boot_load(&mem, &req, &cpu, err, sizeof(err));
	guest_mem_destroy(&mem);
	return 0;
}
