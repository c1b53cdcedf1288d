/* The io_uring disk backend: one ring per queue thread (not thread-safe). */
#include "backends/blk_backend.h"

#include <errno.h>
#include <linux/falloc.h>
#include <liburing.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

/* The steps of DISCARD / WRITE_ZEROES (blk_io.stage). */
enum { ST_PUNCH, ST_ZERO, ST_SYNC };

struct blk_uring {
	struct io_uring ring;
	const struct blk_image *img;
	int event_fd;
	unsigned int depth;
	unsigned int in_flight; /* queued and not yet reaped */
	/* Finished while preparing or submitting (no SQE, submit failed):
	 * handed out by the next reap. [depth] */
	struct blk_io **failed;
	unsigned int nr_failed;
};

int blk_uring_create(struct blk_uring **out, const struct blk_image *img,
		     unsigned int depth)
{
	struct blk_uring *u = calloc(1, sizeof(*u));
	if (!u)
		return -ENOMEM;
	u->failed = calloc(depth, sizeof(*u->failed));
	u->img = img;
	u->depth = depth;
	u->event_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	int r = !u->failed ? -ENOMEM : u->event_fd < 0 ? -errno : 0;
	if (r)
		goto fail;
	/* The CQ holds twice the SQ; with at most `depth` in flight it never
	 * overflows. */
	r = io_uring_queue_init(depth, &u->ring, 0);
	if (r)
		goto fail;
	r = io_uring_register_eventfd(&u->ring, u->event_fd);
	if (r) {
		io_uring_queue_exit(&u->ring);
		goto fail;
	}
	*out = u;
	return 0;
fail:
	if (u->event_fd >= 0)
		close(u->event_fd);
	free(u->failed);
	free(u);
	return r;
}

void blk_uring_destroy(struct blk_uring *u)
{
	if (!u)
		return;
	blk_uring_drain(u);
	io_uring_queue_exit(&u->ring);
	close(u->event_fd);
	free(u->failed);
	free(u);
}

int blk_uring_event_fd(const struct blk_uring *u)
{
	return u->event_fd;
}

unsigned int blk_uring_in_flight(const struct blk_uring *u)
{
	return u->in_flight;
}

/* An SQE, submitting what is prepared to make room if the SQ is full. */
static struct io_uring_sqe *get_sqe(struct blk_uring *u)
{
	struct io_uring_sqe *sqe = io_uring_get_sqe(&u->ring);
	for (int i = 0; !sqe && i < 3; i++) {
		(void)io_uring_submit(&u->ring);
		sqe = io_uring_get_sqe(&u->ring);
	}
	return sqe;
}

/* Prepare the rest of io (io->done bytes are already transferred). */
static void prep(struct blk_uring *u, struct blk_io *io)
{
	struct io_uring_sqe *sqe = get_sqe(u);
	if (!sqe) {
		io->result = -EBUSY;
		u->failed[u->nr_failed++] = io;
		/* wake the queue thread: no completion may come to do it */
		(void)eventfd_write(u->event_fd, 1);
		return;
	}
	int fd = u->img->fd;
	switch (io->op) {
	case BLK_OP_READ:
		io_uring_prep_readv(sqe, fd, io->iov, (unsigned int)io->niov,
				    io->off + io->done);
		break;
	case BLK_OP_WRITE:
		io_uring_prep_writev2(sqe, fd, io->iov, (unsigned int)io->niov,
				      io->off + io->done, io->dsync ? RWF_DSYNC : 0);
		break;
	case BLK_OP_FLUSH:
		io_uring_prep_fsync(sqe, fd, IORING_FSYNC_DATASYNC);
		break;
	case BLK_OP_DISCARD:
	case BLK_OP_WRITE_ZEROES:
		if (io->stage == ST_SYNC)
			io_uring_prep_fsync(sqe, fd, IORING_FSYNC_DATASYNC);
		else
			io_uring_prep_fallocate(sqe, fd,
				FALLOC_FL_KEEP_SIZE | (io->stage == ST_PUNCH
					? FALLOC_FL_PUNCH_HOLE : FALLOC_FL_ZERO_RANGE),
				(off_t)io->off, (off_t)io->len);
		break;
	}
	io_uring_sqe_set_data(sqe, io);
}

int blk_uring_queue(struct blk_uring *u, struct blk_io *io)
{
	if (u->in_flight >= u->depth)
		return -EBUSY;
	if (io->op != BLK_OP_READ && io->op != BLK_OP_FLUSH && u->img->readonly)
		return -EROFS;
	io->done = 0;
	io->result = 0;
	io->stage = io->op == BLK_OP_WRITE_ZEROES && !io->unmap ? ST_ZERO : ST_PUNCH;
	u->in_flight++;
	prep(u, io);
	return 0;
}

