/* RAM records: pages to the wire and back. */
#include "migration/migrate_ram.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#define PAGE GUEST_PAGE_SIZE

static bool page_is_zero(const uint8_t *p)
{
	const uint64_t *w = (const uint64_t *)p;
	for (size_t i = 0; i < PAGE / 8; i++)
		if (w[i])
			return false;
	return true;
}

static int put_record(struct mig_writer *w, uint64_t gpa, uint32_t pages,
		      bool zero, const uint8_t *data)
{
	uint8_t hdr[MIGRATE_RAM_HEADER];
	struct mig_buf b = mig_buf_make(hdr, sizeof(hdr));
	mig_put_u64(&b, gpa);
	mig_put_u32(&b, pages);
	mig_put_u32(&b, zero ? MIGRATE_RAM_ZERO : 0);
	uint64_t data_len = zero ? 0 : (uint64_t)pages * PAGE;
	int e = mig_buf_status(&b);
	if (!e)
		e = mig_begin_record(w, MIGRATE_RAM_RECORD, MIGRATE_RAM_VERSION, 0,
				     MIGRATE_RAM_HEADER + data_len);
	if (!e)
		e = mig_write_payload(w, hdr, sizeof(hdr));
	if (!e && data_len)
		e = mig_write_payload(w, data, (size_t)data_len);
	if (!e)
		e = mig_end_record(w);
	return e;
}

int migrate_ram_send(struct mig_writer *w, const struct guest_mem *mem,
		     unsigned int region, uint64_t first, uint64_t count,
		     uint8_t *buf, struct migrate_ram_stats *st)
{
	if (region >= mem->nr_regions)
		return -EINVAL;
	const struct guest_mem_region *r = &mem->regions[region];
	uint64_t total = r->size / PAGE; /* a partial last page is never RAM */
	if (first > total || count > total - first)
		return -EINVAL;
	/* One pending record at a time: `n` data pages in buf, or `zeros`
	 * zero pages, starting at page `start`. */
	uint64_t start = first, n = 0, zeros = 0;
	for (uint64_t p = first; p < first + count; p++) {
		/* Zeros are checked in place (no copy: most of a fresh guest's
		 * RAM is zeros); a page found zero while the guest writes it
		 * is in the dirty log and goes again. Data is copied once and
		 * the copy sent, so a record's data is one page state. */
		bool zero = page_is_zero(r->host + p * PAGE);
		if (!zero)
			memcpy(buf + n * PAGE, r->host + p * PAGE, PAGE);
		if ((zero && n) || (!zero && zeros)) {
			int e = put_record(w, r->gpa + start * PAGE,
					   (uint32_t)(n + zeros), zeros != 0, buf);
			if (e)
				return e;
			/* A data page after zeros is already at buf[0] (n was
			 * 0); zeros need no buffer. */
			start = p;
			n = zeros = 0;
		}
		if (zero)
			zeros++;
		else
			n++;
		st->pages++;
		st->zero_pages += zero;
		if (n + zeros == MIGRATE_RAM_MAX_PAGES) {
			int e = put_record(w, r->gpa + start * PAGE,
					   (uint32_t)(n + zeros), zeros != 0, buf);
			if (e)
				return e;
			start = p + 1;
			n = zeros = 0;
		}
	}
	if (n + zeros)
		return put_record(w, r->gpa + start * PAGE, (uint32_t)(n + zeros),
				  zeros != 0, buf);
	return 0;
}

int migrate_ram_receive(struct guest_mem *mem, struct mig_reader *r,
			const struct mig_record_info *info, char *err,
			size_t errlen)
{
	int e = mig_check_record(r, info, MIGRATE_RAM_RECORD, MIGRATE_RAM_VERSION,
				 MIGRATE_RAM_HEADER,
				 MIGRATE_RAM_HEADER + MIGRATE_RAM_MAX_PAGES * PAGE);
	if (e) {
		snprintf(err, errlen, "%s", mig_error(r));
		return e;
	}
	uint8_t hdr[MIGRATE_RAM_HEADER];
	e = mig_read_payload_part(r, hdr, sizeof(hdr));
	if (e) {
		snprintf(err, errlen, "%s", mig_error(r));
		return e;
	}
	struct mig_buf b = mig_buf_make(hdr, sizeof(hdr));
	uint64_t gpa = mig_get_u64(&b);
	uint32_t pages = mig_get_u32(&b);
	uint32_t flags = mig_get_u32(&b);
	bool zero = flags == MIGRATE_RAM_ZERO;
	uint64_t len = (uint64_t)pages * PAGE; /* pages < 2^32: no overflow */
	const char *why = NULL;
	void *host = NULL;
	if (mig_buf_end(&b))
		why = "short header";
	else if (flags & ~MIGRATE_RAM_ZERO)
		why = "unknown flags";
	else if (!pages || pages > MIGRATE_RAM_MAX_PAGES)
		why = "page count out of range";
	else if (gpa % PAGE)
		why = "address not page aligned";
	else if (info->len != MIGRATE_RAM_HEADER + (zero ? 0 : len))
		why = "length does not match the page count";
	else if (!(host = guest_mem_slice(mem, gpa, len)))
		why = "pages outside this VM's RAM";
	if (why) {
		snprintf(err, errlen, "ram record at stream offset %llu "
			 "(gpa 0x%llx, %u pages): %s",
			 (unsigned long long)info->offset, (unsigned long long)gpa,
			 pages, why);
		return -EPROTO;
	}
	if (zero) {
		/* Fresh RAM reads as zeros without being allocated: write only
		 * pages that hold something (a page sent before). */
		for (uint32_t i = 0; i < pages; i++) {
			uint8_t *p = (uint8_t *)host + (uint64_t)i * PAGE;
			if (!page_is_zero(p))
				memset(p, 0, PAGE);
		}
		return 0;
	}
	e = mig_read_payload_part(r, host, (size_t)len);
	if (e)
		snprintf(err, errlen, "%s", mig_error(r));
	return e;
}
