/*
 * libFuzzer harness: the bundle reader on untrusted bytes — zstd and tar
 * decoding under the bundle limits (every entry streamed and hashed, as
 * verify does), then bundle_read itself (head, signature, manifest) with
 * the key named by $DIVER_FUZZ_PUBKEY (tests/fuzz/run makes one and seeds
 * the corpus with bundles it signed).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "bundle.h"
#include "crypto.h"
#include "tarball.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct pubkey *key;

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char *path = getenv("DIVER_FUZZ_PUBKEY");
	struct dv_err e = { "" };

	(void)argc;
	(void)argv;
	if (path && !(key = pubkey_load(path, &e))) {
		fprintf(stderr, "bundle_fuzz: %s\n", e.msg);
		exit(1);
	}
	return 0;
}

static int
memfd_with(const uint8_t *data, size_t size)
{
	int fd = memfd_create("bundle", MFD_CLOEXEC);

	if (fd < 0 || write(fd, data, size) != (ssize_t)size ||
	    lseek(fd, 0, SEEK_SET) < 0)
		abort();
	return fd;
}

static const struct tar_limits limits = {
	.max_entry = 64ULL << 20, .max_total = 256ULL << 20,
	.max_entries = 1000, .max_ratio = 1000, .allow_dirs = false,
};

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dv_err e = { "" };
	struct bundle_read_opts o = { .keys = key ? &key : NULL, .nkeys = key ? 1 : 0,
				      .now = 1795478400 };
	struct bundle_manifest m;
	struct tar_reader *r;
	struct tar_entry ent;
	char path[64];
	int fd = memfd_with(data, size);

	if ((r = tar_reader_open(fd, "fuzz", &limits, &e))) {
		struct sha256 *h = sha256_new();
		uint64_t got;
		while (tar_reader_next(r, &ent, &e) > 0 &&
		       tar_reader_stream(r, -1, h, &got, &e) == 0)
			;
		sha256_free(h);
		tar_reader_free(r);
	}
	snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
	if (bundle_read(path, &o, &m, &e) == 0)
		bundle_manifest_release(&m);
	close(fd);
	return 0;
}