void blk_uring_submit(struct blk_uring *u)
{
	int r;
	do
		r = io_uring_submit(&u->ring);
	while (r == -EINTR);
	/* -EAGAIN / -EBUSY: the kernel is short of memory or completion room;
	 * the SQEs stay in the ring and go with the next call. */
}

bool blk_uring_unsubmitted(const struct blk_uring *u)
{
	return io_uring_sq_ready(&u->ring) > 0;
}

static void iov_advance(struct blk_io *io, size_t n)
{
	while (io->niov > 0 && n >= io->iov->iov_len) {
		n -= io->iov->iov_len;
		io->iov++;
		io->niov--;
	}
	if (io->niov > 0 && n) {
		io->iov->iov_base = (uint8_t *)io->iov->iov_base + n;
		io->iov->iov_len -= n;
	}
}

/* What a file system that cannot do a fallocate mode answers. */
static bool unsupported(int res)
{
	return res == -EOPNOTSUPP || res == -ENOSYS || res == -EINVAL;
}

/* A fallocate step finished with res: the next step, or done. */
static bool fallocate_step(struct blk_uring *u, struct blk_io *io, int res)
{
	if (io->stage == ST_SYNC) {
		io->result = res < 0 ? res : 0;
		return true;
	}
	if (res < 0 && io->op == BLK_OP_WRITE_ZEROES && io->stage == ST_PUNCH) {
		io->stage = ST_ZERO; /* no hole: zero the range instead */
		prep(u, io);
		return false;
	}
	if (res < 0 && !unsupported(res)) {
		io->result = res;
		return true;
	}
	if (res < 0 && io->op == BLK_OP_WRITE_ZEROES) {
		io->result = -EOPNOTSUPP; /* the caller writes the zeroes */
		return true;
	}
	/* done, or a discard the file system cannot do: advisory */
	if (io->dsync) {
		io->stage = ST_SYNC;
		prep(u, io);
		return false;
	}
	return true;
}

/* One CQE: true if io is finished, false if it went back to the ring. */
static bool complete(struct blk_uring *u, struct blk_io *io, int res)
{
	if (res == -EAGAIN || res == -EINTR) {
		prep(u, io);
		return false;
	}
	if (io->op == BLK_OP_DISCARD || io->op == BLK_OP_WRITE_ZEROES)
		return fallocate_step(u, io, res);
	if (res < 0) {
		io->result = res;
		return true;
	}
	if (io->op == BLK_OP_FLUSH)
		return true;
	if (res == 0) { /* EOF: the image shrank under us */
		io->result = -EIO;
		return true;
	}
	io->done += (uint64_t)res;
	if (io->done >= io->len)
		return true;
	iov_advance(io, (size_t)res); /* short transfer: the rest again */
	prep(u, io);
	return false;
}

unsigned int blk_uring_reap(struct blk_uring *u, struct blk_io **done,
			    unsigned int max)
{
	unsigned int n = 0;
	eventfd_t v;
	(void)eventfd_read(u->event_fd, &v);
	while (n < max && u->nr_failed) {
		done[n++] = u->failed[--u->nr_failed];
		u->in_flight--;
	}
	struct io_uring_cqe *cqe;
	while (n < max && io_uring_peek_cqe(&u->ring, &cqe) == 0) {
		struct blk_io *io = io_uring_cqe_get_data(cqe);
		int res = cqe->res;
		io_uring_cqe_seen(&u->ring, cqe);
		if (complete(u, io, res)) {
			done[n++] = io;
			u->in_flight--;
		}
	}
	/* resubmitted partial transfers */
	blk_uring_submit(u);
	if (n == max && (u->nr_failed || io_uring_cq_ready(&u->ring)))
		(void)eventfd_write(u->event_fd, 1); /* more to reap: stay readable */
	return n;
}

void blk_uring_drain(struct blk_uring *u)
{
	struct blk_io *done[16];
	while (u->in_flight) {
		blk_uring_submit(u);
		if (!blk_uring_reap(u, done, 16) && !u->nr_failed) {
			struct io_uring_cqe *cqe;
			int r = io_uring_wait_cqe(&u->ring, &cqe);
			if (r < 0 && r != -EINTR && r != -EAGAIN)
				break; /* the ring is gone: nothing will complete */
		}
	}
}
