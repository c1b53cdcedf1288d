/* Disk image backends for virtio-blk.
 *
 * struct blk_image is the opened image, shared by every queue of a disk:
 * its fd, size and the alignment O_DIRECT needs. Two ways to move data:
 *
 *  - blk_file.c, synchronous (preadv/pwritev/fdatasync/fallocate on the
 *    calling thread). Always available; the fallback when io_uring is not,
 *    and the path for what the io_uring path hands over: unaligned O_DIRECT
 *    requests, and write-zeroes on a file system that can neither punch
 *    holes nor zero ranges.
 *  - blk_uring.c, one io_uring per queue thread: blk_uring_queue() prepares
 *    an SQE per request, blk_uring_submit() submits the batch with one
 *    system call, and the ring's eventfd (blk_uring_event_fd) becomes
 *    readable when blk_uring_reap() has completions. Short transfers and
 *    -EAGAIN/-EINTR are resubmitted inside the backend; the caller only
 *    ever sees a request finish once, whole or failed.
 *
 * All functions return 0 or -errno. A request's iovecs point into guest
 * memory; the backend may modify the iovec array (not the data).
 */
#ifndef KILN_BACKENDS_BLK_BACKEND_H
#define KILN_BACKENDS_BLK_BACKEND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

struct blk_image {
	int fd;
	bool readonly;
	bool direct;       /* opened O_DIRECT */
	bool is_blkdev;
	uint64_t size;     /* bytes, a multiple of 512 */
	uint32_t block_size; /* logical block (blk_size): O_DIRECT offsets */
	uint32_t mem_align;  /* O_DIRECT buffer alignment (1 when buffered) */
};

/* Open `path` read-write (or read-only), O_DIRECT if asked; a regular file
 * or a block device whose size is a multiple of 512 bytes. On failure a
 * one-line reason (naming the path) in err. */
int blk_image_open(struct blk_image *img, const char *path, bool readonly,
		   bool direct, char *err, size_t errlen)
	__attribute__((warn_unused_result));
void blk_image_close(struct blk_image *img);

/* Whether O_DIRECT can take [off, off + len) from these buffers as they
 * are (always true for a buffered image). */
bool blk_image_aligned(const struct blk_image *img, const struct iovec *iov,
		       int n, uint64_t off, uint64_t len);

/* ---- synchronous (blk_file.c) ------------------------------------------- */

/* Transfer all of [off, off + len) (len = the iovecs' total) or fail.
 * dsync: the write is on stable storage when this returns. Unaligned
 * O_DIRECT requests go through an aligned bounce buffer (a write that does
 * not cover whole blocks reads the blocks around it first). */
int blk_file_rw(const struct blk_image *img, struct iovec *iov, int n,
		uint64_t off, uint64_t len, bool write, bool dsync)
	__attribute__((warn_unused_result));
int blk_file_flush(const struct blk_image *img)
	__attribute__((warn_unused_result));
/* Advisory: a file system that cannot punch holes did nothing (0). */
int blk_file_discard(const struct blk_image *img, uint64_t off, uint64_t len)
	__attribute__((warn_unused_result));
/* The range reads back as zeroes afterwards; may_unmap allows a hole. */
int blk_file_write_zeroes(const struct blk_image *img, uint64_t off,
			  uint64_t len, bool may_unmap)
	__attribute__((warn_unused_result));

/* ---- io_uring (blk_uring.c) --------------------------------------------- */

/* DISCARD and WRITE_ZEROES are fallocate (IORING_OP_FALLOCATE) with the
 * flags and fallbacks of blk_file_discard / blk_file_write_zeroes: a
 * discard the file system cannot do did nothing (0); a write-zeroes tries
 * a hole (when unmap allows one), then FALLOC_FL_ZERO_RANGE, and finishes
 * with -EOPNOTSUPP when neither works: the caller then writes the zeroes
 * with blk_file_write_zeroes. */
enum blk_op { BLK_OP_READ, BLK_OP_WRITE, BLK_OP_FLUSH, BLK_OP_DISCARD,
	      BLK_OP_WRITE_ZEROES };

/* One request in flight. The caller fills op, off, len, iov/niov (read,
 * write), dsync and unmap, and owns the memory until blk_uring_reap()
 * hands it back with result. */
struct blk_io {
	enum blk_op op;
	/* write: stable before completion (RWF_DSYNC); discard and
	 * write-zeroes: an fdatasync after the fallocate */
	bool dsync;
	bool unmap;        /* write-zeroes: a hole is allowed */
	uint64_t off, len;
	struct iovec *iov;
	int niov;
	int result;        /* on completion: 0 or -errno */
	uint64_t done;     /* backend: bytes transferred so far */
	uint8_t stage;     /* backend: which step of a fallocate request */
};

struct blk_uring;

/* A ring for up to `depth` requests in flight, with an eventfd registered
 * for completions. -ENOSYS / -EPERM / ... when the kernel or a seccomp
 * filter refuses io_uring: the caller then uses blk_file_*. */
int blk_uring_create(struct blk_uring **out, const struct blk_image *img,
		     unsigned int depth) __attribute__((warn_unused_result));
void blk_uring_destroy(struct blk_uring *u);
/* Readable when completions may be waiting (read it, then reap). */
int blk_uring_event_fd(const struct blk_uring *u);
/* Requests given to the ring and not yet reaped. */
unsigned int blk_uring_in_flight(const struct blk_uring *u);
/* Prepare io (submitted with the next blk_uring_submit). -EBUSY when depth
 * requests are already in flight. */
int blk_uring_queue(struct blk_uring *u, struct blk_io *io)
	__attribute__((warn_unused_result));
/* Submit everything prepared with one system call. What the kernel did
 * not take (short of memory: -EAGAIN/-EBUSY) stays for the next call. */
void blk_uring_submit(struct blk_uring *u);
/* Prepared requests the kernel has not taken yet: call submit again soon. */
bool blk_uring_unsubmitted(const struct blk_uring *u);
/* Finished requests, up to max, into done[]; resubmits partial ones. */
unsigned int blk_uring_reap(struct blk_uring *u, struct blk_io **done,
			    unsigned int max);
/* Block until every request in flight has finished (reset). */
void blk_uring_drain(struct blk_uring *u);

#endif
