/* MC146818 CMOS real-time clock at ports 0x70/0x71, IRQ 8.
 *
 * Reports the host's current UTC date and time (BCD or binary, 12 or 24
 * hour, as register B selects), keeps the 128 bytes of CMOS RAM (with the
 * memory-size bytes a PC BIOS would set), honours the update-in-progress
 * bit and lets the guest set the clock: the offset it sets is kept relative
 * to the host clock. The NMI-mask bit of port 0x70 is accepted and ignored.
 * Update-ended and alarm interrupts are raised on IRQ 8 when enabled in
 * register B, by a once-a-second timer thread (cmos_rtc_start_timer) and
 * on every register access; the periodic interrupt is not generated.
 */
#ifndef KILN_DEVICES_CMOS_RTC_H
#define KILN_DEVICES_CMOS_RTC_H

#include "bus/io_bus.h"
#include "bus/irq.h"

#include <stdint.h>
#include <time.h>

#define CMOS_RTC_BASE 0x70
#define CMOS_RTC_IO_LEN 2
#define CMOS_RTC_IRQ 8

#define CMOS_RTC_STATE_VERSION 1
struct cmos_rtc_state {
	uint32_t version;
	uint8_t index;      /* selected register (port 0x70, without NMI bit) */
	uint8_t pad[3];
	uint8_t ram[128];   /* registers 0x0a..0x7f; time bytes are computed */
	int64_t offset_sec; /* guest-set time minus host time */
};

struct cmos_rtc;

/* `now` returns the host's current time in seconds since the epoch; NULL
 * means time(). Tests pass a fixed clock. */
struct cmos_rtc *cmos_rtc_create(const struct irq_line *irq,
				 time_t (*now)(void));
void cmos_rtc_destroy(struct cmos_rtc *rtc);

/* Store the memory sizes a BIOS would (0x15-0x17, 0x30-0x31, 0x34-0x35,
 * 0x5b-0x5d) so guests that read CMOS for memory size agree with e820. */
void cmos_rtc_set_memory(struct cmos_rtc *rtc, uint64_t low_ram_bytes,
			 uint64_t high_ram_bytes);

extern const struct io_ops cmos_rtc_io_ops; /* IO_WIDTH_1 */

/* Start the thread that runs the update cycle once a second, so interrupts
 * come without the guest touching the ports. Returns 0 or -errno. The
 * thread is stopped by cmos_rtc_destroy(). */
int cmos_rtc_start_timer(struct cmos_rtc *rtc)
	__attribute__((warn_unused_result));

/* One update cycle now (what the timer thread does; tests call it). */
void cmos_rtc_tick(struct cmos_rtc *rtc);

void cmos_rtc_save(struct cmos_rtc *rtc, struct cmos_rtc_state *out);
int cmos_rtc_restore(struct cmos_rtc *rtc, const struct cmos_rtc_state *in)
	__attribute__((warn_unused_result));

#endif
