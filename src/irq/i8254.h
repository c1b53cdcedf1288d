/* An Intel 8254 programmable interval timer (ports 0x40-0x43) with the
 * PC's port 0x61 bits that belong to it: channel 2's gate (bit 0) and
 * output (bit 5), the speaker enable (bit 1, stored) and the refresh
 * toggle (bit 4). Linux calibrates the TSC against channel 2 through
 * port 0x61; channel 0's output is IRQ0, wired to the IOAPIC's pin 2 as
 * the MADT's interrupt override says.
 *
 * Modes 0 to 5 with binary counting (the BCD bit is kept and read back
 * but counting stays binary), counter latch and read-back commands,
 * LSB/MSB/word access. Time comes from an irq_clock at 1.193182 MHz.
 * Channel 0's edges happen when someone calls i8254_poll (at
 * i8254_next_deadline at the latest).
 *
 * Thread safety: its own lock; irq0 is called without it.
 */
#ifndef KILN_IRQ_I8254_H
#define KILN_IRQ_I8254_H

#include "bus/irq.h"
#include "irq/irq_clock.h"

#include <stdbool.h>
#include <stdint.h>

#define I8254_BASE 0x40
#define I8254_PORTS 4
#define I8254_PORT_B 0x61
#define I8254_HZ 1193182ull

struct i8254;

struct i8254 *i8254_create(const struct irq_clock *clock,
			   const struct irq_line *irq0);
void i8254_destroy(struct i8254 *p);

/* Port I/O, 8 bits: `port` is 0x40..0x43 or 0x61. */
uint8_t i8254_read(struct i8254 *p, uint16_t port);
void i8254_write(struct i8254 *p, uint16_t port, uint8_t val);

/* Raise IRQ0 for channel 0's output edges since the last poll (one edge
 * for any number of missed periods). */
void i8254_poll(struct i8254 *p);
/* When channel 0's output rises next (irq_clock ns), or IRQ_NO_DEADLINE. */
uint64_t i8254_next_deadline(struct i8254 *p);

#endif
