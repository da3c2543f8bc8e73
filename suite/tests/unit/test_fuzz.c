// SPDX-License-Identifier: GPL-2.0-only
/*
 * The fuzzer on the host: the generator is reproducible from its seed, its
 * edge values reach every boundary, the counts tell a documented finding
 * from a bad input accepted, the results JSON says what failed, and bad
 * options or inputs are refused with exit 2 before anything runs.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <getopt.h>

#include "../../cli/cli.h"
#include "../../fuzz/fuzz.h"
#include "fake_sysfs.h"
#include "file_util.h"
#include "harness.h"

static char dir[] = "/tmp/pfn-unit-fuzz.XXXXXX";

static bool rng_reproducible(void)
{
	struct fuzz_rng a, b, c;
	bool differs = false;

	fuzz_rng_seed(&a, 42, 7);
	fuzz_rng_seed(&b, 42, 7);
	fuzz_rng_seed(&c, 42, 8);
	for (int i = 0; i < 1000; i++) {
		uint64_t x = fuzz_u64(&a);

		CHECK(x == fuzz_u64(&b));
		differs |= x != fuzz_u64(&c);
		CHECK(fuzz_below(&a, 10) < 10);
		(void)fuzz_below(&b, 10);
	}
	CHECK(differs);
	return true;
}

static bool edges_reach_every_boundary(void)
{
	const uint64_t page = 4096, size = 1ull << 20;
	const uint64_t want[] = { 0, 1, page - 1, page, page + 1, size - page, size, size + page,
				  1ull << 32, 1ull << 63, ~0ull };
	bool seen[sizeof(want) / sizeof(want[0])] = { 0 };
	struct fuzz_rng r;

	fuzz_rng_seed(&r, 1, 0);
	for (int i = 0; i < 4000; i++) {
		uint64_t v = fuzz_edge(&r, size, page);

		for (size_t k = 0; k < sizeof(want) / sizeof(want[0]); k++)
			seen[k] |= v == want[k];
	}
	for (size_t k = 0; k < sizeof(want) / sizeof(want[0]); k++)
		CHECK(seen[k]);
	return true;
}

static bool stats_tell_findings_from_failures(void)
{
	static struct fuzz_stats st;
	struct fuzz_call c = { .op = FUZZ_MAP_FILE, .ran = true };

	snprintf(c.desc, sizeof(c.desc), "fd=eventfd");
	c.ret = -EINVAL;
	c.must_fail = "MAP-fd-kind";
	CHECK(!fuzz_stats_add(&st, &c));		/* refused, as it must be */
	c.ret = 0;
	c.must_fail = NULL;
	CHECK(!fuzz_stats_add(&st, &c));		/* any outcome allowed */
	c.must_fail = "MAP-write-readonly-dmabuf";
	c.finding = "FIND-041";
	CHECK(!fuzz_stats_add(&st, &c));		/* accepted: a documented finding */
	CHECK(!fuzz_stats_add(&st, &c));
	c.finding = NULL;
	c.must_fail = "MAP-fd-kind";
	CHECK(fuzz_stats_add(&st, &c));			/* accepted: a failure */
	c.ran = false;
	CHECK(!fuzz_stats_add(&st, &c));
	CHECK_INT((int)st.calls[FUZZ_MAP_FILE], 5);
	CHECK_INT((int)st.not_run[FUZZ_MAP_FILE], 1);
	CHECK_INT((int)st.result[FUZZ_MAP_FILE][0], 4);
	CHECK_INT((int)st.result[FUZZ_MAP_FILE][EINVAL], 1);
	CHECK_INT((int)st.accepted[FUZZ_MAP_FILE], 1);
	CHECK_INT((int)st.n_findings, 1);
	CHECK_INT((int)st.findings[0].count, 2);
	CHECK_STR(st.findings[0].id, "FIND-041");
	CHECK_CONTAINS(st.first_accepted, "IOMMU_IOAS_MAP_FILE MAP-fd-kind: fd=eventfd");
	return true;
}

