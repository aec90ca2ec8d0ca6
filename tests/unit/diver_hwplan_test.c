/*
 * diver/hwplan.c: CPU lists, core and memory-block choice, IHK's
 * size@numa, the Palacios XML (against the fields Palacios's parser reads)
 * and the Jailhouse cell description.
 */
#include <stdlib.h>
#include <string.h>

#include "../../diver/hwplan.h"
#include "fs.h"
#include "harness.h"
#include "strbuf.h"

static char *
roundtrip(const char *s)
{
	struct cpulist l;
	struct dv_err e = { "" };
	char *out;

	if (cpulist_parse(s, &l, &e) < 0)
		return xstrdup(e.msg);
	out = cpulist_format(&l);
	cpulist_release(&l);
	return out;
}

TEST(cpulist_parses_and_formats)
{
	static const char *const cases[][2] = {
		{ "1,3-5", "1,3-5" }, { "0-3", "0-3" }, { "5,4,3", "3-5" },
		{ "1,1,2", "1-2" }, { "", "" }, { "0-1\n", "0-1" },
		{ "7", "7" }, { "0,2,4-6,8", "0,2,4-6,8" },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char *got = roundtrip(cases[i][0]);
		CHECK_STR(got, cases[i][1]);
		free(got);
	}
}

TEST(cpulist_refuses_garbage)
{
	static const char *const bad[] = { "a", "1,", ",1", "3-1", "1-", "-1",
					   "1 2", "4096", "1,,2", "1-2-3" };
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		struct cpulist l;
		struct dv_err e = { "" };
		CHECK(cpulist_parse(bad[i], &l, &e) == -1);
		CHECK_CONTAINS(e.msg, "expected numbers and ranges");
	}
}

TEST(cpus_choose_takes_the_highest_and_never_cpu0)
{
	struct cpulist on, out;
	struct dv_err e = { "" };
	char *s;

	CHECK(cpulist_parse("0-3,6", &on, &e) == 0);
	CHECK(cpus_choose(&on, 2, &out, &e) == 0);
	s = cpulist_format(&out);
	CHECK_STR(s, "3,6");
	free(s);
	cpulist_release(&out);
	CHECK(cpus_choose(&on, 4, &out, &e) == 0);
	s = cpulist_format(&out);
	CHECK_STR(s, "1-3,6");
	free(s);
	cpulist_release(&out);
	CHECK(cpus_choose(&on, 5, &out, &e) == -1);
	CHECK_CONTAINS(e.msg, "-c 5: this host has 4 cores to give");
	cpulist_release(&on);
}

TEST(ihk_size_at_numa)
{
	long mib = 0;
	int numa = -1;
	struct dv_err e = { "" };
	char *s;

	CHECK(ihk_mem_parse("512M@0", &mib, &numa, &e) == 0 && mib == 512 && numa == 0);
	CHECK(ihk_mem_parse("2G@1", &mib, &numa, &e) == 0 && mib == 2048 && numa == 1);
	CHECK(ihk_mem_parse("64m", &mib, &numa, &e) == 0 && mib == 64 && numa == 0);
	CHECK(ihk_mem_parse("1.5G@0", &mib, &numa, &e) == 0 && mib == 1536);
	static const char *const bad[] = { "512", "M@0", "512M@", "512M@x", "512K@0",
					   "-1M@0", "512M@0,1G@1", "0.5M" };
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		CHECK(ihk_mem_parse(bad[i], &mib, &numa, &e) == -1);
		CHECK_CONTAINS(e.msg, "expected SIZE@NUMA");
	}
	s = ihk_mem_format(64, 0);
	CHECK_STR(s, "64M@0");
	free(s);
	s = ihk_mem_format(2048, 1);
	CHECK_STR(s, "2G@1");
	free(s);
}

TEST(block_size_is_hex)
{
	unsigned long long sz = 0;
	struct dv_err e = { "" };

	CHECK(block_size_parse("8000000\n", &sz, &e) == 0 && sz == 128ULL << 20);
	CHECK(block_size_parse("0x2000000", &sz, &e) == 0 && sz == 32ULL << 20);
	CHECK(block_size_parse("3000000", &sz, &e) == -1);
	CHECK(block_size_parse("zz", &sz, &e) == -1);
	CHECK(block_size_parse("0", &sz, &e) == -1);
}

