/* The PC's virtio-vsock: /dev/vhost-vsock opened and the CID claimed while
 * the machine is built, so a bad or taken CID stops Kiln with one line
 * before the guest starts. */
#include "machine/pc.h"

#include "devices/virtio_vsock.h"

#include <stdio.h>

static void destroy_vsock(void *device)
{
	virtio_vsock_destroy(device);
}

int pc_add_virtio_vsock(struct vm *vm, uint64_t cid, char *err, size_t errlen)
{
	struct vhost_kernel v;
	struct virtio_vsock *vs;
	char why[256];
	int e = virtio_vsock_open_vhost(&v, VIRTIO_VSOCK_VHOST_PATH, cid, why,
					sizeof(why));
	if (!e)
		e = virtio_vsock_create(&vs, &v, cid, &vm->mem, why, sizeof(why));
	if (e) {
		snprintf(err, errlen, "--vsock: %s", why);
		return e;
	}
	return pc_add_virtio_device(vm, &virtio_vsock_ops, vs, destroy_vsock,
				    err, errlen);
}
