/* The 8254 model (Intel 82C54 datasheet). A channel's state is a function
 * of time: after a count is loaded (or the gate triggers) it counts
 * `ticks` since `start`, so reads compute the counter and OUT instead of
 * stepping anything.
 */
#include "irq/i8254.h"

#include <pthread.h>
#include <stdlib.h>

#define NS_PER_S 1000000000ull

enum { RW_LATCH, RW_LSB, RW_MSB, RW_WORD };

struct channel {
	uint8_t mode, rw, bcd;
	uint32_t reload;       /* 1..65536 (0 written means 65536) */
	bool loaded;           /* a count was written */
	bool counting;
	uint64_t start;        /* ns when counting (re)started */
	uint64_t frozen;       /* ticks counted before a gate pause */
	bool gate;
	/* Access state: the LSB of a word written, the MSB next to read. */
	bool write_msb_next, read_msb_next;
	uint8_t write_lsb;
	bool latched;
	uint16_t latch;
	bool latch_msb_next;
	bool status_latched;
	uint8_t status;
	bool null_count;
};

struct i8254 {
	pthread_mutex_t lock;
	const struct irq_clock *clock;
	struct irq_line irq0;
	struct channel ch[3];
	uint8_t port_b;        /* bits 0 (gate 2) and 1 (speaker) */
	uint64_t irq0_next;    /* the next rising edge of OUT0, ns */
};

static uint64_t ns_to_ticks(uint64_t ns)
{
	return (uint64_t)((unsigned __int128)ns * I8254_HZ / NS_PER_S);
}

static uint64_t ticks_to_ns(uint64_t t)
{
	/* Round up so that at the returned time the tick has happened. */
	return (uint64_t)(((unsigned __int128)t * NS_PER_S + I8254_HZ - 1) / I8254_HZ);
}

static uint64_t elapsed(const struct channel *c, uint64_t now)
{
	uint64_t t = c->frozen;
	if (c->counting && now > c->start)
		t += ns_to_ticks(now - c->start);
	return t;
}

/* Modes 2 and 3 repeat; 6 and 7 are 2 and 3. */
static unsigned int mode_of(const struct channel *c)
{
	return c->mode >= 6 ? c->mode - 4 : c->mode;
}

/* The counting element and OUT at `now`. */
static void state(const struct channel *c, uint64_t now, uint16_t *count,
		  bool *out)
{
	uint64_t n = c->reload, t = elapsed(c, now);
	unsigned int m = mode_of(c);

	if (!c->loaded) {
		*count = 0;
		*out = m != 0;
		return;
	}
	switch (m) {
	case 0: /* interrupt on terminal count: OUT low until it */
	case 4: /* software strobe: OUT low for one tick at terminal count */
		*count = (uint16_t)(n - t);
		*out = m == 0 ? t >= n : t != n;
		return;
	case 1: /* hardware one-shot: OUT low from the trigger to terminal count */
	case 5:
		if (!c->counting && !c->frozen) {
			*count = (uint16_t)n;
			*out = true;
			return;
		}
		*count = (uint16_t)(n - t);
		*out = m == 1 ? t >= n : t != n;
		return;
	case 2: { /* rate generator: OUT low for the last tick of a period */
		uint64_t r = t % n;
		*count = (uint16_t)(n - r);
		*out = !c->counting || n - r != 1;
		return;
	}
	default: { /* 3, square wave: high for the first half (rounded up) */
		uint64_t r = t % n;
		uint64_t half = (n + 1) / 2;
		/* The element counts down by 2 through each half. */
		uint64_t in_half = r < half ? r : r - half;
		*count = (uint16_t)(n - 2 * in_half);
		*out = !c->counting || r < half;
		return;
	}
	}
}

/* Start counting from `now` if the gate allows it. */
static void start(struct channel *c, uint64_t now)
{
	unsigned int m = mode_of(c);
	c->frozen = 0;
	c->start = now;
	/* Modes 1 and 5 wait for a gate trigger; others count while the
	 * gate is high (modes 0, 2, 3, 4). */
	c->counting = (m == 1 || m == 5) ? false : c->gate;
}

