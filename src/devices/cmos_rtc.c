/* MC146818 CMOS RTC model. See cmos_rtc.h for the contract.
 *
 * The clock is not stored: every read of a time register computes it from
 * the host clock plus the guest's offset, so nothing needs a timer and the
 * clock keeps running while the VM is paused or migrated.
 *
 * Simplifications:
 * - UIP (register A bit 7) always reads 0. Each read is computed whole, and
 *   Linux re-reads the seconds register around its time reads anyway.
 * - Interrupt flags are evaluated on each access to the ports and, once
 *   cmos_rtc_start_timer() has run, once a second by a timer thread: UF
 *   when the clock's second has changed, AF when the time matches the
 *   alarm (in any second since the previous tick, so a late tick does not
 *   lose it). So update-ended and alarm interrupts arrive on their own, as
 *   Linux's rtc-cmos (which emulates UIE with the alarm), hwclock and
 *   rtcwake expect. PF (periodic) is never set. IRQ 8 follows IRQF and is
 *   lowered by reading register C.
 * - The divider bits of register A are stored but do not stop the clock.
 * - Day of week is derived from the date; the guest's value is ignored.
 */
#include "devices/cmos_rtc.h"

#include "core/log.h"

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#define REG_SEC 0x00
#define REG_SEC_ALARM 0x01
#define REG_MIN 0x02
#define REG_MIN_ALARM 0x03
#define REG_HOUR 0x04
#define REG_HOUR_ALARM 0x05
#define REG_WDAY 0x06
#define REG_MDAY 0x07
#define REG_MON 0x08
#define REG_YEAR 0x09
#define REG_A 0x0a
#define REG_B 0x0b
#define REG_C 0x0c
#define REG_D 0x0d
#define REG_CENTURY 0x32

#define A_UIP 0x80
#define B_SET 0x80
#define B_PIE 0x40
#define B_AIE 0x20
#define B_UIE 0x10
#define B_DM_BINARY 0x04
#define B_24H 0x02
#define C_IRQF 0x80
#define C_PF 0x40
#define C_AF 0x20
#define C_UF 0x10
#define C_FLAGS (C_PF | C_AF | C_UF)
#define D_VRT 0x80

#define HOUR_PM 0x80
#define ALARM_DONT_CARE 0xc0

#define CMOS_NMI_MASK 0x80

/* Years 0..9999 are all the registers can express (two BCD digits of
 * century and year); bound the offset so host time plus offset always
 * stays within what gmtime_r handles. */
#define MAX_OFFSET_SEC (10000ll * 366 * 86400)

struct cmos_rtc {
	pthread_mutex_t lock;
	struct irq_line irq;
	time_t (*now)(void);
	uint8_t index;
	uint8_t ram[128];
	int64_t offset_sec;
	int64_t last_sec; /* guest time at the previous access (for UF) */
	int irq_level;
	/* The once-a-second timer thread. */
	pthread_t timer;
	pthread_cond_t timer_cond;
	bool timer_running;
	bool timer_stop;
};

static bool is_time_reg(uint8_t reg)
{
	switch (reg) {
	case REG_SEC: case REG_MIN: case REG_HOUR: case REG_WDAY:
	case REG_MDAY: case REG_MON: case REG_YEAR: case REG_CENTURY:
		return true;
	}
	return false;
}

static uint8_t bin2bcd(unsigned int v)
{
	return (uint8_t)(((v / 10) % 10) << 4 | (v % 10));
}

static int64_t guest_time(const struct cmos_rtc *rtc)
{
	int64_t host = rtc->now ? (int64_t)rtc->now() : (int64_t)time(NULL);
	int64_t t;
	if (__builtin_add_overflow(host, rtc->offset_sec, &t))
		return host;
	return t;
}

static uint8_t to_reg(uint8_t b, unsigned int v)
{
	return (b & B_DM_BINARY) ? (uint8_t)v : bin2bcd(v);
}

