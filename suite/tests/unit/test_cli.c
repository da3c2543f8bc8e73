// SPDX-License-Identifier: GPL-2.0-only
/*
 * The subcommands against a fake sysfs: exit codes (cli.h), the device
 * checks shared by bench and conform, and no result lost to bad input.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../bench/bench.h"
#include "../../bench/fold.h"
#include "../../bench/gbench_run.h"
#include "../../cli/cli.h"
#include "fake_sysfs.h"
#include "file_util.h"
#include "harness.h"

#define GOOD "0000:01:00.0"	/* NVMe-class, vfio-pci, group 3 */
#define NIC "0000:03:00.0"	/* e1000e-class, vfio-pci, group 5 */
#define NATIVE "0000:04:00.0"	/* NVMe-class on its native driver */
#define ABSENT "0000:09:00.0"

static char dir[] = "/tmp/pfn-unit-cli.XXXXXX";
static char err_text[4096];

static void path_in(char *buf, const char *name)
{
	snprintf(buf, PATH_MAX, "%s/%s", dir, name);
}

static void fake_machine(struct fake_sysfs *fs, bool iommu)
{
	fake_device(fs, GOOD, "0x1b36\n", "0x0010\n", "vfio-pci", 3, "vfio0");
	fake_device_class(fs, NIC, "0x8086\n", "0x10d3\n", "0x020000\n", "vfio-pci", 5, "vfio1");
	fake_device(fs, NATIVE, "0x1b36\n", "0x0010\n", "nvme", 6, NULL);
	if (iommu)
		fake_iommu(fs);
}

static int saved_out = -1, saved_err = -1;

/* stdout to /dev/null and stderr into a file, until quiet_end(). */
static void quiet_begin(void)
{
	char path[PATH_MAX];
	int fd;

	path_in(path, "stderr.txt");
	fflush(stdout);
	fflush(stderr);
	saved_out = dup(1);
	saved_err = dup(2);
	fd = open("/dev/null", O_WRONLY);
	dup2(fd, 1);
	close(fd);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	dup2(fd, 2);
	close(fd);
}

/* Restore stdout and stderr; what went to stderr is in err_text. */
static void quiet_end(void)
{
	char path[PATH_MAX], *text;

	fflush(stdout);
	fflush(stderr);
	dup2(saved_out, 1);
	dup2(saved_err, 2);
	close(saved_out);
	close(saved_err);
	path_in(path, "stderr.txt");
	text = get_text(path);
	snprintf(err_text, sizeof(err_text), "%s", text ? text : "");
	free(text);
}

/* Run a subcommand with argv[] (NULL-terminated), quietly; Return: its exit status. */
static int run(int (*cmd)(int, char **), char **argv)
{
	int argc = 0, status;

	while (argv[argc])
		argc++;
	quiet_begin();
	optind = 0;	/* a fresh getopt for every call */
	status = cmd(argc, argv);
	quiet_end();
	return status;
}

static int quiet_gbench_run(const struct gbench_run *r, struct pfn_err *err)
{
	int ret;

	quiet_begin();
	ret = gbench_run(r, err);
	quiet_end();
	return ret;
}

#define OLD_PROBE "{\"devices\":[{\"bdf\":\"0000:02:00.0\",\"id\":\"1af4:1110\"}]}\n"

/*
 * probe with @devs (up to three --device BDFs, NULL-terminated) and --json
 * over an earlier result; Return: its exit status, the file left in @json.
 */
static int probe_over_old(const char *const *devs, char *json)
{
	char *argv[12] = { "probe", "--sysfs", NULL };
	struct fake_sysfs fs;
	int argc = 3, status;

	if (!fake_init(&fs))
		return -1;
	fake_machine(&fs, true);
	argv[2] = fs.root;
	for (; *devs; devs++) {
		argv[argc++] = "--device";
		argv[argc++] = (char *)*devs;
	}
	path_in(json, "probe.json");
	argv[argc++] = "--json";
	argv[argc++] = json;
	status = put_text(json, OLD_PROBE) ? run(cmd_probe, argv) : -1;
	fake_fini(&fs);
	return status;
}

