/* The one function that builds Kiln's PC, in order: RAM, legacy devices,
 * ACPI tables, the kernel, the accelerator, the vCPUs. */
#ifndef KILN_MACHINE_PC_H
#define KILN_MACHINE_PC_H

#include "arch/x86/boot.h"
#include "cli/options.h"
#include "core/vm.h"
#include "devices/uart16550.h"
#include "virtio/virtio_device.h"

struct virtio_device_ops;

struct pc_config {
	const uint8_t *kernel;
	size_t kernel_len;
	const struct kernel_info *kernel_info;
	const uint8_t *initrd; /* may be NULL */
	size_t initrd_len;
	const char *cmdline;
	unsigned int nr_cpus;
	uint64_t ram_size;
	enum guest_mem_backing backing;
	const struct uart_callbacks *serial; /* COM1's output and flow control */
	bool rng;                            /* a virtio-rng on PCI */
	const struct kiln_disk *disks;       /* virtio-blk disks */
	unsigned int nr_disks;
	const struct kiln_net *nets;         /* virtio-net NICs */
	unsigned int nr_nets;
	uint64_t vsock_cid;                  /* 0: no virtio-vsock */
	/* Build the machine for a snapshot to be loaded into: no kernel is
	 * loaded and no vCPU gets boot registers (kernel may be NULL). */
	bool restoring;
	enum char_backend_kind console;      /* virtio-console back end, or OFF */
	const char *console_path;            /* its file or socket */
	int console_tty_in;                  /* tty: console_open_hvc_input's fd
					      * (pc_build takes it, also on failure) */
};

/* Returns 0, or -errno with a one-line reason in `err`. On failure the
 * caller still calls vm_destroy(). */
int pc_build(struct vm *vm, const struct accel_ops *accel,
	     const struct pc_config *cfg, char *err, size_t errlen)
	__attribute__((warn_unused_result));

/* PCI (pc_pci.c): bus 0 with its host bridge, and the virtio devices on
 * it. Both return 0 or -errno with a reason in `err`. */
int pc_add_pci(struct vm *vm, char *err, size_t errlen)
	__attribute__((warn_unused_result));
/* Put a created virtio device on PCI behind its own transport (BARs
 * placed, interrupts wired); the VM owns it from here, even on failure, and
 * frees it with destroy_device. */
int pc_add_virtio_device(struct vm *vm, const struct virtio_device_ops *ops,
			 void *device, void (*destroy_device)(void *),
			 char *err, size_t errlen) __attribute__((warn_unused_result));
int pc_add_virtio_rng(struct vm *vm, char *err, size_t errlen)
	__attribute__((warn_unused_result));
int pc_add_virtio_blk(struct vm *vm, const struct kiln_disk *disk, char *err,
		      size_t errlen) __attribute__((warn_unused_result));
/* pc_net.c: NIC number `index` on its tap; errors name --net. */
int pc_add_virtio_net(struct vm *vm, const struct kiln_net *net,
		      unsigned int index, char *err, size_t errlen)
	__attribute__((warn_unused_result));
/* pc_vsock.c: a virtio-vsock through /dev/vhost-vsock, claiming `cid`. */
int pc_add_virtio_vsock(struct vm *vm, uint64_t cid, char *err, size_t errlen)
	__attribute__((warn_unused_result));
/* Put a created virtio device on PCI; the VM owns it from then on (also on
 * failure) and destroys it with destroy_device. */
int pc_add_virtio_device(struct vm *vm, const struct virtio_device_ops *ops,
			 void *device, void (*destroy_device)(void *),
			 char *err, size_t errlen) __attribute__((warn_unused_result));

/* virtio-console (pc_console.c): hvc0 on a character back end (for tty,
 * tty_in_fd is the input the serial console feeds; taken over even on
 * failure). Errors name --console. */
int pc_add_virtio_console(struct vm *vm, enum char_backend_kind kind,
			  const char *path, int tty_in_fd, char *err, size_t errlen)
	__attribute__((warn_unused_result));

#endif
