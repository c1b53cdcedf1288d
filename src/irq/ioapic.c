/* The I/O APIC model (82093AA datasheet; version 0x20 adds the EOI
 * register at 0x40, which Linux uses for level-triggered pins).
 */
#include "irq/ioapic.h"

#include <pthread.h>
#include <stdlib.h>

#define REG_ID      0x00
#define REG_VERSION 0x01
#define REG_ARB     0x02
#define REG_REDTBL  0x10

#define RTE_MASKED     (1ull << 16)
#define RTE_LEVEL      (1ull << 15)
#define RTE_REMOTE_IRR (1ull << 14)
#define RTE_POLARITY   (1ull << 13)
#define RTE_DELIVS     (1ull << 12)
/* Bits software may write: vector, delivery mode, destination mode,
 * polarity, trigger, mask, destination. */
#define RTE_WRITABLE   (0xffull | (7ull << 8) | (1ull << 11) | RTE_POLARITY | \
			RTE_LEVEL | RTE_MASKED | (0xffull << 56))

struct ioapic {
	pthread_mutex_t lock;
	void (*deliver)(void *opaque, const struct apic_msg *m);
	void *opaque;
	uint8_t id;
	uint32_t ioregsel;
	uint64_t rte[IOAPIC_PINS];
	int level[IOAPIC_PINS]; /* the input as driven (active high) */
};

struct ioapic *ioapic_create(uint8_t id,
			     void (*deliver)(void *opaque, const struct apic_msg *m),
			     void *opaque)
{
	struct ioapic *io = calloc(1, sizeof(*io));
	if (!io)
		return NULL;
	pthread_mutex_init(&io->lock, NULL);
	io->deliver = deliver;
	io->opaque = opaque;
	io->id = id;
	for (int i = 0; i < IOAPIC_PINS; i++)
		io->rte[i] = RTE_MASKED;
	return io;
}

void ioapic_destroy(struct ioapic *io)
{
	if (!io)
		return;
	pthread_mutex_destroy(&io->lock);
	free(io);
}

/* The pin's input as the entry sees it: polarity inverts. */
static bool asserted(const struct ioapic *io, unsigned int pin)
{
	bool low = io->rte[pin] & RTE_POLARITY;
	return low ? !io->level[pin] : io->level[pin];
}

/* Send the pin's message. Under the lock. */
static void fire(struct ioapic *io, unsigned int pin)
{
	uint64_t e = io->rte[pin];
	if (e & RTE_MASKED)
		return;
	if (e & RTE_LEVEL) {
		if (e & RTE_REMOTE_IRR)
			return; /* still in service */
		io->rte[pin] |= RTE_REMOTE_IRR;
	}
	struct apic_msg m = {
		.vector = e & 0xff,
		.delivery = (e >> 8) & 7,
		.logical = (e >> 11) & 1,
		.level_trig = (e & RTE_LEVEL) != 0,
		.assert = true,
		.shorthand = APIC_DEST_NONE,
		.dest = e >> 56,
	};
	io->deliver(io->opaque, &m);
}

void ioapic_set_irq(struct ioapic *io, uint32_t pin, int level)
{
	if (pin >= IOAPIC_PINS)
		return;
	pthread_mutex_lock(&io->lock);
	bool was = asserted(io, pin);
	io->level[pin] = level != 0;
	bool now = asserted(io, pin);
	if (now && (!was || (io->rte[pin] & RTE_LEVEL)))
		fire(io, pin);
	pthread_mutex_unlock(&io->lock);
}

void ioapic_eoi(struct ioapic *io, uint8_t vector)
{
	pthread_mutex_lock(&io->lock);
	for (unsigned int pin = 0; pin < IOAPIC_PINS; pin++) {
		uint64_t e = io->rte[pin];
		if ((e & 0xff) != vector || !(e & RTE_LEVEL) ||
		    !(e & RTE_REMOTE_IRR))
			continue;
		io->rte[pin] &= ~RTE_REMOTE_IRR;
		if (asserted(io, pin))
			fire(io, pin);
	}
	pthread_mutex_unlock(&io->lock);
}

static uint32_t read_reg(struct ioapic *io, uint32_t reg)
{
	switch (reg) {
	case REG_ID: return (uint32_t)(io->id & 0xf) << 24;
	case REG_VERSION: return ((IOAPIC_PINS - 1u) << 16) | 0x20;
	case REG_ARB: return (uint32_t)(io->id & 0xf) << 24;
	}
	if (reg >= REG_REDTBL && reg < REG_REDTBL + 2 * IOAPIC_PINS) {
		uint64_t e = io->rte[(reg - REG_REDTBL) / 2];
		return reg & 1 ? (uint32_t)(e >> 32) : (uint32_t)e;
	}
	return 0xffffffffu;
}

static void write_reg(struct ioapic *io, uint32_t reg, uint32_t v)
{
	if (reg == REG_ID) {
		io->id = (v >> 24) & 0xf;
		return;
	}
	if (reg < REG_REDTBL || reg >= REG_REDTBL + 2 * IOAPIC_PINS)
		return; /* version, arbitration, beyond the table: read-only */
	unsigned int pin = (reg - REG_REDTBL) / 2;
	uint64_t e = io->rte[pin];
	uint64_t nv = reg & 1 ? (e & 0xffffffffull) | ((uint64_t)v << 32)
			      : (e & ~0xffffffffull) | v;
	nv = (e & ~RTE_WRITABLE) | (nv & RTE_WRITABLE);
	if (!(nv & RTE_LEVEL))
		nv &= ~RTE_REMOTE_IRR;
	io->rte[pin] = nv;
	/* Unmasking a level-triggered pin that is asserted delivers it. */
	if ((e & RTE_MASKED) && !(nv & RTE_MASKED) && (nv & RTE_LEVEL) &&
	    asserted(io, pin))
		fire(io, pin);
}

uint64_t ioapic_mmio_read(struct ioapic *io, uint64_t offset, unsigned len)
{
	uint32_t v = 0;
	if (len != 4)
		return 0;
	pthread_mutex_lock(&io->lock);
	if (offset == 0x00)
		v = io->ioregsel;
	else if (offset == 0x10)
		v = read_reg(io, io->ioregsel);
	pthread_mutex_unlock(&io->lock);
	return v;
}

void ioapic_mmio_write(struct ioapic *io, uint64_t offset, unsigned len,
		       uint64_t val)
{
	if (len != 4)
		return;
	if (offset == 0x40) {
		ioapic_eoi(io, (uint8_t)val);
		return;
	}
	pthread_mutex_lock(&io->lock);
	if (offset == 0x00)
		io->ioregsel = (uint32_t)val & 0xff;
	else if (offset == 0x10)
		write_reg(io, io->ioregsel, (uint32_t)val);
	pthread_mutex_unlock(&io->lock);
}