static bool json_says_what_failed(void)
{
	static struct fuzz_stats st;
	static char unavailable[FUZZ_OP_COUNT][160];
	struct fuzz_verdict v = { .batches = 2, .control_failures = 1, .leaked_dmabufs = 0 };
	struct fuzz_options opt = { .iterations = 128, .seed = 0x2a, .batch = 64 };
	struct fuzz_call c = { .op = FUZZ_EXPORT, .ran = true, .ret = -ENODEV };
	char path[PATH_MAX], *text;
	struct pfn_err err;

	fuzz_stats_add(&st, &c);
	snprintf(unavailable[FUZZ_KVM_SLOT], sizeof(unavailable[0]), "/dev/kvm: absent");
	snprintf(v.first_failure, sizeof(v.first_failure), "control after batch 1: no landing");
	snprintf(path, sizeof(path), "%s/fuzz.json", dir);
	CHECK_INT(fuzz_report_json(path, &st, (const char (*)[160])unavailable, &v, &opt, &err), 0);
	text = get_text(path);
	CHECK(text);
	CHECK_CONTAINS(text, "\"schema\":\"pfnsuite-fuzz/1\"");
	CHECK_CONTAINS(text, "\"seed\":\"0x2a\"");
	CHECK_CONTAINS(text, "\"ENODEV\":1");
	CHECK_CONTAINS(text, "\"control_failures\":1");
	CHECK_CONTAINS(text, "\"result\":\"fail\"");
	CHECK_CONTAINS(text, "/dev/kvm: absent");
	free(text);
	return true;
}

static int run_fuzz(char **argv)
{
	int argc = 0, status;
	FILE *saved = stderr;

	while (argv[argc])
		argc++;
	stderr = fopen("/dev/null", "w");
	optind = 0;
	status = cmd_fuzz(argc, argv);
	fclose(stderr);
	stderr = saved;
	return status;
}

static bool bad_options_are_refused(void)
{
	char garbage[PATH_MAX], good[PATH_MAX];
	struct fake_sysfs fs;

	CHECK_INT(run_fuzz((char *[]){ "fuzz", "--iterations", "-1", NULL }), CLI_EXIT_USAGE);
	CHECK_INT(run_fuzz((char *[]){ "fuzz", "--iterations", "0", NULL }), CLI_EXIT_USAGE);
	CHECK_INT(run_fuzz((char *[]){ "fuzz", "--iterations", "99999999999", NULL }),
		  CLI_EXIT_USAGE);
	CHECK_INT(run_fuzz((char *[]){ "fuzz", "--seed", "0xzz", NULL }), CLI_EXIT_USAGE);
	CHECK_INT(run_fuzz((char *[]){ "fuzz", "--batch", "5000", NULL }), CLI_EXIT_USAGE);
	CHECK_INT(run_fuzz((char *[]){ "fuzz", "--bar", "6", NULL }), CLI_EXIT_USAGE);
	CHECK_INT(run_fuzz((char *[]){ "fuzz", "--device", "nonsense", NULL }), CLI_EXIT_USAGE);
	CHECK_INT(run_fuzz((char *[]){ "fuzz", "--save-dir", "/nonexistent/dir", NULL }),
		  CLI_EXIT_USAGE);
	CHECK_INT(run_fuzz((char *[]){ "fuzz", "--test-dma-fault", "maybe", NULL }),
		  CLI_EXIT_USAGE);
	CHECK_INT(run_fuzz((char *[]){ "fuzz", "stray", NULL }), CLI_EXIT_USAGE);
	snprintf(garbage, sizeof(garbage), "%s/garbage.input", dir);
	CHECK(put_text(garbage, "seed 1\nbatch 2\n"));		/* no magic, no calls */
	CHECK_INT(run_fuzz((char *[]){ "fuzz", "--replay", garbage, NULL }), CLI_EXIT_USAGE);
	CHECK_INT(run_fuzz((char *[]){ "fuzz", "--replay", "/nonexistent.input", NULL }),
		  CLI_EXIT_USAGE);
	/* a well-formed input gets past the checks, to the machine: no IOMMU */
	snprintf(good, sizeof(good), "%s/good.input", dir);
	CHECK(put_text(good, "pfnsuite-fuzz-input/1\nseed 0x1\nbatch 3\ncalls 64\n# why: x\n"));
	CHECK(fake_init(&fs));
	CHECK_INT(run_fuzz((char *[]){ "fuzz", "--sysfs", fs.root, "--replay", good, NULL }),
		  CLI_EXIT_INFRA);
	fake_fini(&fs);
	return true;
}

static const struct unit_case cases[] = {
	{ "rng_reproducible", rng_reproducible },
	{ "edges_reach_every_boundary", edges_reach_every_boundary },
	{ "stats_tell_findings_from_failures", stats_tell_findings_from_failures },
	{ "json_says_what_failed", json_says_what_failed },
	{ "bad_options_are_refused", bad_options_are_refused },
};

int main(void)
{
	return unit_run_in_tmpdir(dir, "pfnsuite fuzz: generator, counts, results, bad input",
				  cases, sizeof(cases) / sizeof(cases[0]));
}
