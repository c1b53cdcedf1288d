/* The interface between a CPU test body and the harness that runs it.
 *
 * A test body (alu.c, string.c, ...) is compiled ONCE and linked twice:
 * into a freestanding guest (tests/cpu/guest/, booted by Kiln as a PVH ELF
 * kernel, running at CPL0 in long mode) and into an ordinary Linux program
 * (tests/cpu/native/harness.c, CPL3 on the host CPU). Both print the same
 * lines, so a diff of the two outputs is the differential test:
 *
 *   KILN_CPU <test> <key>=<hex>          one result (often a CRC of a table)
 *   KILN_CPU_DETAIL <test> <free text>   verbose mode only: one operation
 *   KILN_CPU_FAIL <test> <free text>     a self-check failed (guest classes)
 *   KILN_CPU_END <test> ok|fail
 *
 * Keys ending in ".undef" carry only what the SDM leaves undefined (flags
 * such as AF after AND, results such as SHLD's with a count above the
 * operand size). They match between two runs on the same CPU, but may
 * differ between CPU models: tests/cpu/run.sh ignores them when comparing
 * across CPUs (--cross). In DETAIL lines the undefined part is the field
 * "u=".
 *
 * Verbose mode ("verbose=PREFIX" on the guest's command line, or
 * CT_VERBOSE=PREFIX for the native program) prints a DETAIL line for every
 * operation whose table key starts with PREFIX: that is how a differing
 * CRC is narrowed down to one instruction and operand pair.
 */
#ifndef KILN_TESTS_CPU_TEST_H
#define KILN_TESTS_CPU_TEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Arithmetic flags and DF: everything of RFLAGS a user-level result may
 * depend on (IF, IOPL, AC... differ between CPL0 guest and CPL3 program). */
#define FL_CF 0x0001u
#define FL_PF 0x0004u
#define FL_AF 0x0010u
#define FL_ZF 0x0040u
#define FL_SF 0x0080u
#define FL_DF 0x0400u
#define FL_OF 0x0800u
#define FL_ARITH (FL_CF | FL_PF | FL_AF | FL_ZF | FL_SF | FL_OF)
#define FL_FIXED 0x0002u /* bit 1 always reads 1 */

/* Provided by the test body. */
extern const char ct_name[];
void ct_main(void);

/* Provided by lib/report.c (shared). */
void ct_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void ct_out(const char *key, uint64_t v);            /* KILN_CPU name key=v */
void ct_out2(const char *key, const char *sub, uint64_t v); /* key.sub=v */
void ct_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
bool ct_check(bool ok, const char *what, uint64_t got, uint64_t want);
bool ct_failed(void);
void ct_finish(void);                  /* prints KILN_CPU_END */
bool ct_verbose(const char *key);      /* DETAIL lines wanted for key? */
void ct_set_verbose(const char *prefix);
size_t ct_strlen(const char *s);
int ct_strncmp(const char *a, const char *b, size_t n);
void *ct_memset(void *d, int c, size_t n);
void *ct_memcpy(void *d, const void *s, size_t n);

/* CRC-32 (IEEE), for hashing long outputs. */
uint32_t ct_crc32(uint32_t crc, const void *p, size_t n);
static inline uint32_t ct_crc64v(uint32_t crc, uint64_t v)
{
	return ct_crc32(crc, &v, sizeof(v));
}

/* A small deterministic PRNG (xorshift64*): the same operands on every
 * run and harness. */
uint64_t ct_rand(uint64_t *state);

/* Quick mode (the guest's command line has quick=1; CT_QUICK=1 for a
 * native program): tables run over 8 of their 16 edge values, those
 * `pick` lists (starting with indices 0 and 1), so a slow CPU (nested
 * KVM, an interpreter) gets through the corpus in a fraction of the time. */
bool ct_quick(void);
void ct_set_quick(bool on);
static inline int ct_count(void)
{
	return ct_quick() ? 8 : 16;
}
static inline int ct_index(int k, const uint8_t pick[8])
{
	return ct_quick() ? pick[k] : k;
}

/* Provided by the harness (guest runtime or native program). */
void ct_write(const char *s, size_t n);

/* Run fn(arg); return -1 when it returned normally, or the exception
 * vector when it faulted (#DE = 0, #UD = 6, #GP = 13, ...). State changed
 * by fn before the fault stays changed. */
int ct_try(void (*fn)(void *), void *arg);
/* Error code and (for #PF) CR2 of the last fault ct_try caught. */
extern uint64_t ct_fault_error, ct_fault_cr2;

#endif
