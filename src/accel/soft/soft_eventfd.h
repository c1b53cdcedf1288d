/* The soft accelerator's eventfd doorbells: MSI irqfds (a thread waits on
 * the eventfds and injects each message) and ioeventfds (a guest write
 * that matches signals an eventfd instead of reaching the bus).
 */
#ifndef KILN_ACCEL_SOFT_SOFT_EVENTFD_H
#define KILN_ACCEL_SOFT_SOFT_EVENTFD_H

#include <stdbool.h>
#include <stdint.h>

#define SOFT_IRQFD_ROUTES 256
#define SOFT_IOEVENTFDS 256

struct soft_eventfds;

/* `inject` is called on the irqfd thread for every signal. */
int soft_eventfds_create(struct soft_eventfds **out,
			 int (*inject)(void *opaque, uint64_t addr, uint32_t data),
			 void *opaque) __attribute__((warn_unused_result));
void soft_eventfds_destroy(struct soft_eventfds *e);

/* The accel_ops contract (accel.h). */
int soft_irqfd_add(struct soft_eventfds *e, int fd, uint64_t addr, uint32_t data);
int soft_irqfd_update(struct soft_eventfds *e, int route, uint64_t addr,
		      uint32_t data);
void soft_irqfd_remove(struct soft_eventfds *e, int route);
int soft_ioeventfd_add(struct soft_eventfds *e, uint64_t addr, uint32_t len,
		       bool pio, int fd);
void soft_ioeventfd_remove(struct soft_eventfds *e, uint64_t addr,
			   uint32_t len, bool pio, int fd);
/* A guest write of `len` bytes at `addr`: true if an ioeventfd took it. */
bool soft_ioeventfd_write(struct soft_eventfds *e, uint64_t addr, unsigned len,
			  bool pio);

#endif
