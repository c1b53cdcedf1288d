/* virtio-blk under load and in its other shapes: a batch that fills the
 * ring (all of it in flight at once), a reset with I/O in flight, write-through,
 * several queues, O_DIRECT with aligned and bounced buffers, and the
 * synchronous fallback when a seccomp filter refuses io_uring. */
#include "virtio_blk_fx.h"

#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>

static void test_batch_fills_the_ring(void **state)
{
	struct fx *f = *state;
	f->qsize = 256;
	bring_up(f);
	const unsigned int n = 80;
	for (unsigned int i = 0; i < n; i++)
		memset(f->ram + DATA_GPA + 0x400ull * i, (int)(0x10 + i), 512);
	uint16_t idx = 0;
	offer_batch(f, 0, &idx, n, VIRTIO_BLK_T_OUT, 100);
	assert_true(wait_used(f, idx));
	check_batch_status(f, 0, n);
	uint8_t buf[512];
	for (unsigned int i = 0; i < n; i++) {
		host_read(f, (100 + i) * 512ull, buf, sizeof(buf));
		assert_int_equal(buf[0], (uint8_t)(0x10 + i));
		assert_int_equal(buf[511], (uint8_t)(0x10 + i));
	}
	memset(f->ram + DATA_GPA, 0, 0x400ull * n);
	offer_batch(f, 0, &idx, n, VIRTIO_BLK_T_IN, 100);
	assert_true(wait_used(f, idx));
	check_batch_status(f, 0, n);
	for (unsigned int i = 0; i < n; i++) {
		assert_int_equal(f->ram[DATA_GPA + 0x400ull * i], (uint8_t)(0x10 + i));
		assert_int_equal(f->ram[DATA_GPA + 0x400ull * i + 511], (uint8_t)(0x10 + i));
	}
	/* every used entry names a head that was offered, each once */
	uint8_t seen[256] = { 0 };
	for (unsigned int i = 0; i < 2 * n; i++) {
		uint32_t id, len;
		memcpy(&id, f->ram + USED_GPA + 4 + 8 * (i % 256), 4);
		memcpy(&len, f->ram + USED_GPA + 4 + 8 * (i % 256) + 4, 4);
		assert_true(id < 256 && id % 3 == 0);
		assert_int_equal(len, i < n ? 1 : 513);
		if (i == n)
			memset(seen, 0, sizeof(seen));
		assert_int_equal(seen[id], 0);
		seen[id] = 1;
	}
	struct virtio_blk_stats s;
	virtio_blk_get_stats(f->blk, &s);
	assert_int_equal(s.requests, 2 * n);
	assert_int_equal(s.write_bytes, 512 * n);
	assert_int_equal(s.read_bytes, 512 * n);
	assert_true(atomic_load(&f->deliveries[0]) >= 1);
}

/* A reset while a batch is in flight: the device waits for its I/O, then
 * works again after the next bring-up. */
static void test_reset_in_flight(void **state)
{
	struct fx *f = *state;
	f->qsize = 256;
	bring_up(f);
	uint16_t idx = 0;
	offer_batch(f, 0, &idx, 80, VIRTIO_BLK_T_IN, 0);
	vdrv_set_status(&f->vd, 0);
	bring_up(f);
	assert_int_equal(request(f, VIRTIO_BLK_T_IN, 7, 512, true, NULL),
			 VIRTIO_BLK_S_OK);
	assert_int_equal(f->ram[DATA_GPA], pattern(7 * 512));
}

/* Snapshot quiescing: pause answers what is in flight and stops popping,
 * so the used ring stands still while paused; resume serves the rest. */
static void test_pause_resume(void **state)
{
	struct fx *f = *state;
	f->qsize = 256;
	bring_up(f);
	uint16_t idx = 0;
	offer_batch(f, 0, &idx, 80, VIRTIO_BLK_T_IN, 0);
	assert_int_equal(virtio_pci_pause(f->t), 0);
	uint16_t *used = (uint16_t *)(f->ram + USED_GPA + 2);
	uint16_t at_pause = __atomic_load_n(used, __ATOMIC_ACQUIRE);
	struct virtio_blk_stats s;
	virtio_blk_get_stats(f->blk, &s);
	assert_int_equal(s.requests, at_pause); /* every popped chain answered */
	struct timespec ts = { 0, 50 * 1000000 };
	nanosleep(&ts, NULL);
	assert_int_equal(__atomic_load_n(used, __ATOMIC_ACQUIRE), at_pause);
	assert_int_equal(virtio_pci_resume(f->t), 0);
	assert_true(wait_used(f, idx));
	check_batch_status(f, 0, 80);
	for (unsigned int i = 0; i < 80; i++)
		assert_int_equal(f->ram[DATA_GPA + 0x400ull * i + 3], pattern(512ull * i + 3));
	/* a pause of a device that is not running, and a reset while paused */
	assert_int_equal(virtio_pci_pause(f->t), 0);
	vdrv_set_status(&f->vd, 0);
	bring_up(f);
	assert_int_equal(request(f, VIRTIO_BLK_T_IN, 9, 512, true, NULL),
			 VIRTIO_BLK_S_OK);
	assert_int_equal(f->ram[DATA_GPA], pattern(9 * 512));
}