/* Fill the time registers (and century) with `t` in register B's format. */
static void time_to_regs(uint8_t b, int64_t t, uint8_t *ram)
{
	struct tm tm;
	time_t tt = (time_t)t;

	if (!gmtime_r(&tt, &tm)) {
		tt = 0;
		gmtime_r(&tt, &tm);
	}
	unsigned int year = (unsigned int)(tm.tm_year + 1900);
	if (tm.tm_year + 1900 < 0 || year > 9999)
		year = 1970; /* cannot happen with a bounded offset */

	ram[REG_SEC] = to_reg(b, (unsigned int)tm.tm_sec);
	ram[REG_MIN] = to_reg(b, (unsigned int)tm.tm_min);
	if (b & B_24H) {
		ram[REG_HOUR] = to_reg(b, (unsigned int)tm.tm_hour);
	} else {
		unsigned int h = (unsigned int)tm.tm_hour % 12;
		ram[REG_HOUR] = to_reg(b, h ? h : 12);
		if (tm.tm_hour >= 12)
			ram[REG_HOUR] |= HOUR_PM;
	}
	ram[REG_WDAY] = to_reg(b, (unsigned int)tm.tm_wday + 1);
	ram[REG_MDAY] = to_reg(b, (unsigned int)tm.tm_mday);
	ram[REG_MON] = to_reg(b, (unsigned int)tm.tm_mon + 1);
	ram[REG_YEAR] = to_reg(b, year % 100);
	ram[REG_CENTURY] = to_reg(b, year / 100);
}

static bool from_reg(uint8_t b, uint8_t v, int min, int max, int *out)
{
	int n;
	if (b & B_DM_BINARY) {
		n = v;
	} else {
		if ((v & 0x0f) > 9 || (v >> 4) > 9)
			return false;
		n = (v >> 4) * 10 + (v & 0x0f);
	}
	if (n < min || n > max)
		return false;
	*out = n;
	return true;
}

/* The guest wrote a new date and time into the registers: turn it into an
 * offset from the host clock. Values the chip could not hold are ignored,
 * as is an impossible date. */
static void regs_to_offset(struct cmos_rtc *rtc, uint8_t b)
{
	const uint8_t *ram = rtc->ram;
	struct tm tm = { 0 };
	int hour = 0, year = 0, century = 0;
	bool ok;

	ok = from_reg(b, ram[REG_SEC], 0, 59, &tm.tm_sec) &&
	     from_reg(b, ram[REG_MIN], 0, 59, &tm.tm_min) &&
	     from_reg(b, ram[REG_MDAY], 1, 31, &tm.tm_mday) &&
	     from_reg(b, ram[REG_MON], 1, 12, &tm.tm_mon) &&
	     from_reg(b, ram[REG_YEAR], 0, 99, &year) &&
	     from_reg(b, ram[REG_CENTURY], 0, 99, &century);
	if (ok && (b & B_24H)) {
		ok = from_reg(b, ram[REG_HOUR], 0, 23, &hour);
	} else if (ok) {
		ok = from_reg(b, ram[REG_HOUR] & (uint8_t)~HOUR_PM, 1, 12, &hour);
		hour = hour % 12 + ((ram[REG_HOUR] & HOUR_PM) ? 12 : 0);
	}
	if (!ok) {
		pr_guest(LOG_WARN, "rtc: guest set an invalid time (%02x:%02x:%02x %02x/%02x/%02x%02x), ignored",
			 ram[REG_HOUR], ram[REG_MIN], ram[REG_SEC], ram[REG_MDAY],
			 ram[REG_MON], ram[REG_CENTURY], ram[REG_YEAR]);
		return;
	}
	tm.tm_hour = hour;
	tm.tm_mon -= 1;
	tm.tm_year = century * 100 + year - 1900;
	/* timegm normalises 31 February into March, which is close enough
	 * to what the chip would do with it. */
	int64_t t = (int64_t)timegm(&tm);
	int64_t host = rtc->now ? (int64_t)rtc->now() : (int64_t)time(NULL);
	int64_t off;
	if (__builtin_sub_overflow(t, host, &off) || off > MAX_OFFSET_SEC ||
	    off < -MAX_OFFSET_SEC)
		return;
	rtc->offset_sec = off;
}

