/* The local APIC model. See lapic.h for the contract; register layout and
 * behaviour from the Intel SDM vol. 3A chapter 10 (11 in newer editions).
 */
#include "irq/lapic.h"
#include "irq/lapic_internal.h"

#include <stdlib.h>
#include <string.h>

/* Register offsets. */
#define R_ID      0x020
#define R_VERSION 0x030
#define R_TPR     0x080
#define R_APR     0x090
#define R_PPR     0x0a0
#define R_EOI     0x0b0
#define R_RRD     0x0c0
#define R_LDR     0x0d0
#define R_DFR     0x0e0
#define R_SVR     0x0f0
#define R_ISR     0x100
#define R_TMR     0x180
#define R_IRR     0x200
#define R_ESR     0x280
#define R_CMCI    0x2f0
#define R_ICR_LO  0x300
#define R_ICR_HI  0x310
#define R_LVT0    0x320 /* timer, thermal, perf, LINT0, LINT1, error */
#define R_LVT_ERR 0x370
#define R_TMICT   0x380
#define R_TMCCT   0x390
#define R_TDCR    0x3e0

static bool test_bit(const uint32_t *v, unsigned int n)
{
	return v[n / 32] >> (n % 32) & 1;
}

static void set_bit(uint32_t *v, unsigned int n)
{
	v[n / 32] |= 1u << (n % 32);
}

static void clear_bit(uint32_t *v, unsigned int n)
{
	v[n / 32] &= ~(1u << (n % 32));
}

/* Highest set vector, or -1. */
static int highest(const uint32_t *v)
{
	for (int i = 7; i >= 0; i--)
		if (v[i])
			return i * 32 + 31 - __builtin_clz(v[i]);
	return -1;
}

static bool sw_enabled(const struct lapic *l)
{
	return l->svr & SVR_ENABLE;
}

static uint32_t ppr(const struct lapic *l)
{
	int isrv = highest(l->isr);
	uint32_t isr_class = isrv < 0 ? 0 : (uint32_t)isrv & 0xf0;
	return (l->tpr & 0xf0) >= isr_class ? l->tpr & 0xff : isr_class;
}

/* Under the lock. Returns true if the CPU must be told. */
static bool set_irr(struct lapic *l, uint8_t vector, bool level)
{
	if (vector < 16) {
		/* The error LVT reports it, unless its own vector is the
		 * illegal one (no loop). */
		l->esr_pending |= ESR_RECV_ILLEGAL_VECTOR;
		return (l->lvt[LVT_ERROR] & 0xff) >= 16 && lapic_fire_lvt(l, LVT_ERROR);
	}
	set_bit(l->irr, vector);
	if (level)
		set_bit(l->tmr, vector);
	else
		clear_bit(l->tmr, vector);
	return true;
}

/* Deliver through a local vector table entry. Under the lock. */
bool lapic_fire_lvt(struct lapic *l, unsigned int idx)
{
	uint32_t v = l->lvt[idx];
	if (v & LVT_MASKED)
		return false;
	switch ((v >> 8) & 7) {
	case APIC_DM_FIXED:
		return set_irr(l, v & 0xff, idx != LVT_TIMER && (v & LVT_LEVEL));
	case APIC_DM_NMI:
		l->nmi = true;
		return true;
	default:
		/* ExtINT (no 8259 behind it), SMI, INIT through an LVT:
		 * nothing a Kiln machine wires. */
		return false;
	}
}

static void error_raise(struct lapic *l, uint32_t bits, bool *notify)
{
	l->esr_pending |= bits;
	if (lapic_fire_lvt(l, LVT_ERROR))
		*notify = true;
}

static void do_reset(struct lapic *l)
{
	l->tpr = l->ldr = 0;
	l->dfr = 0xffffffffu;
	l->svr = 0xff;
	memset(l->irr, 0, sizeof(l->irr));
	memset(l->isr, 0, sizeof(l->isr));
	memset(l->tmr, 0, sizeof(l->tmr));
	l->esr = l->esr_pending = 0;
	l->icr_lo = l->icr_hi = 0;
	for (int i = 0; i < LVT_N; i++)
		l->lvt[i] = LVT_MASKED;
	l->cmci = LVT_MASKED;
	l->tmict = l->tdcr = 0;
	l->divide_shift = 1; /* TDCR 0: divide by 2 */
	l->tsc_deadline = 0;
	l->nmi = l->init = l->sipi = false;
	lapic_timer_stop(l);
}

