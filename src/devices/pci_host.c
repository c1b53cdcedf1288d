#include "devices/pci_host.h"

int pci_host_init(struct pci_host *host, struct pci_bus *bus)
{
	static const struct pci_device_id id = {
		.vendor = PCI_HOST_VENDOR,
		.device = PCI_HOST_DEVICE,
		.subsys_vendor = PCI_HOST_SUBSYS_VENDOR,
		.subsys_id = PCI_HOST_SUBSYS_ID,
		.class_code = PCI_HOST_CLASS,
	};
	pci_device_init(&host->dev, &id, NULL, host, "pci-host");
	int slot = pci_bus_add_device(bus, &host->dev, 0);
	return slot < 0 ? slot : 0;
}
