/* The one virtqueue every Kiln device uses: split (virtio 1.2, section 2.7)
 * or, when VIRTIO_F_RING_PACKED is negotiated, packed (section 2.8, in
 * virtqueue_packed.c; its own rules are below). Devices see the same API
 * for both.
 *
 * The guest owns the rings and may rewrite them at any time from another
 * vCPU, so nothing here trusts a value it read from guest memory:
 *
 *  - virtqueue_enable() validates the queue once: power-of-two size within
 *    the device's maximum, ring alignment (desc 16, avail 2, used 4), each
 *    ring wholly inside one RAM region, the used ring overlapping neither
 *    of the others. Ring host pointers are cached only after that check.
 *  - virtqueue_pop() copies each descriptor once into host memory and
 *    checks the copy: avail index distance, head and `next` below the table
 *    size, chain length bounds, indirect tables, every buffer inside RAM,
 *    readable before writable, total bytes. Any violation marks the queue
 *    broken (the transport then sets DEVICE_NEEDS_RESET); every later pop
 *    returns -EIO until virtqueue_reset(). The device sees only descriptors
 *    the walker checked, as host segments.
 *  - virtqueue_push() completes a popped chain; virtqueue_should_notify()
 *    says whether to interrupt the guest (EVENT_IDX or NO_INTERRUPT).
 *
 * Decisions devices rely on:
 *  - Zero-length descriptors are legal and skipped: they produce no segment
 *    and are not checked for address or direction. A chain may therefore
 *    have no segments at all; the device answers it like any other
 *    malformed request (with an error status if it has room for one).
 *  - A buffer that crosses from one RAM region into an adjacent one is
 *    split into one segment per region; a buffer that touches anything
 *    that is not RAM (a hole, MMIO, past the end) breaks the queue.
 *    Rings and indirect tables must each lie in a single RAM region.
 *  - Direct chains are bounded by the queue size (more descriptors walked
 *    than the table holds means a loop). An indirect table holds at most
 *    VQ_INDIRECT_MAX entries and its chain at most as many as the table.
 *    A chain has at most VQ_CHAIN_MAX_SEGS segments in all (Linux builds
 *    indirect chains longer than small queues, so the queue size is not
 *    applied to them) and at most VQ_CHAIN_MAX_BYTES bytes.
 *  - Exactly-once completion: every chain virtqueue_pop() returned must be
 *    passed to virtqueue_push() once, with an error status written into it
 *    if the request was malformed, never dropped. The queue tracks which
 *    heads are in flight: pushing a head that is not in flight (twice, or
 *    after a reset) returns -EINVAL and writes nothing, and a guest that
 *    offers a head that is still in flight breaks the queue.
 *  - Not thread-safe: one thread (or a lock the device holds) does pop,
 *    push and notify on a queue. The guest is the only concurrent party.
 *
 * The packed ring:
 *  - desc_gpa is the descriptor ring (16-byte aligned), avail_gpa the
 *    driver event suppression area and used_gpa the device's (4 bytes
 *    each, 4-byte aligned; the device area must not overlap the others).
 *    Kiln keeps the power-of-two size rule for packed queues too (the
 *    spec allows any size up to 32768; Linux asks for the maximum, which
 *    is a power of two).
 *  - vq_chain.head is the Buffer ID (from the chain's last descriptor).
 *    A chain is consecutive descriptors, at most the queue size of them;
 *    only its first descriptor's AVAIL/USED bits say it is available.
 *    An INDIRECT descriptor ends the chain (INDIRECT with NEXT breaks the
 *    queue); its table's entries are used in order, their NEXT ignored.
 *    An ID at or above the size, an ID already in flight, or more
 *    descriptors outstanding than the ring holds breaks the queue.
 *  - Completions may come in any order; each used descriptor advances the
 *    device's position by the number of descriptors its chain took.
 */
#ifndef KILN_VIRTIO_VIRTQUEUE_H
#define KILN_VIRTIO_VIRTQUEUE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

#include "core/guest_mem.h"

/* Feature bits the ring implements (same values as the spec and Linux). */
#ifndef VIRTIO_F_INDIRECT_DESC
#define VIRTIO_F_INDIRECT_DESC 28
#endif
#ifndef VIRTIO_F_EVENT_IDX
#define VIRTIO_F_EVENT_IDX 29
#endif
#ifndef VIRTIO_F_RING_PACKED
#define VIRTIO_F_RING_PACKED 34
#endif