static void test_multiqueue(void **state)
{
	struct fx *f = *state;
	uint64_t feat = vdrv_read_features(&f->vd);
	assert_true(feat & (1ull << VIRTIO_BLK_F_MQ));
	assert_int_equal(vdrv_mrd(&f->vd, f->vd.device + offsetof(struct virtio_blk_config,
						     num_queues), 2), 3);
	assert_int_equal(vdrv_mrd(&f->vd, f->vd.common + CC(num_queues), 2), 3);
	f->qsize = 64;
	bring_up_n(f, 3);
	/* queues 1 and 2 write their own sectors at once, then read back */
	uint16_t idx[3] = { 0 };
	for (unsigned int q = 1; q < 3; q++)
		for (unsigned int i = 0; i < 20; i++)
			memset(f->ram + DATA_GPA + 0x400ull * i + 0x40000ull * q,
			       (int)(q * 0x40 + i), 512);
	offer_batch(f, 1, &idx[1], 20, VIRTIO_BLK_T_OUT, 200);
	offer_batch(f, 2, &idx[2], 20, VIRTIO_BLK_T_OUT, 300);
	assert_true(wait_used_q(f, 1, idx[1]));
	assert_true(wait_used_q(f, 2, idx[2]));
	check_batch_status(f, 1, 20);
	check_batch_status(f, 2, 20);
	uint8_t buf[512];
	for (unsigned int i = 0; i < 20; i++) {
		host_read(f, (200 + i) * 512ull, buf, sizeof(buf));
		assert_int_equal(buf[100], (uint8_t)(0x40 + i));
		host_read(f, (300 + i) * 512ull, buf, sizeof(buf));
		assert_int_equal(buf[100], (uint8_t)(0x80 + i));
	}
	/* queue 2 reads what queue 1 wrote */
	offer_batch(f, 2, &idx[2], 20, VIRTIO_BLK_T_IN, 200);
	assert_true(wait_used_q(f, 2, idx[2]));
	check_batch_status(f, 2, 20);
	for (unsigned int i = 0; i < 20; i++)
		assert_int_equal(f->ram[DATA_GPA + 0x400ull * i + 0x80000ull + 7],
				 (uint8_t)(0x40 + i));
	/* and queue 0 still serves */
	assert_int_equal(request(f, VIRTIO_BLK_T_IN, 1, 512, true, NULL),
			 VIRTIO_BLK_S_OK);
	assert_int_equal(f->ram[DATA_GPA], pattern(512));
	/* interrupts came on the queues' own vectors */
	assert_true(atomic_load(&f->deliveries[2]) >= 1);
	assert_true(atomic_load(&f->deliveries[3]) >= 1);
}

/* Without VIRTIO_BLK_F_FLUSH the device is write-through; writes still
 * land and read back. */
static void test_write_through(void **state)
{
	struct fx *f = *state;
	f->drop_features = 1ull << VIRTIO_BLK_F_FLUSH;
	bring_up(f);
	memset(f->ram + DATA_GPA, 0x3c, 1024);
	assert_int_equal(request(f, VIRTIO_BLK_T_OUT, 20, 1024, false, NULL),
			 VIRTIO_BLK_S_OK);
	uint8_t buf[1024];
	host_read(f, 20 * 512, buf, sizeof(buf));
	for (unsigned int i = 0; i < sizeof(buf); i++)
		assert_int_equal(buf[i], 0x3c);
	discard_wz(f, VIRTIO_BLK_T_WRITE_ZEROES, 30, 1, 0, VIRTIO_BLK_S_OK);
	expect_zero(f, 30, 1);
}

