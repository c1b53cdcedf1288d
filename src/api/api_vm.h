/* The API's operations on Kiln's one running VM. */
#ifndef KILN_API_API_VM_H
#define KILN_API_API_VM_H

#include "api/api.h"
#include "cli/options.h"
#include "core/vm.h"

struct api_vm {
	struct vm *vm;
	const struct kiln_options *opts;
};

/* ctx: a struct api_vm that outlives the API server. */
extern const struct api_vm_ops api_vm_ops;

#endif
