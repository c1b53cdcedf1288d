/* The PCI host bridge at 00:00.0: an identity for the guest's PCI scan
 * (vendor 8086, device 29c0 as QEMU's q35 host; class 0600 host bridge),
 * no BARs, no interrupt. */
#ifndef KILN_DEVICES_PCI_HOST_H
#define KILN_DEVICES_PCI_HOST_H

#include "bus/pci.h"

#define PCI_HOST_VENDOR 0x8086
#define PCI_HOST_DEVICE 0x29c0
#define PCI_HOST_SUBSYS_VENDOR 0x1af4 /* Red Hat, Inc., as QEMU */
#define PCI_HOST_SUBSYS_ID 0x1100
#define PCI_HOST_CLASS 0x060000       /* bridge, host bridge, prog-if 0 */

struct pci_host {
	struct pci_device dev;
};

/* Describe the bridge and put it at slot 0. 0 or pci_bus_add_device's
 * error. */
int pci_host_init(struct pci_host *host, struct pci_bus *bus)
	__attribute__((warn_unused_result));

#endif