struct lapic *lapic_create(uint8_t id, const struct irq_clock *clock,
			   const struct lapic_host_ops *ops, void *opaque)
{
	struct lapic *l = calloc(1, sizeof(*l));
	if (!l)
		return NULL;
	pthread_mutex_init(&l->lock, NULL);
	l->clock = clock;
	l->ops = ops;
	l->opaque = opaque;
	l->id = id;
	do_reset(l);
	return l;
}

void lapic_destroy(struct lapic *l)
{
	if (!l)
		return;
	pthread_mutex_destroy(&l->lock);
	free(l);
}

void lapic_reset(struct lapic *l)
{
	pthread_mutex_lock(&l->lock);
	do_reset(l);
	pthread_mutex_unlock(&l->lock);
}

void lapic_notify(struct lapic *l)
{
	if (l->ops && l->ops->notify)
		l->ops->notify(l->opaque);
}

/* ---- registers ---- */

static uint32_t read_reg(struct lapic *l, uint32_t reg, bool *notify_cpu)
{
	uint64_t now;
	switch (reg) {
	case R_ID: return (uint32_t)l->id << 24;
	case R_VERSION: return VERSION_VALUE;
	case R_TPR: return l->tpr;
	case R_APR: return 0;
	case R_PPR: return ppr(l);
	case R_LDR: return l->ldr;
	case R_DFR: return l->dfr;
	case R_SVR: return l->svr;
	case R_ESR: return l->esr;
	case R_CMCI: return l->cmci;
	case R_ICR_LO: return l->icr_lo; /* delivery status: always idle */
	case R_ICR_HI: return l->icr_hi;
	case R_TMICT: return l->tmict;
	case R_TMCCT:
		now = irq_clock_now(l->clock);
		return lapic_timer_current(l, now);
	case R_TDCR: return l->tdcr;
	case R_EOI:
	case R_RRD:
		return 0;
	}
	if (reg >= R_ISR && reg < R_ISR + 0x80)
		return l->isr[(reg - R_ISR) / 16];
	if (reg >= R_TMR && reg < R_TMR + 0x80)
		return l->tmr[(reg - R_TMR) / 16];
	if (reg >= R_IRR && reg < R_IRR + 0x80)
		return l->irr[(reg - R_IRR) / 16];
	if (reg >= R_LVT0 && reg <= R_LVT_ERR)
		return l->lvt[(reg - R_LVT0) / 16];
	error_raise(l, ESR_ILLEGAL_REGISTER, notify_cpu);
	return 0;
}

/* What each LVT lets software write: vector, delivery mode, polarity,
 * trigger, mask, timer mode. */
static uint32_t lvt_writable(unsigned int idx)
{
	switch (idx) {
	case LVT_TIMER: return 0xff | LVT_MASKED | (3u << 17);
	case LVT_LINT0:
	case LVT_LINT1: return 0xff | (7u << 8) | (1u << 13) | LVT_LEVEL | LVT_MASKED;
	case LVT_ERROR: return 0xff | LVT_MASKED;
	default: return 0xff | (7u << 8) | LVT_MASKED;
	}
}

/* EOI: retire the highest in-service vector. Returns the vector if it
 * was level-triggered (the IOAPICs must hear of it), else -1. */
static int do_eoi(struct lapic *l)
{
	int v = highest(l->isr);
	if (v < 0)
		return -1;
	clear_bit(l->isr, (unsigned)v);
	return test_bit(l->tmr, (unsigned)v) ? v : -1;
}

static void send_icr(struct lapic *l, struct apic_msg *out, bool *send,
		     bool *notify_cpu)
{
	uint32_t lo = l->icr_lo;
	*out = (struct apic_msg){
		.vector = lo & 0xff,
		.delivery = (lo >> 8) & 7,
		.logical = (lo >> 11) & 1,
		.assert = (lo >> 14) & 1,
		.level_trig = (lo >> 15) & 1,
		.shorthand = (lo >> 18) & 3,
		.dest = l->icr_hi >> 24,
	};
	if ((out->delivery == APIC_DM_FIXED || out->delivery == APIC_DM_LOWEST) &&
	    out->vector < 16) {
		error_raise(l, ESR_SEND_ILLEGAL_VECTOR, notify_cpu);
		return;
	}
	/* An INIT "level de-assert" only synchronises arbitration ids. */
	if (out->delivery == APIC_DM_INIT && !out->assert && out->level_trig)
		return;
	*send = true;
}