/* Ring flags, spec names. */
#define VIRTQ_DESC_F_NEXT 1
#define VIRTQ_DESC_F_WRITE 2
#define VIRTQ_DESC_F_INDIRECT 4
#define VIRTQ_AVAIL_F_NO_INTERRUPT 1
#define VIRTQ_USED_F_NO_NOTIFY 1
/* Packed ring: descriptor flags and event suppression (spec names). */
#define VIRTQ_DESC_F_AVAIL (1u << 7)
#define VIRTQ_DESC_F_USED (1u << 15)
#define RING_EVENT_FLAGS_ENABLE 0x0
#define RING_EVENT_FLAGS_DISABLE 0x1
#define RING_EVENT_FLAGS_DESC 0x2

#define VIRTQ_MAX_SIZE 32768u          /* largest split queue the spec allows */
#define VQ_INDIRECT_MAX 32768u         /* entries in one indirect table */
#define VQ_CHAIN_MAX_SEGS 1024u        /* segments in one chain */
#define VQ_CHAIN_MAX_BYTES 0xffffffffull /* readable + writable bytes */

/* One checked, host-mapped piece of a guest buffer, inside one RAM region.
 * The guest can change the bytes under it at any time: copy what you parse
 * (vq_chain_read) and never read a field twice from `host`. */
struct vq_seg {
	void *host;
	uint64_t gpa;
	uint32_t len; /* never 0 */
};

/* A popped chain. Segments [0, nr_read) are device-readable, then
 * [nr_read, nr_read + nr_write) device-writable. About 24 KiB: allocate it
 * with the request, not on a small stack. */
struct vq_chain {
	uint16_t head;      /* pass to virtqueue_push() */
	uint16_t nr_read;
	uint16_t nr_write;
	uint32_t read_len;  /* total readable bytes */
	uint32_t write_len; /* total writable bytes */
	struct vq_seg seg[VQ_CHAIN_MAX_SEGS];
};

struct virtqueue_stats {
	uint64_t popped;
	uint64_t completed;
	uint64_t errors; /* guest errors that broke the queue, device misuse */
};

/* What a popped chain lets the device write, kept while dirty logging is
 * on so that its push can mark those pages (the accelerator does not see
 * the device's writes). The first VQ_WR_EXACT writable segments exactly;
 * any more are covered by one span (marking extra pages is only extra
 * bytes on the wire). */
#define VQ_WR_EXACT 3
struct vq_written {
	bool valid;
	uint8_t nr;
	uint32_t len[VQ_WR_EXACT];
	uint64_t gpa[VQ_WR_EXACT];
	uint64_t span_lo, span_hi; /* [lo, hi), empty when lo == hi */
};

struct virtqueue {
	/* Set by the transport from the guest's registers before enable. */
	uint16_t max_size; /* the device's maximum, fixed by virtqueue_init */
	uint32_t size;     /* 1..max_size, power of two */
	uint64_t desc_gpa, avail_gpa, used_gpa;
	uint64_t features; /* negotiated device features (only ring bits used) */

	/* Owned by the ring code; read-only for everyone else. */
	bool enabled;
	bool broken;            /* guest misbehaved: NEEDS_RESET */
	bool event_idx;         /* VIRTIO_F_EVENT_IDX negotiated */
	bool indirect;          /* VIRTIO_F_INDIRECT_DESC negotiated */
	bool notify_off;        /* device asked for no guest notifications */
	bool signalled_valid;   /* signalled_used holds a value */
	bool packed;            /* VIRTIO_F_RING_PACKED negotiated */
	/* Split: free-running indices. Packed: ring positions 0..size-1
	 * (next descriptor to read / next used descriptor to write), with
	 * their wrap counters (both start at 1), and signalled_used holds
	 * the used position at the last interrupt as position | wrap << 15. */
	uint16_t last_avail_idx;
	uint16_t used_idx;
	uint16_t signalled_used;
	bool avail_wrap, used_wrap;
	/* Packed: descriptors used since the last should_notify (capped at
	 * 2 * size, where every event point has been passed). */
	uint32_t used_since_signal;
	char broken_reason[128];
	struct virtqueue_stats stats; /* kept across resets */
	const char *name;             /* for log lines, e.g. "blk0.rq0" */
	struct guest_mem *mem;

