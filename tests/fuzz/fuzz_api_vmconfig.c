/* libFuzzer target: the body of PUT /api/v1/vm.create, untrusted, through
 * the API as a client reaches it (api_handle: JSON parse, VmConfig ->
 * Kiln's command line -> options_parse). Every input must end in 204 or a
 * 400 with a JSON {"error": "..."} body; never a crash, a leak or another
 * status. A configuration the API accepted must also come back from
 * vm.info's VmConfig (vmconfig_from_options) and be accepted again. */
#include "api/api.h"
#include "api/api_vmconfig.h"
#include "cli/options.h"

#include <json-c/json.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static enum api_vm_state no_vm(void *ctx)
{
	return API_VM_NONE;
}

/* What vm.info would show for this configuration, back through
 * vm.create's translation and options_parse. */
static void round_trip(const struct kiln_options *opts)
{
	struct json_object *cfg = vmconfig_from_options(opts);
	struct kiln_argv argv = { 0 };
	struct kiln_options again;
	char err[512] = "";

	if (!cfg)
		abort();
	if (vmconfig_to_argv(cfg, &argv, err, sizeof(err))) {
		fprintf(stderr, "vm.info's VmConfig refused: %s\n%s\n", err,
			json_object_to_json_string(cfg));
		abort();
	}
	if (options_parse(argv.argc, argv.argv, &again, err, sizeof(err))) {
		fprintf(stderr, "vm.info's VmConfig does not parse: %s\n", err);
		abort();
	}
	options_free(&again);
	kiln_argv_free(&argv);
	json_object_put(cfg);
}

static int create(void *ctx, int argc, char *const argv[], char *err, size_t errlen)
{
	struct kiln_options opts;

	if (argc < 1 || argv[argc] != NULL || strcmp(argv[0], "kiln"))
		abort();
	if (options_parse(argc, argv, &opts, err, errlen))
		abort(); /* api.c parsed the same argv before calling create */
	round_trip(&opts);
	options_free(&opts);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct api_vm_ops ops = { .state = no_vm, .create = create };
	struct http_request req = { .method = HTTP_PUT, .body = (const char *)data,
				    .body_len = size };
	struct api_response resp = { 0 };

	snprintf(req.path, sizeof(req.path), "/api/v1/vm.create");
	api_handle(&ops, NULL, &req, &resp);
	if (resp.status == 400) {
		/* A clear 400: {"error": "<one non-empty line>"}. */
		struct json_object *o = resp.body ? json_tokener_parse(resp.body) : NULL, *e;
		if (!o || !json_object_object_get_ex(o, "error", &e) ||
		    !json_object_is_type(e, json_type_string) ||
		    !json_object_get_string_len(e))
			abort();
		for (const char *p = json_object_get_string(e); *p; p++)
			if ((unsigned char)*p < 0x20 || *p == 0x7f) {
				fprintf(stderr, "control character in: %s\n", resp.body);
				abort();
			}
		json_object_put(o);
	} else if (resp.status != 204) {
		fprintf(stderr, "status %d: %s\n", resp.status, resp.body ? resp.body : "");
		abort();
	}
	free(resp.body);
	return 0;
}