/* IRQF and the line follow the enabled flags; IRQ 8 is edge-triggered, so
 * only changes are forwarded. Called with the lock held so that changes
 * reach the interrupt controller in order. */
static void update_irq(struct cmos_rtc *rtc)
{
	int level = (rtc->ram[REG_C] & rtc->ram[REG_B] & C_FLAGS) != 0;
	if (level != rtc->irq_level) {
		rtc->irq_level = level;
		irq_line_set(&rtc->irq, level);
	}
}

static bool alarm_matches(const uint8_t *alarm, uint8_t now)
{
	return (*alarm & ALARM_DONT_CARE) == ALARM_DONT_CARE || *alarm == now;
}

/* Catch up with the update cycles that happened since the last access. */
static void rtc_tick(struct cmos_rtc *rtc)
{
	if (rtc->ram[REG_B] & B_SET)
		return; /* updates are inhibited while the guest sets the clock */
	int64_t t = guest_time(rtc);
	if (t == rtc->last_sec)
		return;
	/* Every second since the last tick had its update cycle: a late
	 * tick (a loaded host) must not skip the alarm second. Beyond a day
	 * back (the clock was set, or a long pause) only the present counts. */
	int64_t from = rtc->last_sec + 1;
	if (t < from || t - from > 86400)
		from = t;
	rtc->last_sec = t;
	rtc->ram[REG_C] |= C_UF;

	for (int64_t sec = from; sec <= t; sec++) {
		uint8_t now[128];
		time_to_regs(rtc->ram[REG_B], sec, now);
		if (alarm_matches(&rtc->ram[REG_SEC_ALARM], now[REG_SEC]) &&
		    alarm_matches(&rtc->ram[REG_MIN_ALARM], now[REG_MIN]) &&
		    alarm_matches(&rtc->ram[REG_HOUR_ALARM], now[REG_HOUR])) {
			rtc->ram[REG_C] |= C_AF;
			break;
		}
	}
}

static uint8_t reg_read(struct cmos_rtc *rtc, uint8_t reg)
{
	uint8_t v;

	if (is_time_reg(reg) && !(rtc->ram[REG_B] & B_SET)) {
		uint8_t now[128];
		time_to_regs(rtc->ram[REG_B], guest_time(rtc), now);
		return now[reg];
	}
	switch (reg) {
	case REG_A:
		return rtc->ram[REG_A] & (uint8_t)~A_UIP;
	case REG_C:
		v = rtc->ram[REG_C];
		if (v & rtc->ram[REG_B] & C_FLAGS)
			v |= C_IRQF;
		rtc->ram[REG_C] = 0; /* reading C acknowledges everything */
		return v;
	case REG_D:
		return D_VRT;
	}
	return rtc->ram[reg];
}

static void write_b(struct cmos_rtc *rtc, uint8_t val)
{
	uint8_t old = rtc->ram[REG_B];

	if (val & B_SET) {
		/* Setting SET aborts any update cycle and clears UIE. */
		val &= (uint8_t)~B_UIE;
		if (!(old & B_SET))
			time_to_regs(old, guest_time(rtc), rtc->ram);
	}
	rtc->ram[REG_B] = val;
	if ((old & B_SET) && !(val & B_SET)) {
		/* The fields were written in the format in force while SET
		 * was held. */
		regs_to_offset(rtc, old);
		rtc->last_sec = guest_time(rtc);
	}
}

static void reg_write(struct cmos_rtc *rtc, uint8_t reg, uint8_t val)
{
	if (is_time_reg(reg)) {
		if (rtc->ram[REG_B] & B_SET) {
			rtc->ram[reg] = val;
			return;
		}
		/* A running clock can be written too: change the one field
		 * of the current time. */
		time_to_regs(rtc->ram[REG_B], guest_time(rtc), rtc->ram);
		rtc->ram[reg] = val;
		regs_to_offset(rtc, rtc->ram[REG_B]);
		rtc->last_sec = guest_time(rtc);
		return;
	}
	switch (reg) {
	case REG_A:
		rtc->ram[REG_A] = val & (uint8_t)~A_UIP;
		break;
	case REG_B:
		write_b(rtc, val);
		break;
	case REG_C:
	case REG_D:
		pr_guest(LOG_DEBUG, "rtc: write 0x%02x to read-only register 0x%02x ignored",
			 val, reg);
		break;
	default:
		rtc->ram[reg] = val;
		break;
	}
}

