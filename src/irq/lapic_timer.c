/* The local APIC timer (SDM vol. 3A 10.5.4): one-shot, periodic and
 * TSC-deadline modes on the 1 GHz APIC bus clock through the divide
 * configuration register. The counter is a function of time: `deadline`
 * is when it reaches zero.
 */
#include "irq/lapic_internal.h"

void lapic_timer_stop(struct lapic *l)
{
	l->deadline = IRQ_NO_DEADLINE;
}

static uint64_t tsc_to_ns(const struct lapic *l, uint64_t tsc)
{
	if (!l->tsc_hz || tsc <= l->tsc_at_zero)
		return 0;
	return (uint64_t)((unsigned __int128)(tsc - l->tsc_at_zero) *
			  1000000000u / l->tsc_hz);
}

/* (Re)arm from the current registers, counting from `now`. */
void lapic_timer_arm(struct lapic *l, uint64_t now)
{
	uint32_t mode = TIMER_MODE(l->lvt[LVT_TIMER]);
	l->start = now;
	if (mode == TIMER_TSC_DEADLINE) {
		l->deadline = l->tsc_deadline ? tsc_to_ns(l, l->tsc_deadline)
					      : IRQ_NO_DEADLINE;
		return;
	}
	if (!l->tmict) {
		lapic_timer_stop(l);
		return;
	}
	l->deadline = now + ((uint64_t)l->tmict << l->divide_shift);
}

uint32_t lapic_timer_current(const struct lapic *l, uint64_t now)
{
	if (TIMER_MODE(l->lvt[LVT_TIMER]) == TIMER_TSC_DEADLINE || !l->tmict ||
	    l->deadline == IRQ_NO_DEADLINE || now >= l->deadline)
		return 0;
	return (uint32_t)(((l->deadline - now) + (1ull << l->divide_shift) - 1) >>
			  l->divide_shift);
}

void lapic_poll(struct lapic *l)
{
	bool n = false;
	pthread_mutex_lock(&l->lock);
	uint64_t now = irq_clock_now(l->clock);
	if (l->deadline != IRQ_NO_DEADLINE && now >= l->deadline) {
		uint32_t mode = TIMER_MODE(l->lvt[LVT_TIMER]);
		n = lapic_fire_lvt(l, LVT_TIMER);
		if (mode == TIMER_PERIODIC && l->tmict) {
			uint64_t period = (uint64_t)l->tmict << l->divide_shift;
			uint64_t missed = (now - l->deadline) / period;
			l->deadline += (missed + 1) * period;
		} else {
			if (mode == TIMER_TSC_DEADLINE)
				l->tsc_deadline = 0; /* the MSR reads 0 once fired */
			lapic_timer_stop(l);
		}
	}
	pthread_mutex_unlock(&l->lock);
	if (n)
		lapic_notify(l);
}

uint64_t lapic_next_deadline(struct lapic *l)
{
	pthread_mutex_lock(&l->lock);
	uint64_t d = l->deadline;
	pthread_mutex_unlock(&l->lock);
	return d;
}

void lapic_set_tsc_hz(struct lapic *l, uint64_t tsc_hz, uint64_t tsc_at_zero)
{
	pthread_mutex_lock(&l->lock);
	l->tsc_hz = tsc_hz;
	l->tsc_at_zero = tsc_at_zero;
	pthread_mutex_unlock(&l->lock);
}

void lapic_write_tsc_deadline(struct lapic *l, uint64_t tsc)
{
	pthread_mutex_lock(&l->lock);
	if (TIMER_MODE(l->lvt[LVT_TIMER]) == TIMER_TSC_DEADLINE) {
		l->tsc_deadline = tsc;
		lapic_timer_arm(l, irq_clock_now(l->clock));
	}
	pthread_mutex_unlock(&l->lock);
}

uint64_t lapic_read_tsc_deadline(struct lapic *l)
{
	pthread_mutex_lock(&l->lock);
	uint64_t v = TIMER_MODE(l->lvt[LVT_TIMER]) == TIMER_TSC_DEADLINE
			     ? l->tsc_deadline : 0;
	pthread_mutex_unlock(&l->lock);
	return v;
}
