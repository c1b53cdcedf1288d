/* Kiln's command line, in Cloud Hypervisor's flag shapes:
 *
 *   kiln --kernel PATH [--initramfs PATH] [--cmdline STRING]
 *        [--cpus boot=N] [--memory size=SIZE[,hugepages=on|off][,shared=on|off]]
 *        [--serial tty|file=PATH|off] [--rng]
 *        [--disk path=PATH[,readonly=on][,direct=on][,num_queues=N][,packed=on][,id=NAME]]...
 *        [--net tap=NAME[,mac=MAC][,num_queues=N][,vhost=on|off][,mtu=N][,packed=on][,id=NAME]]...
 *        [--api-socket [path=]PATH]
 *        [--vsock cid=N[,id=NAME]]
 *        [--console off|tty|file=PATH|socket=PATH|pty]
 *        [-v]... [--help] [--version]
 *   kiln --restore source_url=file:///DIR [--api-socket ...] [-v]
 *   kiln --migrate-from tcp:ADDR:PORT|unix:PATH [--api-socket ...] [-v]
 *   kiln --api-socket [path=]PATH [-v]     (no VM until the API makes one)
 *
 * Parsing is pure: no file is opened here, so every message about a bad
 * value can name its flag and the tests need no guest.
 */
#ifndef KILN_CLI_OPTIONS_H
#define KILN_CLI_OPTIONS_H

#include "backends/char_backend.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define KILN_MAX_VCPUS 255 /* xAPIC ids in the MADT */
#define KILN_MIN_MEMORY (32ull << 20)
#define KILN_MAX_MEMORY (1ull << 40)

enum serial_mode { SERIAL_TTY, SERIAL_FILE, SERIAL_OFF };

#define KILN_MAX_DISKS 8
#define KILN_MAX_DISK_QUEUES 16

struct kiln_disk {
	const char *path;
	const char *id;  /* NULL: none given */
	bool readonly;
	bool direct;             /* O_DIRECT */
	bool packed;             /* offer VIRTIO_F_RING_PACKED */
	unsigned int num_queues; /* 1..KILN_MAX_DISK_QUEUES */
};

#define KILN_MAX_NETS 8
#define KILN_NET_MAX_QUEUES 16 /* rx + tx queues, as Cloud Hypervisor counts */

struct kiln_net {
	const char *tap;          /* interface name, 1..15 characters */
	const char *id;           /* NULL: none given */
	uint8_t mac[6];
	bool has_mac;             /* false: Kiln picks a random local one */
	unsigned int num_queues;  /* even, 2..16: num_queues / 2 queue pairs */
	bool vhost;               /* kernel data path (/dev/vhost-net) */
	unsigned int mtu;         /* 0: the tap's as it is, the guest's 1500 */
	bool packed;              /* offer VIRTIO_F_RING_PACKED (not with vhost) */
};
#define KILN_NET_MIN_MTU 68
#define KILN_NET_MAX_MTU 65521

/* --accel: which backend runs the guest's code. AUTO is KVM when /dev/kvm
 * can run guests, else the software CPU. */
enum accel_choice { ACCEL_AUTO, ACCEL_KVM, ACCEL_SOFT };

struct kiln_options {
	const char *kernel;
	const char *initramfs;
	const char *cmdline;
	unsigned int boot_cpus;
	uint64_t memory_size;
	bool hugepages;
	bool shared_memory;
	bool rng; /* a virtio-rng device fed by getrandom() */
	struct kiln_disk disks[KILN_MAX_DISKS];
	unsigned int nr_disks;
	char *disk_strings[KILN_MAX_DISKS]; /* owned copies the disks point into */
	struct kiln_net nets[KILN_MAX_NETS];
	unsigned int nr_nets;
	char *net_strings[KILN_MAX_NETS];   /* owned copies the nets point into */
	bool vsock;          /* a virtio-vsock through the kernel's vhost-vsock */
	uint64_t vsock_cid;  /* 3 .. 0xfffffffe */
	char vsock_id[21];
	enum serial_mode serial;
	const char *serial_path;
	const char *api_socket; /* --api-socket: NULL when none */
	const char *restore_dir; /* --restore source_url=file://DIR */
	const char *migrate_from; /* --migrate-from URL: receive a migration */
	/* --api-socket alone: a VMM without a VM, to which the API gives one
	 * (vm.create, vm.restore, vm.receive-migration). */
	bool vmm_only;
	/* The command line as given (a snapshot records it to rebuild the
	 * same machine). */
	int argc;
	char *const *argv;
	bool serial_given;
	/* virtio-console (hvc0): OFF, TTY, FILE, SOCKET or PTY; a console on
	 * the terminal turns the default serial off. */
	enum char_backend_kind console;
	const char *console_path; /* FILE, SOCKET */
	enum accel_choice accel;
	int verbosity;
	bool help;
	bool version;
};

/* Fill `opts` from argv. Returns 0, or -1 with a one-line message that
 * names the offending flag in `err`. */
int options_parse(int argc, char *const argv[], struct kiln_options *opts,
		  char *err, size_t errlen);

/* Free what options_parse allocated (safe on a failed parse). */
void options_free(struct kiln_options *opts);

/* Parse "512M", "2G", "1048576" (bytes). Returns 0 or -1. */
int parse_size(const char *s, uint64_t *out);

/* Parse "52:54:00:12:34:56" (a unicast address). Returns 0 or -1. */
int parse_mac(const char *s, uint8_t mac[6]);

/* The --help text. */
extern const char kiln_usage[];

#endif