static uint64_t rtc_io_read(void *opaque, uint64_t offset, unsigned int size)
{
	struct cmos_rtc *rtc = opaque;
	uint8_t v = 0xff; /* the index port is write-only */

	pthread_mutex_lock(&rtc->lock);
	rtc_tick(rtc);
	if (offset == 1)
		v = reg_read(rtc, rtc->index);
	update_irq(rtc);
	pthread_mutex_unlock(&rtc->lock);
	return v;
}

static void rtc_io_write(void *opaque, uint64_t offset, uint64_t value,
			 unsigned int size)
{
	struct cmos_rtc *rtc = opaque;
	uint8_t v = (uint8_t)value;

	pthread_mutex_lock(&rtc->lock);
	rtc_tick(rtc);
	if (offset == 0)
		rtc->index = v & (uint8_t)~CMOS_NMI_MASK; /* NMI mask ignored */
	else if (offset == 1)
		reg_write(rtc, rtc->index, v);
	update_irq(rtc);
	pthread_mutex_unlock(&rtc->lock);
}

const struct io_ops cmos_rtc_io_ops = {
	.read = rtc_io_read,
	.write = rtc_io_write,
};

struct cmos_rtc *cmos_rtc_create(const struct irq_line *irq,
				 time_t (*now)(void))
{
	struct cmos_rtc *rtc = calloc(1, sizeof(*rtc));
	if (!rtc)
		return NULL;
	if (pthread_mutex_init(&rtc->lock, NULL)) {
		free(rtc);
		return NULL;
	}
	if (irq)
		rtc->irq = *irq;
	rtc->now = now;
	rtc->ram[REG_A] = 0x26; /* 32.768 kHz time base, 1024 Hz rate */
	rtc->ram[REG_B] = B_24H;
	rtc->ram[REG_D] = D_VRT;
	rtc->last_sec = guest_time(rtc);
	return rtc;
}

void cmos_rtc_tick(struct cmos_rtc *rtc)
{
	pthread_mutex_lock(&rtc->lock);
	rtc_tick(rtc);
	update_irq(rtc);
	pthread_mutex_unlock(&rtc->lock);
}

/* Wake just after each second boundary of the host clock (the RTC's time
 * base), until told to stop. */
static void *timer_thread(void *arg)
{
	struct cmos_rtc *rtc = arg;
	pthread_mutex_lock(&rtc->lock);
	while (!rtc->timer_stop) {
		struct timespec next;
		clock_gettime(CLOCK_REALTIME, &next);
		next.tv_sec += 1;
		next.tv_nsec = 1000000; /* 1 ms past the boundary */
		while (!rtc->timer_stop &&
		       pthread_cond_timedwait(&rtc->timer_cond, &rtc->lock, &next) == 0)
			;
		if (rtc->timer_stop)
			break;
		if (rtc->ram[REG_B] & (B_UIE | B_AIE)) {
			rtc_tick(rtc);
			update_irq(rtc);
		}
	}
	pthread_mutex_unlock(&rtc->lock);
	return NULL;
}

int cmos_rtc_start_timer(struct cmos_rtc *rtc)
{
	if (rtc->timer_running)
		return 0;
	if (pthread_cond_init(&rtc->timer_cond, NULL))
		return -ENOMEM;
	rtc->timer_stop = false;
	int err = pthread_create(&rtc->timer, NULL, timer_thread, rtc);
	if (err) {
		pthread_cond_destroy(&rtc->timer_cond);
		return -err;
	}
	rtc->timer_running = true;
	return 0;
}

void cmos_rtc_destroy(struct cmos_rtc *rtc)
{
	if (!rtc)
		return;
	if (rtc->timer_running) {
		pthread_mutex_lock(&rtc->lock);
		rtc->timer_stop = true;
		pthread_cond_signal(&rtc->timer_cond);
		pthread_mutex_unlock(&rtc->lock);
		pthread_join(rtc->timer, NULL);
		pthread_cond_destroy(&rtc->timer_cond);
	}
	pthread_mutex_destroy(&rtc->lock);
	free(rtc);
}