static bool probe_absent_device_keeps_file(void)
{
	char json[PATH_MAX];

	CHECK_INT(probe_over_old((const char *[]){ ABSENT, NULL }, json), CLI_EXIT_USAGE);
	CHECK(same_text(json, OLD_PROBE));
	CHECK_CONTAINS(err_text, ABSENT);
	return true;
}

static bool probe_mixed_devices_keep_file(void)
{
	char json[PATH_MAX];

	CHECK_INT(probe_over_old((const char *[]){ GOOD, ABSENT, NATIVE, NULL }, json),
		  CLI_EXIT_USAGE);
	CHECK(same_text(json, OLD_PROBE));	/* no phantom "0000:0000" entry */
	CHECK_CONTAINS(err_text, ABSENT);
	CHECK_CONTAINS(err_text, NATIVE);
	CHECK_CONTAINS(err_text, "2 of 3 devices unusable");
	return true;
}

static bool probe_good_device_replaces_file(void)
{
	char json[PATH_MAX], *text;

	CHECK_INT(probe_over_old((const char *[]){ GOOD, NULL }, json), CLI_EXIT_OK);
	text = get_text(json);
	CHECK(text);
	CHECK(strstr(text, "\"bdf\":\"" GOOD "\"") && strstr(text, "\"id\":\"1b36:0010\"") &&
	      !strstr(text, "0000:0000"));
	free(text);
	return true;
}

static bool probe_exit_codes(void)
{
	struct fake_sysfs fs;

	CHECK(fake_init(&fs));
	fake_machine(&fs, false);
	CHECK_INT(run(cmd_probe, (char *[]){ "probe", "--sysfs", fs.root, NULL }), CLI_EXIT_INFRA);
	CHECK_CONTAINS(err_text, "no IOMMU");
	fake_iommu(&fs);
	CHECK_INT(run(cmd_probe, (char *[]){ "probe", "--bogus", NULL }), CLI_EXIT_USAGE);
	CHECK_INT(run(cmd_probe, (char *[]){ "probe", "--sysfs", fs.root, "--device", "xyz",
					     NULL }), CLI_EXIT_USAGE);
	CHECK_INT(run(cmd_probe, (char *[]){ "probe", "--sysfs", fs.root, "--device", NATIVE,
					     NULL }), CLI_EXIT_USAGE);
	CHECK_CONTAINS(err_text, "not vfio-pci");
	fake_fini(&fs);
	return true;
}

static bool dma_device_check(void)
{
	struct fake_sysfs fs;
	struct pfn_err err;
	bool ok = true;

	CHECK(fake_init(&fs));
	fake_machine(&fs, true);
	ok = ok && cli_check_dma_device(fs.root, GOOD, "", &err) == 0;
	ok = ok && cli_check_dma_device(fs.root, GOOD, GOOD, &err) == -EINVAL;
	ok = ok && cli_check_dma_device(fs.root, ABSENT, "", &err) == -ENODEV;
	ok = ok && cli_check_dma_device(fs.root, NATIVE, "", &err) == -EBUSY;
	ok = ok && cli_check_dma_device(fs.root, NIC, "", &err) == -ENODEV &&
	     strstr(err.msg, "no DMA driver");
	fake_fini(&fs);
	CHECK(ok);
	return true;
}

