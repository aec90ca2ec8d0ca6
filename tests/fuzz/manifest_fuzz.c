/*
 * libFuzzer harness: the bundle manifest parser (BUNDLE.json), the first
 * thing read from an untrusted bundle after its signature.
 */
#include <stddef.h>
#include <stdint.h>

#include "bundle.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct bundle_manifest m;
	struct dv_err e = { "" };

	if (bundle_manifest_parse((const char *)data, size, "fuzz", &m, &e) == 0)
		bundle_manifest_release(&m);
	return 0;
}
