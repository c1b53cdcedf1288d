# Runs as /test.sh in the default guest: report what the guest sees of its
# machine, then power off through ACPI (init's poweroff -f).
echo "KILN_NPROC=$(grep -c ^processor /proc/cpuinfo)"
echo "KILN_ONLINE=$(cat /sys/devices/system/cpu/online)"
# Firmware memory map as the kernel got it (e820 or PVH memmap): bytes of RAM.
total=0
for d in /sys/firmware/memmap/*; do
	[ "$(cat "$d/type")" = "System RAM" ] || continue
	s=$(($(cat "$d/start")))
	e=$(($(cat "$d/end")))
	total=$((total + e - s + 1))
done
echo "KILN_E820_RAM=$total"
echo "KILN_MEMTOTAL_KB=$(awk '/^MemTotal/ {print $2}' /proc/meminfo)"
echo "KILN_RTC_DATE=$(cat /sys/class/rtc/rtc0/date 2>/dev/null)"
echo "KILN_RTC_TIME=$(cat /sys/class/rtc/rtc0/time 2>/dev/null)"
# The 8250 driver must have found a 16550A and be running it on IOAPIC pin 4
# with interrupts actually delivered (not polled).
echo "KILN_UART=$(awk '/^0:/ {for (i=1;i<=NF;i++) if ($i ~ /^uart:/) print $i}' /proc/tty/driver/serial)"
echo "KILN_SERIAL_INTR=$(awk '/ttyS0/ {n=0; pin=""; for (i=2;i<=NF;i++) { if ($i ~ /^[0-9]+$/) n+=$i; if ($i ~ /-edge$|-fasteoi$/) pin=$i }; print pin, n}' /proc/interrupts)"
echo "KILN_PVPANIC=$(ls /sys/bus/platform/drivers/pvpanic-mmio 2>/dev/null | grep -c QEMU0001)"
echo "KILN_ACPI=$(cat /sys/firmware/acpi/tables/FACP >/dev/null 2>&1 && echo yes || echo no)"
# The RTC's alarm interrupt must come by itself while the guest sleeps
# (rtc-cmos arms it and waits without touching the ports).
rtc_irqs() { awk '/rtc0/ {n=0; for (i=2;i<=NF;i++) if ($i ~ /^[0-9]+$/) n+=$i; print n}' /proc/interrupts; }
before=$(rtc_irqs)
echo +2 >/sys/class/rtc/rtc0/wakealarm
# Up to 15 s: the emulated host can be slow.
for i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15; do
	sleep 1
	[ -z "$(cat /sys/class/rtc/rtc0/wakealarm)" ] && [ "$i" -ge 3 ] && break
done
echo "KILN_RTC_ALARM_IRQS=$(( $(rtc_irqs) - ${before:-0} ))"
echo "KILN_RTC_ALARM_LEFT=$(cat /sys/class/rtc/rtc0/wakealarm)"
# PCI: the host bridge at 00:00.0, found through config space.
d=/sys/bus/pci/devices/0000:00:00.0
echo "KILN_PCI_HOST=$(cat $d/vendor 2>/dev/null):$(cat $d/device 2>/dev/null):$(cat $d/class 2>/dev/null)"
echo "KILN_PCI_DEVICES=$(ls /sys/bus/pci/devices | wc -l)"
dmesg | grep -iE "mmconfig|ecam" | sed 's/^/KILN_DMESG_PCI: /'