static bool bench_bad_devices_are_bad_input(void)
{
	struct fake_sysfs fs;
	char res[PATH_MAX];
	int s1, s2, s3, s4;

	CHECK(fake_init(&fs));
	fake_machine(&fs, true);
	path_in(res, "bench-dev");
	s1 = run(cmd_bench, (char *[]){ "bench", "--sysfs", fs.root, "--results", res,
					"--device", "xyz", NULL });
	s2 = run(cmd_bench, (char *[]){ "bench", "--sysfs", fs.root, "--results", res,
					"--device", ABSENT, NULL });
	s3 = run(cmd_bench, (char *[]){ "bench", "--sysfs", fs.root, "--results", res,
					"--device", GOOD, "--dma-device", NIC, NULL });
	s4 = run(cmd_bench, (char *[]){ "bench", "--sysfs", fs.root, "--results", res,
					"--device", GOOD, "--dma-device", GOOD, NULL });
	fake_fini(&fs);
	CHECK_INT(s1, CLI_EXIT_USAGE);
	CHECK_INT(s2, CLI_EXIT_USAGE);
	CHECK_INT(s3, CLI_EXIT_USAGE);
	CHECK_INT(s4, CLI_EXIT_USAGE);
	CHECK(access(res, F_OK) != 0);	/* nothing created either */
	return true;
}

#define OLD_GBENCH "{\"context\":{},\"benchmarks\":[]}\n"

static bool bench_invalid_filter_keeps_file(void)
{
	char res[PATH_MAX], gb[PATH_MAX];
	int status;

	path_in(res, "bench-filter");
	CHECK(mkdir(res, 0755) == 0);
	path_in(gb, "bench-filter/bench-gbench.json");
	CHECK(put_text(gb, OLD_GBENCH));
	status = run(cmd_bench, (char *[]){ "bench", "--results", res, "--filter", "map/[",
					    NULL });
	CHECK_INT(status, CLI_EXIT_USAGE);
	CHECK_CONTAINS(err_text, "not a valid regex");
	CHECK(same_text(gb, OLD_GBENCH));
	return true;
}

/* Benchmarks of this test binary; @fn runs once per repetition. */
static void bm_nop(struct pfnbench_state *st)
{
	while (pfnbench_keep_running(st))
		pfnbench_set_iteration_time(st, 1e-6);
}

static struct bench_ctx ctx;

static bool gbench_no_match_keeps_file(void)
{
	static const char *const names[] = { "size" };
	static const int64_t args[] = { 4096 }, iters[] = { 1 };
	char gb[PATH_MAX], *text;
	struct gbench_run r = { .out_path = gb, .repetitions = 1 };
	struct pfn_err err;

	ctx.env.bar_size = 1 << 20;
	ctx.progress.quiet = true;
	CHECK_INT(bench_add("t_nop/vma", bm_nop, &ctx, names, 1, args, 1, iters), 0);
	path_in(gb, "gbench.json");
	CHECK(put_text(gb, OLD_GBENCH));
	r.filter = "^nothing_matches$";
	CHECK_INT(quiet_gbench_run(&r, &err), -ENOENT);
	CHECK(same_text(gb, OLD_GBENCH));
	r.filter = "t_nop/[";	/* Google Benchmark's own regex: does not compile */
	CHECK_INT(quiet_gbench_run(&r, &err), -ENOENT);
	CHECK(same_text(gb, OLD_GBENCH));
	r.filter = "^t_nop/";
	CHECK_INT(quiet_gbench_run(&r, &err), 0);
	text = get_text(gb);
	CHECK(text && strstr(text, "\"t_nop/vma/size:4096"));
	free(text);
	return true;
}

