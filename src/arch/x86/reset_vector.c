#include "arch/x86/reset_vector.h"

#include "devices/power.h"

int x86_write_reset_vector(struct guest_mem *mem)
{
	/* 16-bit real-mode code. */
	const uint8_t code[] = {
		0xfa,                          /* cli */
		0xb0, ACPI_RESET_VALUE,        /* mov al, reset value */
		0xba, ACPI_SLEEP_PORT & 0xff,  /* mov dx, reset register */
		      ACPI_SLEEP_PORT >> 8,
		0xee,                          /* out dx, al */
		0xf4,                          /* 1: hlt */
		0xeb, 0xfd,                    /* jmp 1b */
	};
	_Static_assert(sizeof(code) <= 16, "the reset vector has 16 bytes");
	return guest_mem_write(mem, X86_RESET_VECTOR, code, sizeof(code));
}
