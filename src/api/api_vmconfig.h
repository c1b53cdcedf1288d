/* Cloud Hypervisor's VmConfig JSON, for what Kiln has, both ways. vm.create's
 * body becomes the command line Kiln would take for the same VM, so that
 * options_parse stays the one set of rules and error texts; vm.info shows a
 * VM's options in the same shape (what vm.info gives, vm.create takes back).
 *
 *   cpus     {boot_vcpus, max_vcpus (= boot_vcpus)}       --cpus boot=N
 *   memory   {size (bytes), shared, hugepages}            --memory size=N,...
 *   payload  {kernel (required), cmdline, initramfs}      --kernel, --cmdline,
 *                                                         --initramfs
 *   disks    [{path, readonly, direct, num_queues, id}]   --disk ... (each)
 *   net      [{tap, mac, num_queues, vhost, id}]          --net ... (each)
 *   rng      {src: "/dev/urandom" | "getrandom"}          --rng
 *   serial   {mode: Off|Null|Tty|File, file}              --serial
 *   console  {mode: Off|Null|Tty|File|Socket|Pty, file, socket}  --console
 *   vsock    {cid, id}                                    --vsock cid=N,...
 *
 * Integers are JSON integers, switches JSON booleans, the rest strings. A
 * member that is null counts as absent; a member Kiln does not know is
 * refused, so nothing a client asks for is silently dropped.
 */
#ifndef KILN_API_API_VMCONFIG_H
#define KILN_API_API_VMCONFIG_H

#include "cli/argv.h"
#include "cli/options.h"

#include <json-c/json.h>
#include <stddef.h>

/* Longest string member accepted (paths, the kernel command line). */
#define VMCONFIG_MAX_STRING 4096

/* Append to `out` (argv[0] "kiln" first) the flags for VmConfig `cfg`.
 * 0, or -EINVAL with a message naming the member (e.g. "disks[1].path:
 * must be a string") in err, or -ENOMEM. Values are checked for type and
 * shape only; options_parse checks the rest. */
int vmconfig_to_argv(struct json_object *cfg, struct kiln_argv *out, char *err,
		     size_t errlen) __attribute__((warn_unused_result));

/* A new VmConfig object (the caller owns it) for these options. */
struct json_object *vmconfig_from_options(const struct kiln_options *o);

#endif