static void test_direct(void **state)
{
	struct fx *f = *state;
	if (!f)
		return; /* O_DIRECT refused by this file system */
	uint32_t bs = virtio_blk_block_size(f->blk);
	assert_true(bs >= 512 && !(bs & (bs - 1)));
	assert_int_equal(vdrv_mrd(&f->vd, f->vd.device + offsetof(struct virtio_blk_config,
						     blk_size), 4), bs);
	bring_up(f);
	/* aligned: straight to the file */
	for (unsigned int i = 0; i < 8192; i++)
		f->ram[DATA_GPA + i] = (uint8_t)(i * 13);
	assert_int_equal(request(f, VIRTIO_BLK_T_OUT, 64, 8192, false, NULL),
			 VIRTIO_BLK_S_OK);
	uint8_t buf[8192];
	host_read(f, 64 * 512, buf, sizeof(buf));
	for (unsigned int i = 0; i < sizeof(buf); i++)
		assert_int_equal(buf[i], (uint8_t)(i * 13));
	struct virtio_blk_stats s;
	virtio_blk_get_stats(f->blk, &s);
	assert_int_equal(s.bounced, 0);
	memset(f->ram + DATA_GPA, 0, 8192);
	assert_int_equal(request(f, VIRTIO_BLK_T_IN, 64, 8192, true, NULL),
			 VIRTIO_BLK_S_OK);
	assert_memory_equal(f->ram + DATA_GPA, buf, sizeof(buf));

	/* a buffer at an odd address: through a bounce buffer */
	put_hdr(f, VIRTIO_BLK_T_OUT, 128);
	for (unsigned int i = 0; i < 4096; i++)
		f->ram[DATA_GPA + 1 + i] = (uint8_t)(i ^ 0x5a);
	put_desc(f, 0, HDR_GPA, 16, VIRTQ_DESC_F_NEXT, 1);
	put_desc(f, 1, DATA_GPA + 1, 4096, VIRTQ_DESC_F_NEXT, 2);
	put_desc(f, 2, STATUS_GPA, 1, VIRTQ_DESC_F_WRITE, 0);
	assert_int_equal(submit(f), 1);
	assert_int_equal(f->ram[STATUS_GPA], VIRTIO_BLK_S_OK);
	host_read(f, 128 * 512, buf, 4096);
	for (unsigned int i = 0; i < 4096; i++)
		assert_int_equal(buf[i], (uint8_t)(i ^ 0x5a));
	put_hdr(f, VIRTIO_BLK_T_IN, 128);
	memset(f->ram + DATA_GPA, 0, 8192);
	put_desc(f, 1, DATA_GPA + 3, 4096, VIRTQ_DESC_F_NEXT | VIRTQ_DESC_F_WRITE, 2);
	assert_int_equal(submit(f), 4097);
	assert_memory_equal(f->ram + DATA_GPA + 3, buf, 4096);
	virtio_blk_get_stats(f->blk, &s);
	assert_int_equal(s.bounced, 2);

	/* one 512-byte sector: a partial block when blocks are bigger */
	memset(f->ram + DATA_GPA, 0xc3, 512);
	assert_int_equal(request(f, VIRTIO_BLK_T_OUT, 257, 512, false, NULL),
			 VIRTIO_BLK_S_OK);
	host_read(f, 256 * 512, buf, 1536);
	for (unsigned int i = 0; i < 512; i++) {
		assert_int_equal(buf[i], pattern(256 * 512 + i));
		assert_int_equal(buf[512 + i], 0xc3);
		assert_int_equal(buf[1024 + i], pattern(258 * 512 + i));
	}
	/* flush and write-zeroes on the O_DIRECT file */
	assert_int_equal(request(f, VIRTIO_BLK_T_FLUSH, 0, 0, false, NULL),
			 VIRTIO_BLK_S_OK);
	discard_wz(f, VIRTIO_BLK_T_WRITE_ZEROES, 300, 8, 0, VIRTIO_BLK_S_OK);
	expect_zero(f, 300, 8);
}

static void test_uring_refused_falls_back(void **state)
{
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct sock_filter code[] = {
			BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
				 offsetof(struct seccomp_data, nr)),
			BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_io_uring_setup, 0, 1),
			BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM),
			BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
		};
		struct sock_fprog prog = { .len = 4, .filter = code };
		if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) ||
		    prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog))
			_exit(2);
		char path[] = "/tmp/kiln-blk-nouring-XXXXXX";
		int fd = mkstemp(path);
		if (fd < 0 || ftruncate(fd, 4096))
			_exit(3);
		struct virtio_blk *blk;
		char err[256];
		struct virtio_blk_params p = { .path = path, .num_queues = 2 };
		int r = virtio_blk_create(&blk, &p, err, sizeof(err));
		unlink(path);
		if (r)
			_exit(4);
		bool sync = !strcmp(virtio_blk_backend_name(blk), "sync");
		virtio_blk_destroy(blk);
		_exit(sync ? 0 : 5);
	}
	int st;
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 0);
}

#define BOTH(test) \
	cmocka_unit_test_setup_teardown(test, setup, teardown), \
	cmocka_unit_test_setup_teardown(test, setup_sync, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		BOTH(test_batch_fills_the_ring),
		BOTH(test_reset_in_flight),
		BOTH(test_write_through),
		BOTH(test_pause_resume),
		cmocka_unit_test_setup_teardown(test_multiqueue, setup_mq, teardown),
		cmocka_unit_test_setup_teardown(test_multiqueue, setup_mq_sync, teardown),
		cmocka_unit_test_setup_teardown(test_direct, setup_direct, teardown),
		cmocka_unit_test_setup_teardown(test_direct, setup_direct_sync, teardown),
		cmocka_unit_test(test_uring_refused_falls_back),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
