#include "core/guest_mem.h"

#include "core/dirty_bitmap.h"
#include "core/log.h"
#include "core/util.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <linux/memfd.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#define GiB (1ull << 30)
#define HUGEPAGE_SIZE (2ull << 20)

static int map_region(struct guest_mem *mem, struct guest_mem_region *r)
{
	int prot = PROT_READ | PROT_WRITE;

	r->fd = -1;
	if (mem->backing == GUEST_MEM_ANON) {
		r->host = mmap(NULL, r->size, prot,
			       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
		if (r->host == MAP_FAILED) {
			r->host = NULL;
			return -errno;
		}
		/* Let the host back guest RAM with transparent hugepages. */
		madvise(r->host, r->size, MADV_HUGEPAGE);
		return 0;
	}

	unsigned int flags = MFD_CLOEXEC;
	if (mem->backing == GUEST_MEM_HUGETLB) {
		flags |= MFD_HUGETLB | MFD_HUGE_2MB;
		if (r->size % HUGEPAGE_SIZE)
			return -EINVAL;
	}
	int fd = memfd_create("kiln-guest-ram", flags);
	if (fd < 0)
		return -errno;
	if (ftruncate(fd, (off_t)r->size) < 0) {
		int err = -errno;
		close(fd);
		return err;
	}
	r->host = mmap(NULL, r->size, prot, MAP_SHARED, fd, 0);
	if (r->host == MAP_FAILED) {
		int err = -errno;
		r->host = NULL;
		close(fd);
		return err;
	}
	r->fd = fd;
	r->fd_offset = 0;
	return 0;
}

static void unmap_region(struct guest_mem_region *r)
{
	if (r->host)
		munmap(r->host, r->size);
	if (r->fd >= 0)
		close(r->fd);
	r->host = NULL;
	r->fd = -1;
}

int guest_mem_init(struct guest_mem *mem, uint64_t ram_size,
		   uint64_t hole_start, enum guest_mem_backing backing)
{
	memset(mem, 0, sizeof(*mem));
	mem->backing = backing;
	if (ram_size == 0 || hole_start == 0 || hole_start > 4 * GiB)
		return -EINVAL;

	uint64_t low = ram_size < hole_start ? ram_size : hole_start;
	uint64_t high = ram_size - low;
	struct guest_mem_region want[2] = {
		{ .gpa = 0, .size = low },
		{ .gpa = 4 * GiB, .size = high },
	};

	for (unsigned int i = 0; i < 2; i++) {
		if (!want[i].size)
			continue;
		struct guest_mem_region *r = &mem->regions[mem->nr_regions];
		*r = want[i];
		int err = map_region(mem, r);
		if (err) {
			guest_mem_destroy(mem);
			return err;
		}
		mem->nr_regions++;
	}
	mem->ram_size = ram_size;
	return 0;
}

int guest_mem_init_fake(struct guest_mem *mem, uint8_t *buf, uint64_t gpa,
			uint64_t size)
{
	if (mem->nr_regions == 0 && mem->ram_size == 0)
		memset(mem, 0, sizeof(*mem));
	if (mem->nr_regions >= GUEST_MEM_MAX_REGIONS || !size ||
	    gpa + size < gpa)
		return -EINVAL;
	struct guest_mem_region *r = &mem->regions[mem->nr_regions++];
	r->gpa = gpa;
	r->size = size;
	r->host = buf;
	r->fd = -2; /* not ours: never unmapped */
	mem->ram_size += size;
	return 0;
}

void guest_mem_destroy(struct guest_mem *mem)
{
	for (unsigned int i = 0; i < mem->nr_regions; i++) {
		if (mem->regions[i].fd == -2)
			continue;
		unmap_region(&mem->regions[i]);
	}
	mem->dirty_logging = false;
	for (unsigned int i = 0; i < GUEST_MEM_MAX_REGIONS; i++) {
		free(mem->dirty[i]);
		mem->dirty[i] = NULL;
	}
	free(mem->vhost_log);
	mem->vhost_log = NULL;
	mem->nr_regions = 0;
	mem->ram_size = 0;
}

static const struct guest_mem_region *find_region(const struct guest_mem *mem,
						  uint64_t gpa)
{
	for (unsigned int i = 0; i < mem->nr_regions; i++) {
		const struct guest_mem_region *r = &mem->regions[i];
		if (gpa >= r->gpa && gpa - r->gpa < r->size)
			return r;
	}
	return NULL;
}

void *guest_mem_slice(const struct guest_mem *mem, uint64_t gpa, uint64_t len)
{
	if (gpa + len < gpa)
		return NULL;
	const struct guest_mem_region *r = find_region(mem, gpa);
	if (!r)
		return NULL;
	uint64_t off = gpa - r->gpa;
	if (len > r->size - off)
		return NULL;
	return r->host + off;
}

/* Walk [gpa, gpa+len) region by region; fn gets each host chunk. */
static int for_each_chunk(const struct guest_mem *mem, uint64_t gpa,
			  uint64_t len, uint8_t *buf, bool to_guest)
{
	if (gpa + len < gpa)
		return -EFAULT;
	while (len) {
		const struct guest_mem_region *r = find_region(mem, gpa);
		if (!r)
			return -EFAULT;
		uint64_t off = gpa - r->gpa;
		uint64_t n = r->size - off < len ? r->size - off : len;
		if (to_guest)
			memcpy(r->host + off, buf, n);
		else
			memcpy(buf, r->host + off, n);
		gpa += n;
		buf += n;
		len -= n;
	}
	return 0;
}

bool guest_mem_is_ram(const struct guest_mem *mem, uint64_t gpa, uint64_t len)
{
	if (gpa + len < gpa)
		return false;
	while (len) {
		const struct guest_mem_region *r = find_region(mem, gpa);
		if (!r)
			return false;
		uint64_t avail = r->size - (gpa - r->gpa);
		if (avail >= len)
			return true;
		gpa += avail;
		len -= avail;
	}
	return true;
}

int guest_mem_read(const struct guest_mem *mem, uint64_t gpa, void *dst,
		   uint64_t len)
{
	if (!guest_mem_is_ram(mem, gpa, len))
		return -EFAULT;
	return for_each_chunk(mem, gpa, len, dst, false);
}

int guest_mem_write(struct guest_mem *mem, uint64_t gpa, const void *src,
		    uint64_t len)
{
	if (!guest_mem_is_ram(mem, gpa, len))
		return -EFAULT;
	int e = for_each_chunk(mem, gpa, len, (uint8_t *)src, true);
	guest_mem_mark_dirty(mem, gpa, len);
	return e;
}

uint64_t guest_mem_region_pages(const struct guest_mem *mem, unsigned int i)
{
	return (mem->regions[i].size + GUEST_PAGE_SIZE - 1) / GUEST_PAGE_SIZE;
}

/* Words of the vhost log: pages up to the end of the highest region. */
static size_t vhost_log_words(const struct guest_mem *mem)
{
	uint64_t end = 0;
	for (unsigned int i = 0; i < mem->nr_regions; i++)
		end = max_u64(end, mem->regions[i].gpa + mem->regions[i].size);
	return dirty_bitmap_words((end + GUEST_PAGE_SIZE - 1) / GUEST_PAGE_SIZE);
}

int guest_mem_dirty_log_start(struct guest_mem *mem)
{
	size_t log_words = vhost_log_words(mem);
	if (!mem->vhost_log)
		mem->vhost_log = calloc(log_words, sizeof(uint64_t));
	if (!mem->vhost_log)
		return -ENOMEM;
	for (size_t w = 0; w < log_words; w++)
		__atomic_store_n(&mem->vhost_log[w], 0, __ATOMIC_RELAXED);
	for (unsigned int i = 0; i < mem->nr_regions; i++) {
		size_t words = dirty_bitmap_words(guest_mem_region_pages(mem, i));
		if (!mem->dirty[i])
			mem->dirty[i] = calloc(words, sizeof(uint64_t));
		if (!mem->dirty[i])
			return -ENOMEM;
		for (size_t w = 0; w < words; w++)
			__atomic_store_n(&mem->dirty[i][w], 0, __ATOMIC_RELAXED);
	}
	__atomic_store_n(&mem->dirty_logging, true, __ATOMIC_RELEASE);
	return 0;
}

void guest_mem_dirty_log_stop(struct guest_mem *mem)
{
	__atomic_store_n(&mem->dirty_logging, false, __ATOMIC_RELEASE);
}

void guest_mem_mark_dirty(struct guest_mem *mem, uint64_t gpa, uint64_t len)
{
	if (!guest_mem_dirty_logging(mem) || !len)
		return;
	uint64_t end = gpa + len < gpa ? UINT64_MAX : gpa + len;
	for (unsigned int i = 0; i < mem->nr_regions; i++) {
		const struct guest_mem_region *r = &mem->regions[i];
		uint64_t lo = gpa > r->gpa ? gpa : r->gpa;
		uint64_t hi = end < r->gpa + r->size ? end : r->gpa + r->size;
		if (lo >= hi || !mem->dirty[i])
			continue;
		uint64_t first = (lo - r->gpa) / GUEST_PAGE_SIZE;
		uint64_t last = (hi - 1 - r->gpa) / GUEST_PAGE_SIZE;
		dirty_bitmap_set(mem->dirty[i], guest_mem_region_pages(mem, i),
				 first, last - first + 1);
	}
}

uint64_t *guest_mem_vhost_log(struct guest_mem *mem)
{
	return guest_mem_dirty_logging(mem) ? mem->vhost_log : NULL;
}

void guest_mem_take_dirty(struct guest_mem *mem, unsigned int i, uint64_t *dst)
{
	if (i >= mem->nr_regions)
		return;
	uint64_t pages = guest_mem_region_pages(mem, i);
	if (mem->dirty[i])
		dirty_bitmap_take(dst, mem->dirty[i], dirty_bitmap_words(pages));
	if (mem->vhost_log)
		dirty_bitmap_take_range(dst, pages, mem->vhost_log,
					mem->regions[i].gpa / GUEST_PAGE_SIZE);
}

uint64_t guest_mem_low_end(const struct guest_mem *mem)
{
	uint64_t end = 0;
	for (unsigned int i = 0; i < mem->nr_regions; i++) {
		const struct guest_mem_region *r = &mem->regions[i];
		if (r->gpa < 4 * GiB) {
			uint64_t e = r->gpa + r->size;
			end = e > end ? e : end;
		}
	}
	return end;
}

#define FILE_ALIGN 4096ull

uint64_t guest_mem_file_offset(const struct guest_mem *mem, unsigned int region)
{
	uint64_t off = 0;
	for (unsigned int i = 0; i < region && i < mem->nr_regions; i++)
		off += (mem->regions[i].size + FILE_ALIGN - 1) & ~(FILE_ALIGN - 1);
	return off;
}

static bool page_is_zero(const uint8_t *p, size_t len)
{
	const uint64_t *w = (const uint64_t *)p;
	for (size_t i = 0; i < len / 8; i++)
		if (w[i])
			return false;
	return true;
}

static int pwrite_all(int fd, const uint8_t *p, uint64_t len, uint64_t off)
{
	while (len) {
		size_t chunk = len > (1u << 30) ? (1u << 30) : (size_t)len;
		ssize_t w = pwrite(fd, p, chunk, (off_t)off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return w < 0 ? -errno : -EIO;
		p += w;
		off += (uint64_t)w;
		len -= (uint64_t)w;
	}
	return 0;
}

int guest_mem_save_file(const struct guest_mem *mem, int fd)
{
	uint64_t total = guest_mem_file_offset(mem, mem->nr_regions);
	if (ftruncate(fd, 0) < 0 || ftruncate(fd, (off_t)total) < 0)
		return -errno;
	for (unsigned int i = 0; i < mem->nr_regions; i++) {
		const struct guest_mem_region *r = &mem->regions[i];
		uint64_t base = guest_mem_file_offset(mem, i);
		/* Runs of non-zero pages, each written with one pwrite. */
		uint64_t run = 0, pos = 0;
		bool in_run = false;
		for (pos = 0; pos < r->size; pos += FILE_ALIGN) {
			size_t n = r->size - pos < FILE_ALIGN ? (size_t)(r->size - pos)
							     : FILE_ALIGN;
			bool zero = n == FILE_ALIGN && page_is_zero(r->host + pos, n);
			if (!zero && !in_run) {
				run = pos;
				in_run = true;
			} else if (zero && in_run) {
				int e = pwrite_all(fd, r->host + run, pos - run, base + run);
				if (e)
					return e;
				in_run = false;
			}
		}
		if (in_run) {
			int e = pwrite_all(fd, r->host + run, r->size - run, base + run);
			if (e)
				return e;
		}
	}
	return 0;
}

static int pread_all(int fd, uint8_t *p, uint64_t len, uint64_t off)
{
	while (len) {
		size_t chunk = len > (1u << 30) ? (1u << 30) : (size_t)len;
		ssize_t r = pread(fd, p, chunk, (off_t)off);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return r < 0 ? -errno : -EIO;
		p += r;
		off += (uint64_t)r;
		len -= (uint64_t)r;
	}
	return 0;
}

int guest_mem_load_file(struct guest_mem *mem, int fd)
{
	struct stat st;
	if (fstat(fd, &st) < 0)
		return -errno;
	if ((uint64_t)st.st_size != guest_mem_file_offset(mem, mem->nr_regions))
		return -EINVAL;
	for (unsigned int i = 0; i < mem->nr_regions; i++) {
		struct guest_mem_region *r = &mem->regions[i];
		uint64_t off = guest_mem_file_offset(mem, i);
		if (r->fd == -1 && mem->backing == GUEST_MEM_ANON) {
			void *p = mmap(r->host, r->size, PROT_READ | PROT_WRITE,
				       MAP_PRIVATE | MAP_FIXED | MAP_NORESERVE, fd,
				       (off_t)off);
			if (p == MAP_FAILED)
				return -errno;
			continue;
		}
		int e = pread_all(fd, r->host, r->size, off);
		if (e)
			return e;
	}
	return 0;
}