/* Channel 0's next rising edge of OUT from `now`. */
static uint64_t next_edge(const struct channel *c, uint64_t now)
{
	unsigned int m = mode_of(c);
	if (!c->loaded || !c->counting)
		return IRQ_NO_DEADLINE;
	uint64_t t = elapsed(c, now), n = c->reload, at;
	switch (m) {
	case 0:
		if (t >= n)
			return IRQ_NO_DEADLINE;
		at = n;
		break;
	case 2: /* rises at the reload after the low tick */
		at = (t / n + 1) * n;
		break;
	case 3:
		at = (t / n + 1) * n;
		break;
	default:
		return IRQ_NO_DEADLINE;
	}
	return c->start + ticks_to_ns(at - c->frozen);
}

static void rearm_irq0(struct i8254 *p, uint64_t now)
{
	p->irq0_next = next_edge(&p->ch[0], now);
}

struct i8254 *i8254_create(const struct irq_clock *clock,
			   const struct irq_line *irq0)
{
	struct i8254 *p = calloc(1, sizeof(*p));
	if (!p)
		return NULL;
	pthread_mutex_init(&p->lock, NULL);
	p->clock = clock;
	if (irq0)
		p->irq0 = *irq0;
	for (int i = 0; i < 3; i++) {
		p->ch[i].gate = i != 2; /* channel 2's gate is port 0x61 bit 0 */
		p->ch[i].rw = RW_WORD;
		p->ch[i].reload = 65536;
	}
	p->irq0_next = IRQ_NO_DEADLINE;
	return p;
}

void i8254_destroy(struct i8254 *p)
{
	if (!p)
		return;
	pthread_mutex_destroy(&p->lock);
	free(p);
}

static uint8_t status_of(const struct channel *c, uint64_t now)
{
	uint16_t count;
	bool out;
	state(c, now, &count, &out);
	return (uint8_t)((out ? 0x80 : 0) | (c->null_count ? 0x40 : 0) |
			 (c->rw << 4) | (c->mode << 1) | c->bcd);
}

static void latch_count(struct channel *c, uint64_t now)
{
	bool out;
	if (c->latched)
		return; /* the first latch holds until read */
	state(c, now, &c->latch, &out);
	c->latched = true;
	c->latch_msb_next = c->rw == RW_MSB;
}

static void control(struct i8254 *p, uint8_t v, uint64_t now)
{
	unsigned int sel = v >> 6;
	if (sel == 3) {
		/* Read-back: bit 5 clear latches counts, bit 4 clear status. */
		for (int i = 0; i < 3; i++) {
			if (!(v & (2u << i)))
				continue;
			if (!(v & 0x20))
				latch_count(&p->ch[i], now);
			if (!(v & 0x10) && !p->ch[i].status_latched) {
				p->ch[i].status = status_of(&p->ch[i], now);
				p->ch[i].status_latched = true;
			}
		}
		return;
	}
	struct channel *c = &p->ch[sel];
	unsigned int rw = (v >> 4) & 3;
	if (rw == RW_LATCH) {
		latch_count(c, now);
		return;
	}
	c->rw = (uint8_t)rw;
	c->mode = (v >> 1) & 7;
	c->bcd = v & 1;
	c->loaded = false;
	c->counting = false;
	c->frozen = 0;
	c->null_count = true;
	c->write_msb_next = c->read_msb_next = false;
	c->latched = c->status_latched = false;
	if (sel == 0)
		rearm_irq0(p, now);
}

static void write_count(struct i8254 *p, unsigned int i, uint8_t v,
			uint64_t now)
{
	struct channel *c = &p->ch[i];
	uint32_t n;
	switch (c->rw) {
	case RW_LSB: n = v; break;
	case RW_MSB: n = (uint32_t)v << 8; break;
	default:
		if (!c->write_msb_next) {
			c->write_lsb = v;
			c->write_msb_next = true;
			/* Mode 0 stops counting while half a count is in. */
			if (mode_of(c) == 0 && c->loaded) {
				c->frozen = elapsed(c, now);
				c->counting = false;
			}
			return;
		}
		c->write_msb_next = false;
		n = c->write_lsb | (uint32_t)v << 8;
		break;
	}
	c->reload = n ? n : 65536;
	c->null_count = false;
	bool was_loaded = c->loaded;
	c->loaded = true;
	/* Modes 2 and 3 take a new count at the end of the current period;
	 * taking it now differs by at most one period. */
	if (!was_loaded || mode_of(c) == 0 || mode_of(c) == 4 ||
	    mode_of(c) == 2 || mode_of(c) == 3)
		start(c, now);
	if (i == 0)
		rearm_irq0(p, now);
}