static void put16(uint8_t *ram, uint8_t reg, uint64_t v)
{
	ram[reg] = (uint8_t)v;
	ram[reg + 1] = (uint8_t)(v >> 8);
}

void cmos_rtc_set_memory(struct cmos_rtc *rtc, uint64_t low_ram_bytes,
			 uint64_t high_ram_bytes)
{
	const uint64_t k = 1024, m = 1024 * 1024;
	uint64_t base = (low_ram_bytes < 640 * k ? low_ram_bytes : 640 * k) / k;
	uint64_t ext = low_ram_bytes > m ? (low_ram_bytes - m) / k : 0;
	uint64_t ext16 = low_ram_bytes > 16 * m ? (low_ram_bytes - 16 * m) / (64 * k) : 0;
	uint64_t high = high_ram_bytes / (64 * k);

	if (ext > 0xffff)
		ext = 0xffff;
	if (ext16 > 0xffff)
		ext16 = 0xffff;
	if (high > 0xffffff)
		high = 0xffffff;

	pthread_mutex_lock(&rtc->lock);
	uint8_t *ram = rtc->ram;
	put16(ram, 0x15, base);
	put16(ram, 0x17, ext);
	put16(ram, 0x30, ext);
	put16(ram, 0x34, ext16);
	ram[0x5b] = (uint8_t)high;
	ram[0x5c] = (uint8_t)(high >> 8);
	ram[0x5d] = (uint8_t)(high >> 16);
	/* The AT BIOS checksum over 0x10-0x2d, big-endian at 0x2e. */
	unsigned int sum = 0;
	for (unsigned int i = 0x10; i <= 0x2d; i++)
		sum += ram[i];
	ram[0x2e] = (uint8_t)(sum >> 8);
	ram[0x2f] = (uint8_t)sum;
	pthread_mutex_unlock(&rtc->lock);
}

void cmos_rtc_save(struct cmos_rtc *rtc, struct cmos_rtc_state *out)
{
	memset(out, 0, sizeof(*out));
	pthread_mutex_lock(&rtc->lock);
	out->version = CMOS_RTC_STATE_VERSION;
	out->index = rtc->index;
	memcpy(out->ram, rtc->ram, sizeof(out->ram));
	/* For a reader of the saved state; restore recomputes them unless
	 * the guest is in the middle of setting the clock. */
	if (!(rtc->ram[REG_B] & B_SET))
		time_to_regs(rtc->ram[REG_B], guest_time(rtc), out->ram);
	out->offset_sec = rtc->offset_sec;
	pthread_mutex_unlock(&rtc->lock);
}

static bool state_valid(const struct cmos_rtc_state *s)
{
	if (s->version != CMOS_RTC_STATE_VERSION)
		return false;
	for (size_t i = 0; i < sizeof(s->pad); i++)
		if (s->pad[i])
			return false;
	if (s->index & CMOS_NMI_MASK)
		return false;
	if (s->ram[REG_A] & A_UIP)
		return false;
	if (s->ram[REG_C] & (uint8_t)~C_FLAGS) /* IRQF is computed */
		return false;
	if (s->ram[REG_D] != D_VRT)
		return false;
	if (s->offset_sec > MAX_OFFSET_SEC || s->offset_sec < -MAX_OFFSET_SEC)
		return false;
	return true;
}

int cmos_rtc_restore(struct cmos_rtc *rtc, const struct cmos_rtc_state *in)
{
	if (!state_valid(in))
		return -EINVAL;
	pthread_mutex_lock(&rtc->lock);
	rtc->index = in->index;
	memcpy(rtc->ram, in->ram, sizeof(rtc->ram));
	rtc->offset_sec = in->offset_sec;
	rtc->last_sec = guest_time(rtc);
	update_irq(rtc);
	pthread_mutex_unlock(&rtc->lock);
	return 0;
}
