/*
 * Kiln's DSDT: the guest's ACPI namespace.
 *
 * Hardware-reduced ACPI (see the FADT in acpi.c): no PM blocks, no GPEs,
 * no fixed buttons. Power-off goes through the FADT's SLEEP_CONTROL_REG
 * with the sleep type from \_S5 below; reboot through RESET_REG.
 *
 * acpi.c copies the compiled AML and overwrites the header's OEM id and
 * creator fields (then fixes the checksum), so the ids here are only the
 * defaults. Compiled at build time by acpica-tools' iasl:
 *   iasl -p build/gen/dsdt -tc src/arch/x86/dsdt.asl
 *
 * Keep the port numbers and addresses in step with src/devices/power.h,
 * src/arch/x86/layout.h and the device models.
 */
DefinitionBlock ("", "DSDT", 2, "KILN  ", "KILNVM  ", 0x00000001)
{
    /*
     * Soft-off: SLP_TYP for S5. The OS writes
     * (SLP_TYP << 2) | SLP_EN to SLEEP_CONTROL_REG (port 0x600);
     * must match ACPI_S5_SLP_TYP in src/devices/power.h.
     */
    Name (_S5, Package (0x04)
    {
        0x05,   /* SLP_TYPa */
        0x00,   /* SLP_TYPb (unused in hardware-reduced mode) */
        0x00,   /* reserved */
        0x00    /* reserved */
    })

    Scope (\_SB)
    {
        /*
         * PCI Express host bridge: segment 0, buses 0-255, configuration
         * space through the MCFG's ECAM window (and ports 0xcf8-0xcff).
         *
         * No _PRT: virtio-pci devices use MSI-X, so there is no INTx
         * routing (and no PNP0C0F interrupt links) to describe yet.
         */
        Device (PCI0)
        {
            Name (_HID, EisaId ("PNP0A08"))  /* PCI Express root bridge */
            Name (_CID, EisaId ("PNP0A03"))  /* PCI root bridge */
            Name (_SEG, Zero)
            Name (_BBN, Zero)
            Name (_UID, Zero)

            Name (_CRS, ResourceTemplate ()
            {
                /* Bus numbers 0x00-0xff */
                WordBusNumber (ResourceProducer, MinFixed, MaxFixed, PosDecode,
                    0x0000,             /* granularity */
                    0x0000,             /* minimum */
                    0x00FF,             /* maximum */
                    0x0000,             /* translation */
                    0x0100,             /* length */
                    ,, )

                /* PCI configuration mechanism #1 */
                IO (Decode16,
                    0x0CF8,             /* minimum */
                    0x0CF8,             /* maximum */
                    0x01,               /* alignment */
                    0x08,               /* length */
                    )

                /* I/O ports below and above the configuration ports */
                WordIO (ResourceProducer, MinFixed, MaxFixed, PosDecode, EntireRange,
                    0x0000,             /* granularity */
                    0x0000,             /* minimum */
                    0x0CF7,             /* maximum */
                    0x0000,             /* translation */
                    0x0CF8,             /* length */
                    ,, , TypeStatic, DenseTranslation)
                WordIO (ResourceProducer, MinFixed, MaxFixed, PosDecode, EntireRange,
                    0x0000,             /* granularity */
                    0x0D00,             /* minimum */
                    0xFFFF,             /* maximum */
                    0x0000,             /* translation */
                    0xF300,             /* length */
                    ,, , TypeStatic, DenseTranslation)

                /*
                 * 32-bit MMIO window for BARs:
                 * X86_PCI_MMIO_START .. X86_PCI_MMIO_END - 1.
                 * No 64-bit window yet; 64-bit BARs are placed here too.
                 */
                DWordMemory (ResourceProducer, PosDecode, MinFixed, MaxFixed,
                    NonCacheable, ReadWrite,
                    0x00000000,         /* granularity */
                    0xC0000000,         /* minimum */
                    0xDFFFFFFF,         /* maximum */
                    0x00000000,         /* translation */
                    0x20000000,         /* length */
                    ,, , AddressRangeMemory, TypeStatic)
            })
        }

        /*
         * Motherboard resources: the ECAM window X86_PCI_ECAM_BASE (256 MiB,
         * buses 0-255). Linux accepts the MCFG region only if it is
         * reserved in e820 or here.
         */
        Device (MRES)
        {
            Name (_HID, EisaId ("PNP0C02"))
            Name (_UID, Zero)
            Name (_CRS, ResourceTemplate ()
            {
                Memory32Fixed (ReadWrite,
                    0xE0000000,         /* base */
                    0x10000000,         /* length */
                    )
            })
        }

        /* COM1: 16550A UART */
        Device (COM1)
        {
            Name (_HID, EisaId ("PNP0501"))
            Name (_UID, One)
            Name (_CRS, ResourceTemplate ()
            {
                IO (Decode16, 0x03F8, 0x03F8, 0x00, 0x08, )
                IRQNoFlags () {4}
            })
        }

        /* CMOS real-time clock */
        Device (RTC)
        {
            Name (_HID, EisaId ("PNP0B00"))
            Name (_CRS, ResourceTemplate ()
            {
                IO (Decode16, 0x0070, 0x0070, 0x00, 0x02, )
                IRQNoFlags () {8}
            })
        }

        /* i8042 keyboard controller (keyboard port only, no aux) */
        Device (KBD)
        {
            Name (_HID, EisaId ("PNP0303"))
            Name (_CRS, ResourceTemplate ()
            {
                IO (Decode16, 0x0060, 0x0060, 0x00, 0x01, )
                IO (Decode16, 0x0064, 0x0064, 0x00, 0x01, )
                IRQNoFlags () {1}
            })
        }

        /*
         * pvpanic: Linux's pvpanic-mmio driver binds by ACPI id QEMU0001
         * and uses the I/O resource (PVPANIC_PORT in power.h).
         */
        Device (PEVT)
        {
            Name (_HID, "QEMU0001")
            Name (_UID, Zero)
            Name (_STA, 0x0F)
            Name (_CRS, ResourceTemplate ()
            {
                IO (Decode16, 0x0505, 0x0505, 0x01, 0x01, )
            })
        }
    }
}