/* A slice the BAR lacks is still listed, as a SKIP saying why; --filter counts. */
static bool bench_unfit_sizes_are_listed(void)
{
	static const char *const names[] = { "size", "align" };
	static const int64_t args[] = { 4096, 4096, 2 << 20, 4096, 2 << 20, 2 << 20 };
	static const int64_t iters[] = { 1, 1, 1 };
	char gb[PATH_MAX], name[16] = "t_fit/vma", *text;
	struct gbench_run r = { .out_path = gb, .repetitions = 2, .filter = "^t_fit/" };
	char bj[PATH_MAX];
	struct bench_fold *runs = bench_fold_new();
	struct bench_meta meta = { .profile = "quick", .repetitions = 2, .accel = "tcg" };
	struct fold_summary sum;
	unsigned int before = ctx.progress.planned;
	struct pfn_err err;
	regex_t re;

	ctx.env.bar_size = 1 << 20;
	/* bench_add() keeps its own copy of @name: callers format it in a buffer. */
	CHECK_INT(bench_add(name, bm_nop, &ctx, names, 2, args, 3, iters), 0);
	strcpy(name, "t_gone/xx");
	CHECK_INT(ctx.progress.planned - before, 3);
	CHECK_INT(regcomp(&re, "align:2097152$", REG_EXTENDED | REG_NOSUB), 0);
	ctx.filter = &re;
	CHECK_INT(bench_add("t_filtered/vma", bm_nop, &ctx, names, 2, args, 3, iters), 0);
	ctx.filter = NULL;
	regfree(&re);
	CHECK_INT(ctx.progress.planned - before, 4);
	path_in(gb, "fit.json");
	ctx.progress.quiet = false;
	CHECK(runs);
	r.on_result = bench_fold_result;
	r.ctx = runs;
	CHECK_INT(quiet_gbench_run(&r, &err), 0);
	/* bench.json from the runs Google Benchmark reported (no JSON read back). */
	path_in(bj, "fit-bench.json");
	CHECK_INT(bench_fold_publish(runs, &meta, "fit.json", bj, &sum, &err), 0);
	bench_fold_free(runs);
	CHECK_INT(sum.metrics, 1);	/* the 4K slice's time; the others are SKIPs */
	CHECK_INT(sum.skipped, 2);
	CHECK_INT(sum.errors, 0);
	text = get_text(bj);
	CHECK(text);
	CHECK(strstr(text, "\"schema\":\"pfnsuite-bench/1\""));
	CHECK(strstr(text, "\"name\":\"t_fit/vma/size:4096/align:4096.time\""));
	CHECK(strstr(text, "\"n\":2"));
	CHECK(strstr(text, "\"reason\":\"the slice (2097152 bytes) is larger than"));
	CHECK(strstr(text, "\"gbench_json\":\"fit.json\""));
	free(text);
	/* One progress line per instance, counting down, on stderr. */
	CHECK_CONTAINS(err_text, "] t_fit/vma/size:4096/align:4096 (");
	CHECK_CONTAINS(err_text, "to go, ");
	CHECK_CONTAINS(err_text, " s elapsed)");
	text = get_text(gb);
	CHECK(text);
	CHECK(strstr(text, "SKIP: the slice (2097152 bytes) is larger than"));
	CHECK(strstr(text, "t_fit/vma/size:2097152/align:2097152"));
	CHECK(strstr(text, "t_fit/vma/size:4096/align:4096"));
	free(text);
	return true;
}

static const struct unit_case cases[] = {
	{ "probe_absent_device_keeps_file", probe_absent_device_keeps_file },
	{ "probe_mixed_devices_keep_file", probe_mixed_devices_keep_file },
	{ "probe_good_device_replaces_file", probe_good_device_replaces_file },
	{ "probe_exit_codes", probe_exit_codes },
	{ "dma_device_check", dma_device_check },
	{ "bench_bad_devices_are_bad_input", bench_bad_devices_are_bad_input },
	{ "bench_invalid_filter_keeps_file", bench_invalid_filter_keeps_file },
	{ "gbench_no_match_keeps_file", gbench_no_match_keeps_file },
	{ "bench_unfit_sizes_are_listed", bench_unfit_sizes_are_listed },
};

int main(void)
{
	return unit_run_in_tmpdir(dir, "pfnsuite subcommands: exit codes, device checks, no result lost",
				  cases, sizeof(cases) / sizeof(cases[0]));
}