static uint8_t read_count(struct channel *c, uint64_t now)
{
	if (c->status_latched) {
		c->status_latched = false;
		return c->status;
	}
	uint16_t count;
	if (c->latched) {
		count = c->latch;
	} else {
		bool out;
		state(c, now, &count, &out);
	}
	bool msb;
	switch (c->rw) {
	case RW_LSB: msb = false; break;
	case RW_MSB: msb = true; break;
	default:
		msb = c->latched ? c->latch_msb_next : c->read_msb_next;
		break;
	}
	uint8_t v = msb ? count >> 8 : count & 0xff;
	if (c->latched) {
		if (c->rw != RW_WORD || msb)
			c->latched = false;
		else
			c->latch_msb_next = true;
	} else if (c->rw == RW_WORD) {
		c->read_msb_next = !c->read_msb_next;
	}
	return v;
}

static void set_gate2(struct i8254 *p, bool gate, uint64_t now)
{
	struct channel *c = &p->ch[2];
	bool rising = gate && !c->gate;
	unsigned int m = mode_of(c);
	if (gate == c->gate)
		return;
	c->gate = gate;
	if (!c->loaded)
		return;
	if (rising && m != 0 && m != 4) {
		/* Modes 1, 2, 3, 5: a rising gate (re)starts the count. */
		c->frozen = 0;
		c->start = now;
		c->counting = true;
	} else if (rising) {
		c->start = now; /* resume */
		c->counting = true;
	} else {
		c->frozen = elapsed(c, now); /* a low gate pauses counting */
		c->counting = false;
	}
}

uint8_t i8254_read(struct i8254 *p, uint16_t port)
{
	uint8_t v = 0xff;
	pthread_mutex_lock(&p->lock);
	uint64_t now = irq_clock_now(p->clock);
	if (port >= I8254_BASE && port < I8254_BASE + 3) {
		v = read_count(&p->ch[port - I8254_BASE], now);
	} else if (port == I8254_PORT_B) {
		uint16_t count;
		bool out;
		state(&p->ch[2], now, &count, &out);
		/* Refresh requests toggle every 15.085 us. */
		bool refresh = (now / 15085) & 1;
		v = (uint8_t)((p->port_b & 3) | (refresh ? 0x10 : 0) |
			      (out ? 0x20 : 0));
	}
	pthread_mutex_unlock(&p->lock);
	return v;
}

void i8254_write(struct i8254 *p, uint16_t port, uint8_t val)
{
	pthread_mutex_lock(&p->lock);
	uint64_t now = irq_clock_now(p->clock);
	if (port == I8254_BASE + 3)
		control(p, val, now);
	else if (port >= I8254_BASE && port < I8254_BASE + 3)
		write_count(p, port - I8254_BASE, val, now);
	else if (port == I8254_PORT_B) {
		p->port_b = val & 3;
		set_gate2(p, val & 1, now);
	}
	pthread_mutex_unlock(&p->lock);
}

void i8254_poll(struct i8254 *p)
{
	bool edge = false;
	pthread_mutex_lock(&p->lock);
	uint64_t now = irq_clock_now(p->clock);
	if (p->irq0_next != IRQ_NO_DEADLINE && now >= p->irq0_next) {
		edge = true;
		rearm_irq0(p, now);
	}
	pthread_mutex_unlock(&p->lock);
	if (edge && p->irq0.set_level) {
		irq_line_set(&p->irq0, 1);
		irq_line_set(&p->irq0, 0);
	}
}

uint64_t i8254_next_deadline(struct i8254 *p)
{
	pthread_mutex_lock(&p->lock);
	uint64_t d = p->irq0_next;
	pthread_mutex_unlock(&p->lock);
	return d;
}