static void write_reg(struct lapic *l, uint32_t reg, uint32_t v,
		      bool *notify_cpu, int *eoi_vec, struct apic_msg *msg,
		      bool *send)
{
	uint64_t now;
	switch (reg) {
	case R_ID:
		l->id = v >> 24;
		return;
	case R_TPR:
		l->tpr = v & 0xff;
		*notify_cpu = true; /* a lower priority may unblock one */
		return;
	case R_EOI:
		*eoi_vec = do_eoi(l);
		*notify_cpu = true;
		return;
	case R_LDR:
		l->ldr = v & 0xff000000u;
		return;
	case R_DFR:
		l->dfr = v | 0x0fffffffu;
		return;
	case R_SVR:
		l->svr = v & (0xff | SVR_ENABLE);
		if (!sw_enabled(l))
			for (int i = 0; i < LVT_N; i++)
				l->lvt[i] |= LVT_MASKED;
		*notify_cpu = true;
		return;
	case R_ESR:
		/* A write latches the errors seen since the last one. */
		l->esr = l->esr_pending;
		l->esr_pending = 0;
		return;
	case R_ICR_LO:
		l->icr_lo = v & ~(1u << 12);
		send_icr(l, msg, send, notify_cpu);
		return;
	case R_ICR_HI:
		l->icr_hi = v & 0xff000000u;
		return;
	case R_CMCI:
		l->cmci = v & (0xff | (7u << 8) | LVT_MASKED);
		return;
	case R_TMICT:
		now = irq_clock_now(l->clock);
		if (TIMER_MODE(l->lvt[LVT_TIMER]) == TIMER_TSC_DEADLINE)
			return; /* ignored in TSC-deadline mode */
		l->tmict = v;
		lapic_timer_arm(l, now);
		return;
	case R_TDCR: {
		now = irq_clock_now(l->clock);
		uint32_t cur = lapic_timer_current(l, now);
		l->tdcr = v & 0xb;
		unsigned int code = (l->tdcr & 3) | ((l->tdcr & 8) >> 1);
		l->divide_shift = code == 7 ? 0 : code + 1;
		/* The count goes on from where it is at the new rate. */
		if (l->deadline != IRQ_NO_DEADLINE && cur &&
		    TIMER_MODE(l->lvt[LVT_TIMER]) != TIMER_TSC_DEADLINE)
			l->deadline = now + ((uint64_t)cur << l->divide_shift);
		return;
	}
	case R_VERSION: case R_APR: case R_PPR: case R_RRD: case R_TMCCT:
		return; /* read-only */
	}
	if (reg >= R_LVT0 && reg <= R_LVT_ERR) {
		unsigned int idx = (reg - R_LVT0) / 16;
		uint32_t old = l->lvt[idx];
		uint32_t nv = (old & ~lvt_writable(idx)) | (v & lvt_writable(idx));
		if (!sw_enabled(l))
			nv |= LVT_MASKED;
		l->lvt[idx] = nv;
		if (idx == LVT_TIMER && TIMER_MODE(old) != TIMER_MODE(nv)) {
			/* A mode switch stops the timer (SDM 10.5.4.1). */
			l->tmict = 0;
			lapic_timer_stop(l);
			if (TIMER_MODE(nv) == TIMER_TSC_DEADLINE)
				lapic_timer_arm(l, irq_clock_now(l->clock));
		}
		return;
	}
	if ((reg >= R_ISR && reg < R_IRR + 0x80))
		return; /* read-only vectors */
	error_raise(l, ESR_ILLEGAL_REGISTER, notify_cpu);
}

uint64_t lapic_mmio_read(struct lapic *l, uint32_t offset, unsigned len)
{
	bool n = false;
	uint32_t reg = offset & 0xff0;
	unsigned int shift = (offset & 3) * 8;
	if (offset >= LAPIC_PAGE_SIZE || (offset & 0xf) + len > 4)
		return 0;
	pthread_mutex_lock(&l->lock);
	uint32_t v = read_reg(l, reg, &n);
	pthread_mutex_unlock(&l->lock);
	if (n)
		lapic_notify(l);
	v >>= shift;
	return len >= 4 ? v : v & ((1u << (8 * len)) - 1);
}

