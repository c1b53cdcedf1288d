/* Kiln's virtio-blk data path against the host's own io_uring, on the
 * same file, in one run: how much of the host's 4 KiB random-read (or
 * -write) IOPS the device passes through at a given queue depth.
 *
 * No guest and no KVM: this program is the driver. It lays out a split
 * ring in memory given to Kiln as guest RAM, keeps `qd` requests in
 * flight (header, data, status: three descriptors each, as Linux's
 * virtio_blk builds them), kicks through the queue's eventfd as KVM's
 * ioeventfd would, and takes completions by polling the used ring, asking
 * for an interrupt after each and sleeping until it comes (EVENT_IDX, as
 * Linux's driver does; the interrupt is an eventfd write, as an irqfd
 * is). So the number is the
 * VMM's share of the cost - its queue thread, virtqueue, request parsing
 * and io_uring use - with the guest's and the hypervisor's left out. The
 * host side is the same random pattern straight on io_uring with O_DIRECT
 * from one thread, which is what fio's io_uring engine does.
 *
 * usage: build/bench/blk_path FILE [qd=32] [seconds=5] [rounds=3] [read|write]
 * FILE is made (1 GiB, written through once) when it does not exist. */
#include "bus/io_bus.h"
#include "bus/pci.h"
#include "core/guest_mem.h"
#include "core/log.h"
#include "devices/virtio_blk.h"
#include "virtio/virtio_pci.h"
#include "virtio/virtqueue.h"

#include <errno.h>
#include <fcntl.h>
#include <liburing.h>
#include <poll.h>
#include <linux/pci_regs.h>
#include <linux/virtio_blk.h>
#include <linux/virtio_config.h>
#include <linux/virtio_pci.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define BS 4096u
#define QSIZE 256u
#define SLOT 3
#define BAR_GPA 0xc0000000ull
#define COMMON (BAR_GPA + VIRTIO_PCI_COMMON_OFF)
#define RAM_SIZE (4ull << 20)
#define DESC_GPA 0x10000ull
#define AVAIL_GPA 0x11000ull
#define USED_GPA 0x12000ull
#define HDR_GPA 0x20000ull    /* 16 bytes a request */
#define STATUS_GPA 0x21000ull /* 1 byte a request */
#define DATA_GPA 0x100000ull  /* BS a request */
#define MAX_QD (QSIZE / 3)
#define FILE_SIZE (1ull << 30)
#define CC(f) offsetof(struct virtio_pci_common_cfg, f)

static void die(const char *what)
{
	fprintf(stderr, "blk_path: %s\n", what);
	exit(1);
}

static double now_s(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec + t.tv_nsec / 1e9;
}

static uint64_t rnd(uint64_t *x)
{
	*x ^= *x << 13;
	*x ^= *x >> 7;
	*x ^= *x << 17;
	return *x;
}

/* ---- the host: io_uring, O_DIRECT, qd in flight -------------------------- */

/* Queue slot i's next I/O: one block at a random offset. */
static void host_queue(struct io_uring *ring, int fd, uint8_t *buf, unsigned int i,
		       uint64_t *x, bool write)
{
	struct io_uring_sqe *s = io_uring_get_sqe(ring);
	uint64_t off = rnd(x) % (FILE_SIZE / BS) * BS;
	if (write)
		io_uring_prep_write(s, fd, buf + (size_t)BS * i, BS, off);
	else
		io_uring_prep_read(s, fd, buf + (size_t)BS * i, BS, off);
	io_uring_sqe_set_data64(s, i);
}

static double host_iops(const char *path, unsigned int qd, double secs, bool write)
{
	int fd = open(path, (write ? O_RDWR : O_RDONLY) | O_DIRECT);
	if (fd < 0)
		die("cannot open the file with O_DIRECT");
	struct io_uring ring;
	if (io_uring_queue_init(qd, &ring, 0))
		die("io_uring_queue_init");
	uint8_t *buf = aligned_alloc(BS, (size_t)BS * qd);
	memset(buf, 0x5a, (size_t)BS * qd);
	uint64_t x = 0x6b696c6e, done = 0;
	for (unsigned int i = 0; i < qd; i++)
		host_queue(&ring, fd, buf, i, &x, write);
	io_uring_submit(&ring);
	double t0 = now_s(), end = t0 + secs;
	while (now_s() < end) {
		struct io_uring_cqe *c;
		if (io_uring_wait_cqe(&ring, &c))
			die("io_uring_wait_cqe");
		unsigned int n = 0, head;
		io_uring_for_each_cqe(&ring, head, c) {
			if (c->res != (int)BS)
				die("a host I/O failed");
			host_queue(&ring, fd, buf, (unsigned int)io_uring_cqe_get_data64(c),
				   &x, write);
			n++;
		}
		io_uring_cq_advance(&ring, n);
		done += n;
		io_uring_submit(&ring);
	}
	double t = now_s() - t0;
	/* let the last ones finish before the file is used again */
	for (unsigned int left = qd; left;) {
		struct io_uring_cqe *c;
		if (io_uring_wait_cqe(&ring, &c))
			break;
		io_uring_cqe_seen(&ring, c);
		left--;
	}
	io_uring_queue_exit(&ring);
	free(buf);
	close(fd);
	return done / t;
}