TEST(memory_blocks_highest_contiguous_run)
{
	struct memblock b[] = {
		{ 0, true, true }, { 1, true, true }, { 2, true, true },
		{ 3, false, true }, { 4, true, true }, { 5, true, false },
		{ 6, true, true }, { 7, true, true }, { 9, true, true },
	};
	size_t n = sizeof b / sizeof b[0], first = 99, count = 0;
	struct dv_err e = { "" };

	/* 64 MiB of 32 MiB blocks: 6-7 (9 has no neighbour, 5 is not removable) */
	CHECK(memblocks_choose(b, n, 32ULL << 20, 64, &first, &count, &e) == 0);
	CHECK(first == 6 && count == 2);
	/* 96 MiB: three in a row exist only at 0-2, and block 0 is Linux's */
	CHECK(memblocks_choose(b, n, 32ULL << 20, 96, &first, &count, &e) == -1);
	CHECK_CONTAINS(e.msg, "no run of 3 contiguous online, removable memory blocks");
	/* 40 MiB rounds up to two blocks */
	CHECK(memblocks_choose(b, n, 32ULL << 20, 40, &first, &count, &e) == 0);
	CHECK(count == 2 && b[first].index == 6);
	/* 1 MiB blocks: a run must start on a 2 MiB boundary (even index) */
	struct memblock small[] = { { 1, true, true }, { 2, true, true }, { 3, true, true } };
	CHECK(memblocks_choose(small, 3, 1ULL << 20, 2, &first, &count, &e) == 0);
	CHECK(small[first].index == 2 && count == 2);
	CHECK(memblocks_choose(small, 2, 1ULL << 20, 2, &first, &count, &e) == -1);
}

TEST(palacios_xml_has_the_fields_the_parser_reads)
{
	struct palacios_vm vm = { 192, 3, 1, 64, "/nets/a&b/image", "argv0=app -- \"x\"" };
	char *x = palacios_xml(&vm);

	CHECK_CONTAINS(x, "<vm class=\"PC\">");
	/* the parser reads "memory" (vmm_config.c), not the "mem" of comments */
	CHECK_CONTAINS(x, "<memory alignment=\"2MB\">192</memory>");
	CHECK(!strstr(x, "<mem>"));
	CHECK_CONTAINS(x, "<cores count=\"3\"><core/><core/><core/></cores>");
	CHECK_CONTAINS(x, "<file id=\"hrtelf\" filename=\"/nets/a&amp;b/image\"/>");
	CHECK_CONTAINS(x, "<hvm enable=\"y\">");
	CHECK_CONTAINS(x, "<ros cores=\"1\" mem=\"64\"/>");
	CHECK_CONTAINS(x, "<hrt file_id=\"hrtelf\" cmdline=\"argv0=app -- &quot;x&quot;\"/>");
	free(x);
}

/* The example in docs/hw-mode.md is what palacios_xml renders. */
TEST(palacios_xml_matches_the_docs)
{
	const char *src = getenv("DIVER_SRC");
	char *path = xasprintf("%s/docs/hw-mode.md", src ? src : ".");
	struct palacios_vm vm = { 128, 2, 1, 64, "/var/lib/diver/nets/1a2b/image",
				  "argv0=hello -- world" };
	struct strbuf sb = STRBUF_INIT;
	char *x = palacios_xml(&vm);
	const char *p = NULL, *end = NULL;

	if (fs_read_file(path, 1 << 20, &sb, NULL) == 0 &&
	    (p = strstr(sb.buf, "<!-- example: palacios-xml -->")) &&
	    (p = strstr(p, "```xml\n")))
		end = strstr(p + 7, "```");
	CHECK(end != NULL);
	if (end) {
		char *doc = xstrndup(p + 7, (size_t)(end - p - 7));
		CHECK_STR(doc, x);
		free(doc);
	}
	free(x);
	strbuf_release(&sb);
	free(path);
}

TEST(jailhouse_cell_description)
{
	struct cpulist l;
	struct dv_err e = { "" };
	char *d;

	CHECK(cpulist_parse("2-3", &l, &e) == 0);
	d = jailhouse_cell_desc("diver-42", &l, 64);
	CHECK_CONTAINS(d, "\nname=diver-42\ncpus=2-3\nmemory=64M\n");
	free(d);
	cpulist_release(&l);
}