void lapic_mmio_write(struct lapic *l, uint32_t offset, unsigned len,
		      uint64_t val)
{
	bool n = false, send = false;
	int eoi_vec = -1;
	struct apic_msg msg;

	if (offset >= LAPIC_PAGE_SIZE || (offset & 0xf) || len != 4)
		return; /* only aligned 32-bit writes reach a register */
	pthread_mutex_lock(&l->lock);
	write_reg(l, offset & 0xff0, (uint32_t)val, &n, &eoi_vec, &msg, &send);
	pthread_mutex_unlock(&l->lock);
	if (eoi_vec >= 0 && l->ops && l->ops->eoi)
		l->ops->eoi(l->opaque, (uint8_t)eoi_vec);
	if (send && l->ops && l->ops->send)
		l->ops->send(l->opaque, l, &msg);
	if (n)
		lapic_notify(l);
}

/* ---- the APIC bus side ---- */

uint8_t lapic_id(struct lapic *l)
{
	pthread_mutex_lock(&l->lock);
	uint8_t id = l->id;
	pthread_mutex_unlock(&l->lock);
	return id;
}

bool lapic_matches(struct lapic *l, const struct apic_msg *m)
{
	bool r;
	pthread_mutex_lock(&l->lock);
	if (!m->logical) {
		r = m->dest == 0xff || m->dest == l->id;
	} else if ((l->dfr >> 28) == 0xf) {
		r = (l->ldr >> 24) & m->dest; /* flat */
	} else {
		/* Cluster: high nibble the cluster, low nibble a mask. */
		uint8_t ld = l->ldr >> 24;
		r = m->dest == 0xff ||
		    ((ld >> 4) == (m->dest >> 4) && (ld & m->dest & 0xf));
	}
	pthread_mutex_unlock(&l->lock);
	return r;
}

uint8_t lapic_arb_priority(struct lapic *l)
{
	pthread_mutex_lock(&l->lock);
	uint8_t p = l->tpr & 0xf0;
	pthread_mutex_unlock(&l->lock);
	return p;
}

void lapic_accept(struct lapic *l, const struct apic_msg *m)
{
	bool n = false;
	pthread_mutex_lock(&l->lock);
	switch (m->delivery) {
	case APIC_DM_FIXED:
	case APIC_DM_LOWEST:
		/* A software-disabled APIC drops them, as KVM's does. */
		if (sw_enabled(l))
			n = set_irr(l, m->vector, m->level_trig);
		break;
	case APIC_DM_NMI:
		l->nmi = n = true;
		break;
	case APIC_DM_INIT:
		if (m->assert)
			l->init = n = true;
		break;
	case APIC_DM_SIPI:
		l->sipi = n = true;
		l->sipi_vector = m->vector;
		break;
	default:
		break; /* SMI, ExtINT: not wired in a Kiln machine */
	}
	pthread_mutex_unlock(&l->lock);
	if (n)
		lapic_notify(l);
}

void lapic_set_lint(struct lapic *l, unsigned int pin, int level)
{
	bool n = false;
	if (pin > 1)
		return;
	pthread_mutex_lock(&l->lock);
	unsigned int idx = pin ? LVT_LINT1 : LVT_LINT0;
	bool rising = level && !l->lint_level[pin];
	l->lint_level[pin] = level;
	if (rising || ((l->lvt[idx] & LVT_LEVEL) && level))
		n = lapic_fire_lvt(l, idx);
	pthread_mutex_unlock(&l->lock);
	if (n)
		lapic_notify(l);
}

/* ---- the CPU side ---- */

int lapic_pending(struct lapic *l)
{
	pthread_mutex_lock(&l->lock);
	int v = highest(l->irr);
	if (v >= 0 && ((uint32_t)v & 0xf0) <= (ppr(l) & 0xf0))
		v = -1;
	pthread_mutex_unlock(&l->lock);
	return v;
}

void lapic_ack(struct lapic *l, int vector)
{
	if (vector < 0 || vector > 255)
		return;
	pthread_mutex_lock(&l->lock);
	clear_bit(l->irr, (unsigned)vector);
	set_bit(l->isr, (unsigned)vector);
	pthread_mutex_unlock(&l->lock);
}

static bool take(struct lapic *l, bool *flag)
{
	pthread_mutex_lock(&l->lock);
	bool r = *flag;
	*flag = false;
	pthread_mutex_unlock(&l->lock);
	return r;
}

bool lapic_take_nmi(struct lapic *l)
{
	return take(l, &l->nmi);
}

bool lapic_take_init(struct lapic *l)
{
	return take(l, &l->init);
}

bool lapic_take_sipi(struct lapic *l, uint8_t *vector)
{
	pthread_mutex_lock(&l->lock);
	bool r = l->sipi;
	l->sipi = false;
	*vector = l->sipi_vector;
	pthread_mutex_unlock(&l->lock);
	return r;
}