	uint8_t *desc;  /* host views of the rings, valid while enabled */
	uint8_t *avail;
	uint8_t *used;
	uint64_t inflight[VIRTQ_MAX_SIZE / 64]; /* heads popped, not pushed */
	/* Per head, allocated at the first pop with dirty logging on and
	 * freed by virtqueue_reset. */
	struct vq_written *written;
	/* Packed: per Buffer ID in flight, the descriptors its chain took in
	 * the ring (what push advances by, what unpop rewinds by); allocated
	 * at enable, freed by virtqueue_reset. */
	uint16_t *ndescs;
};

/* Set up a disabled queue; size defaults to max_size (1..32768, power of
 * two: the transport reports it as the queue's maximum). */
void virtqueue_init(struct virtqueue *vq, struct guest_mem *mem,
		    uint16_t max_size, const char *name);

/* Validate size, features and rings and start using them; indices start
 * at 0 (packed: wrap counters at 1). Returns 0, -EINVAL with a reason in
 * err (the guest got something wrong: the transport may log it
 * rate-limited and fail the enable), -EBUSY if already enabled, or
 * -ENOMEM (packed: no memory for the per-ID table). */
int virtqueue_enable(struct virtqueue *vq, char *err, size_t errlen)
	__attribute__((warn_unused_result));

/* Back to the state after virtqueue_init: disabled, not broken, nothing in
 * flight. Chains popped before the reset must not be pushed afterwards.
 * Also frees what the queue allocated (call it before the memory of an
 * initialised queue goes). */
void virtqueue_reset(struct virtqueue *vq);

/* 1: a checked chain in *chain; 0: ring empty (or queue disabled);
 * -EIO: the queue is broken (now or earlier). */
int virtqueue_pop(struct virtqueue *vq, struct vq_chain *chain)
	__attribute__((warn_unused_result));

/* Return `head` to the guest with `written_len` bytes written into its
 * writable part (must be <= that chain's write_len). 0, or -EINVAL if the
 * queue is disabled or the head is not in flight (a device bug).
 * With dirty logging on (guest_mem_dirty_log_start) the chain's writable
 * pages and the used ring are marked dirty; a chain popped before logging
 * began marks all of RAM, so pause the devices around starting it. */
int virtqueue_push(struct virtqueue *vq, uint16_t head, uint32_t written_len);

/* Complete n chains at once (heads[i] with lens[i] bytes written), in that
 * order, so that the guest sees all of them or none: one packet spread
 * over several buffers (virtio-net's mergeable rx buffers), whose driver
 * reads num_buffers from the first and expects the rest to be there.
 * Split: the used entries, then one used-index store; packed: entries 1..n-1
 * first, the first one's flags last. 0, or -EINVAL (nothing written) if
 * one head is not in flight or comes twice - a device bug. */
int virtqueue_push_n(struct virtqueue *vq, const uint16_t *heads,
		     const uint32_t *lens, unsigned int n);

/* Give the last n chains popped back to the ring unanswered, as if never
 * popped (packed: the position and wrap counter go back by the chains'
 * descriptors, and each chain's first descriptor must still be available
 * and its last still carry its ID): for a device that pauses (snapshot,
 * migration) while it holds buffers it has not used - rx buffers waiting for a packet, a tx chain
 * waiting for room - so that nothing is in flight and the guest's buffers
 * are neither lost nor answered. heads[] are the chains' heads in the
 * order they were popped, and they must be the last n pops: each is in
 * flight and still is what the avail ring holds at its position. 0, or
 * -EINVAL (nothing changed; the device must push them instead) when that
 * does not hold - a device bug, or a guest that rewrote its avail ring.
 * The avail event the last pop published is not moved back: a guest that
 * already passed it sends no kick for the chains given back, so the device
 * must look at the ring again when it resumes, not wait for a kick. */
int virtqueue_unpop(struct virtqueue *vq, const uint16_t *heads, unsigned int n)
	__attribute__((warn_unused_result));