/* ---- Kiln: virtio-blk behind virtio-pci, this program as the driver ------ */

struct machine {
	struct io_bus pio, mmio;
	struct pci_bus bus;
	struct guest_mem mem;
	uint8_t *ram;
	struct virtio_blk *blk;
	struct virtio_pci *t;
	int irq_fd;
	_Atomic uint64_t irqs;
};

static void deliver(void *opaque, unsigned int vector, uint64_t addr, uint32_t data)
{
	struct machine *m = opaque;
	atomic_fetch_add_explicit(&m->irqs, 1, memory_order_relaxed);
	(void)eventfd_write(m->irq_fd, 1); /* what an irqfd costs */
}

static const struct virtio_pci_host_ops hops = { .deliver = deliver };

static void mwr(struct machine *m, uint64_t a, unsigned int size, uint64_t v)
{
	if (!io_bus_write(&m->mmio, a, size, v))
		die("an MMIO write reached no device");
}

static uint64_t mrd(struct machine *m, uint64_t a, unsigned int size)
{
	uint64_t v = 0;
	if (!io_bus_read(&m->mmio, a, size, &v))
		die("an MMIO read reached no device");
	return v;
}

static void machine_up(struct machine *m, const char *path)
{
	io_bus_init(&m->pio, "pio");
	io_bus_init(&m->mmio, "mmio");
	pci_bus_init(&m->bus, &m->pio, &m->mmio);
	m->ram = mmap(NULL, RAM_SIZE, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (m->ram == MAP_FAILED || guest_mem_init_fake(&m->mem, m->ram, 0, RAM_SIZE))
		die("guest memory");
	m->irq_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	struct virtio_blk_params p = { .path = path, .direct = true };
	char err[256];
	if (virtio_blk_create(&m->blk, &p, err, sizeof(err)) ||
	    virtio_pci_create(&m->t, &m->bus, SLOT, &virtio_blk_ops, m->blk,
			      &m->mem, &hops, m))
		die(err);
	pci_bus_config_write(&m->bus, 0, SLOT, 0, PCI_BASE_ADDRESS_4, 4,
			     (uint32_t)BAR_GPA | PCI_BASE_ADDRESS_MEM_TYPE_64);
	pci_bus_config_write(&m->bus, 0, SLOT, 0, PCI_BASE_ADDRESS_5, 4, 0);
	pci_bus_config_write(&m->bus, 0, SLOT, 0, PCI_COMMAND, 2,
			     PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
	for (unsigned int v = 0; v < 2; v++) {
		uint64_t e = BAR_GPA + VIRTIO_PCI_MSIX_TABLE_OFF + 16ull * v;
		mwr(m, e, 8, 0xfee00000ull);
		mwr(m, e + 8, 4, 0x40 + v);
		mwr(m, e + 12, 4, 0);
	}
	unsigned int cap = virtio_pci_pci_device(m->t)->msix_cap;
	pci_bus_config_write(&m->bus, 0, SLOT, 0, cap + PCI_MSIX_FLAGS, 2,
			     PCI_MSIX_FLAGS_ENABLE);
	mwr(m, COMMON + CC(device_status), 1,
	    VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER);
	mwr(m, COMMON + CC(device_feature_select), 4, 1);
	uint64_t feat = mrd(m, COMMON + CC(device_feature), 4) << 32;
	mwr(m, COMMON + CC(device_feature_select), 4, 0);
	feat |= mrd(m, COMMON + CC(device_feature), 4);
	if (!(feat & (1ull << VIRTIO_F_EVENT_IDX)))
		die("no EVENT_IDX offered");
	mwr(m, COMMON + CC(guest_feature_select), 4, 0);
	mwr(m, COMMON + CC(guest_feature), 4, (uint32_t)feat);
	mwr(m, COMMON + CC(guest_feature_select), 4, 1);
	mwr(m, COMMON + CC(guest_feature), 4, (uint32_t)(feat >> 32));
	mwr(m, COMMON + CC(device_status), 1, VIRTIO_CONFIG_S_ACKNOWLEDGE |
	    VIRTIO_CONFIG_S_DRIVER | VIRTIO_CONFIG_S_FEATURES_OK);
	mwr(m, COMMON + CC(queue_select), 2, 0);
	mwr(m, COMMON + CC(queue_size), 2, QSIZE);
	mwr(m, COMMON + CC(queue_msix_vector), 2, 0);
	mwr(m, COMMON + CC(queue_desc_lo), 8, DESC_GPA);
	mwr(m, COMMON + CC(queue_avail_lo), 8, AVAIL_GPA);
	mwr(m, COMMON + CC(queue_used_lo), 8, USED_GPA);
	mwr(m, COMMON + CC(queue_enable), 2, 1);
	mwr(m, COMMON + CC(msix_config), 2, 1);
	mwr(m, COMMON + CC(device_status), 1, 0x0f);
	if (mrd(m, COMMON + CC(device_status), 1) != 0x0f)
		die("the device did not take DRIVER_OK");
}

static void machine_down(struct machine *m)
{
	virtio_pci_destroy(m->t);
	virtio_blk_destroy(m->blk);
	pci_bus_destroy(&m->bus);
	io_bus_destroy(&m->mmio);
	io_bus_destroy(&m->pio);
	guest_mem_destroy(&m->mem);
	munmap(m->ram, RAM_SIZE);
	close(m->irq_fd);
}

static void put_desc(uint8_t *ram, unsigned int i, uint64_t addr, uint32_t len,
		     uint16_t flags, uint16_t next)
{
	uint8_t *d = ram + DESC_GPA + 16ull * i;
	memcpy(d, &addr, 8);
	memcpy(d + 8, &len, 4);
	memcpy(d + 12, &flags, 2);
	memcpy(d + 14, &next, 2);
}

/* Request slot i: sector and direction into its header; its chain is
 * descriptors 3i..3i+2, fixed. */
static void prepare(uint8_t *ram, unsigned int i, uint64_t sector, bool write)
{
	struct virtio_blk_outhdr h = {
		.type = write ? VIRTIO_BLK_T_OUT : VIRTIO_BLK_T_IN,
		.sector = sector,
	};
	memcpy(ram + HDR_GPA + 16ull * i, &h, sizeof(h));
	ram[STATUS_GPA + i] = 0xff;
	uint16_t d = (uint16_t)(3 * i);
	put_desc(ram, d, HDR_GPA + 16ull * i, sizeof(h), VIRTQ_DESC_F_NEXT, d + 1);
	put_desc(ram, d + 1u, DATA_GPA + (uint64_t)BS * i, BS,
		 VIRTQ_DESC_F_NEXT | (write ? 0 : VIRTQ_DESC_F_WRITE), d + 2);
	put_desc(ram, d + 2u, STATUS_GPA + i, 1, VIRTQ_DESC_F_WRITE, 0);
}

static double kiln_iops(const char *path, unsigned int qd, double secs, bool write,
			double *irqs_per_req, double *kicks_per_req)
{
	struct machine m = { 0 };
	machine_up(&m, path);
	uint8_t *ram = m.ram;
	memset(ram + DATA_GPA, 0x5a, (size_t)BS * qd);
	int kick = virtio_pci_kick_fd(m.t, 0);
	_Atomic uint16_t *avail_idx = (_Atomic uint16_t *)(ram + AVAIL_GPA + 2);
	uint16_t *avail_ring = (uint16_t *)(ram + AVAIL_GPA + 4);
	_Atomic uint16_t *used_event = (_Atomic uint16_t *)(ram + AVAIL_GPA + 4 + 2 * QSIZE);
	_Atomic uint16_t *used_idx = (_Atomic uint16_t *)(ram + USED_GPA + 2);
	_Atomic uint16_t *avail_event = (_Atomic uint16_t *)(ram + USED_GPA + 4 + 8 * QSIZE);
	uint64_t x = 0x6b696c6e, sectors = FILE_SIZE / 512, done = 0, kicks = 0;
	uint16_t avail = 0, seen = 0;
	/* publish n more chains (heads in the avail ring already), kick if
	 * the device asked for it */
	#define PUBLISH(n) do {                                                    \
		uint16_t old = avail;                                              \
		avail = (uint16_t)(avail + (n));                                   \
		atomic_store_explicit(avail_idx, avail, memory_order_release);     \
		atomic_thread_fence(memory_order_seq_cst);                         \
		uint16_t ev = atomic_load_explicit(avail_event, memory_order_relaxed); \
		if ((uint16_t)(avail - ev - 1) < (uint16_t)(avail - old)) {        \
			(void)eventfd_write(kick, 1);                              \
			kicks++;                                                   \
		}                                                                  \
	} while (0)
	for (unsigned int i = 0; i < qd; i++) {
		prepare(ram, i, rnd(&x) % (sectors / 8) * 8, write);
		avail_ring[i % QSIZE] = (uint16_t)(3 * i);
	}
	PUBLISH(qd);
	double t0 = now_s(), end = t0 + secs;
	uint64_t irqs0 = atomic_load(&m.irqs);
	while (now_s() < end) {
		/* want an interrupt for the next completion, as Linux does */
		atomic_store_explicit(used_event, seen, memory_order_relaxed);
		atomic_thread_fence(memory_order_seq_cst);
		uint16_t u = atomic_load_explicit(used_idx, memory_order_acquire);
		if (u == seen) {
			/* sleep until the interrupt, as a guest's vCPU would */
			struct pollfd pfd = { .fd = m.irq_fd, .events = POLLIN };
			if (poll(&pfd, 1, 5000) != 1)
				die("no completion for 5 s");
			eventfd_t v;
			(void)eventfd_read(m.irq_fd, &v);
			continue;
		}
		unsigned int n = 0;
		for (; seen != u; seen++, n++) {
			uint32_t id;
			memcpy(&id, ram + USED_GPA + 4 + 8 * (seen % QSIZE), 4);
			unsigned int i = id / 3;
			if (id % 3 || i >= qd || ram[STATUS_GPA + i] != VIRTIO_BLK_S_OK)
				die("a request came back wrong");
			prepare(ram, i, rnd(&x) % (sectors / 8) * 8, write);
			avail_ring[(uint16_t)(avail + n) % QSIZE] = (uint16_t)id;
		}
		done += n;
		PUBLISH(n);
	}
	double t = now_s() - t0;
	*irqs_per_req = (double)(atomic_load(&m.irqs) - irqs0) / (double)done;
	*kicks_per_req = (double)kicks / (double)done;
	while (atomic_load_explicit(used_idx, memory_order_acquire) != avail)
		usleep(100);
	#undef PUBLISH
	machine_down(&m);
	return done / t;
}

/* ---- the file, the rounds ------------------------------------------------- */

static void make_file(const char *path)
{
	struct stat st;
	if (stat(path, &st) == 0) {
		if ((uint64_t)st.st_size < FILE_SIZE)
			die("the file is smaller than 1 GiB");
		return;
	}
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
	if (fd < 0)
		die("cannot create the file");
	static uint8_t chunk[1 << 20];
	for (size_t i = 0; i < sizeof(chunk); i++)
		chunk[i] = (uint8_t)(i * 7 + 1);
	for (uint64_t off = 0; off < FILE_SIZE; off += sizeof(chunk))
		if (write(fd, chunk, sizeof(chunk)) != (ssize_t)sizeof(chunk))
			die("cannot write the file");
	if (fsync(fd))
		die("fsync");
	close(fd);
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
	if (argc < 2 || !strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
		fprintf(stderr, "usage: %s FILE [qd=32] [seconds=5] [rounds=3] [read|write]\n",
			argv[0]);
		return 2;
	}
	unsigned int qd = argc > 2 ? (unsigned int)atoi(argv[2]) : 32;
	double secs = argc > 3 ? atof(argv[3]) : 5;
	unsigned int rounds = argc > 4 ? (unsigned int)atoi(argv[4]) : 3;
	bool wr = argc > 5 && !strcmp(argv[5], "write");
	if (qd < 1 || qd > MAX_QD || secs <= 0 || rounds < 1 || rounds > 20)
		die("qd 1..85, seconds > 0, rounds 1..20");
	log_set_level(LOG_ERROR);
	make_file(argv[1]);
	double h[20], k[20], irq = 0, kick = 0;
	for (unsigned int r = 0; r < rounds; r++) {
		/* alternate which goes first, so a drift hits both */
		if (r & 1) {
			k[r] = kiln_iops(argv[1], qd, secs, wr, &irq, &kick);
			h[r] = host_iops(argv[1], qd, secs, wr);
		} else {
			h[r] = host_iops(argv[1], qd, secs, wr);
			k[r] = kiln_iops(argv[1], qd, secs, wr, &irq, &kick);
		}
		printf("round %u: host %.0f IOPS, Kiln %.0f IOPS (%.2f), %.3f interrupts "
		       "and %.3f kicks a request\n", r + 1, h[r], k[r], k[r] / h[r], irq, kick);
		fflush(stdout);
	}
	qsort(h, rounds, sizeof(h[0]), cmp);
	qsort(k, rounds, sizeof(k[0]), cmp);
	double hm = h[rounds / 2], km = k[rounds / 2];
	printf("4 KiB random %s, QD%u, %u x %.0f s, medians: host %.0f IOPS, Kiln %.0f "
	       "IOPS, Kiln / host %.2f\n", wr ? "write" : "read", qd, rounds, secs, hm,
	       km, km / hm);
	return 0;
}