/* Split queues only (a device with a kernel data path never offers
 * RING_PACKED; for a packed queue this does nothing).
 * For a queue a kernel data path (vhost) served and has just given back,
 * stopped at `last_avail` (VHOST_GET_VRING_BASE): take over from there.
 * The used index is the one the kernel wrote into the used ring; the
 * signalled index is forgotten, so the next notify decision is made
 * afresh. Nothing is in flight on Kiln's side (it popped nothing). */
void virtqueue_take_position(struct virtqueue *vq, uint16_t last_avail);

/* After one or more pushes: whether the guest wants an interrupt. */
bool virtqueue_should_notify(struct virtqueue *vq);

/* Notification suppression for device loops:
 *	do {
 *		virtqueue_disable_notify(vq);
 *		while ((r = virtqueue_pop(vq, c)) == 1) ...;
 *	} while (r == 0 && virtqueue_enable_notify(vq));
 * enable_notify returns true if buffers arrived meanwhile (pop again). */
void virtqueue_disable_notify(struct virtqueue *vq);
bool virtqueue_enable_notify(struct virtqueue *vq);

/* The spec's vring_need_event(): true if the used index moved past
 * event_idx, i.e. event_idx is in [old_idx, new_idx) modulo 2^16. */
static inline bool virtqueue_need_event(uint16_t event_idx, uint16_t new_idx,
					uint16_t old_idx)
{
	return (uint16_t)(new_idx - event_idx - 1) <
	       (uint16_t)(new_idx - old_idx);
}

/* ---- Saved state (virtqueue_state.c) ----------------------------------- */

/* A queue as plain data. Saved only while nothing is in flight (the device
 * was paused: every chain it popped is pushed), so used_idx equals
 * last_avail_idx and a restored queue starts with no chain in flight.
 * Counters and the broken reason are the host's, not saved.
 * Version 2 added `packed` (version 1 had it as a reserved 0 byte, so a
 * version 1 state restores as the split queue it was). For a packed queue
 * last_avail_idx and used_idx are position | wrap counter << 15 and
 * signalled_used is as in struct virtqueue. */
#define VIRTQUEUE_STATE_VERSION 2
struct virtqueue_state {
	uint32_t version;
	uint32_t size;
	uint64_t desc_gpa, avail_gpa, used_gpa;
	uint64_t features;        /* negotiated, as the queue was enabled with */
	uint8_t enabled, broken;  /* 0/1 each, as are the four below */
	uint8_t event_idx, indirect, notify_off, signalled_valid;
	uint16_t last_avail_idx, used_idx, signalled_used;
	uint8_t packed;           /* 0/1, agrees with the features */
	uint8_t reserved[3];      /* 0 */
};

/* 0, or -EBUSY if a chain is in flight (pause the device first), also one
 * a kernel data path left: a used index behind the avail position. */
int virtqueue_save(const struct virtqueue *vq, struct virtqueue_state *out)
	__attribute__((warn_unused_result));

/* Put the queue (reset first) in the saved state. An enabled queue is
 * validated like virtqueue_enable does (size, alignment, rings inside one
 * RAM region each, used ring not overlapping) and goes on from the saved
 * indices; a disabled one ends up as after virtqueue_reset. `in` is
 * untrusted: -EINVAL with a reason in err (the queue is left reset) for a
 * bad version, flags that are not 0/1 or disagree with the features,
 * indices of a queue with chains in flight, or bad rings. */
int virtqueue_restore(struct virtqueue *vq, const struct virtqueue_state *in,
		      char *err, size_t errlen) __attribute__((warn_unused_result));

/* Copy up to len bytes starting `off` bytes into the readable part into
 * dst / from src into the writable part. Return the bytes copied (short if
 * the chain ends first). */
size_t vq_chain_read(const struct vq_chain *c, uint64_t off, void *dst,
		     size_t len);
size_t vq_chain_write(const struct vq_chain *c, uint64_t off, const void *src,
		      size_t len);

/* iovecs for [off, off + len) of the readable (writable = false) or
 * writable part, for preadv/pwritev backends. Returns the number of iovecs,
 * -ERANGE if the range is not wholly in that part, -E2BIG if more than
 * max_iov are needed. */
int vq_chain_iov(const struct vq_chain *c, bool writable, uint64_t off,
		 uint64_t len, struct iovec *iov, int max_iov);

#endif
