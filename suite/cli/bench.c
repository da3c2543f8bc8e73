// SPDX-License-Identifier: GPL-2.0-only
/*
 * pfnsuite bench: the mmap-VMA path against the dma-buf path, side by side
 * in one process, through Google Benchmark.  Google Benchmark writes its own
 * JSON (DIR/bench-gbench.json, kept as an artifact); bench.json is written
 * from the runs its reporter hands over (nothing is read back); the table
 * of ratios is results/tools/report's.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "../bench/bench.h"
#include "../bench/fold.h"
#include "../bench/gbench_run.h"
#include "../bench/meta.h"
#include "cli.h"

#define GBENCH_FILE "bench-gbench.json"

struct bench_opts {
	const char *filter;
	int repetitions;
	bool quick;
	bool list;
	const char *results;
	const char *device;
	const char *dma_device;
	int bar;
	const char *target;
	const char *sysfs;
	enum bench_path inject_path;
	uint64_t inject_us;
};

static void bench_usage(FILE *out)
{
	fprintf(out,
		"usage: pfnsuite bench [--filter REGEX] [--repetitions N] [--quick] [--results DIR]\n"
		"                      [--device BDF] [--bar N] [--dma-device BDF] [--target ACCEL]\n"
		"                      [--list] [--inject-delay-us PATH=N]\n"
		"  --filter       run benchmarks whose name (GROUP/PATH/size:S/...) matches the\n"
		"                 POSIX extended regex, e.g. '^iommu_map/'\n"
		"  --repetitions  samples per benchmark (default 5)\n"
		"  --quick        the short profile of `make test`: small slices at 4K alignment,\n"
		"                 at most 1 GiB whatever the BAR (the full profile: the whole BAR)\n"
		"  --results      write DIR/" GBENCH_FILE " and DIR/bench.json (default:\n"
		"                 $PFN_RESULTS, else the current directory)\n"
		"  --device       device whose BAR is mapped (default: the vfio-pci device with\n"
		"                 the largest mmap-capable BAR); --bar picks the BAR\n"
		"  --dma-device   DMA-capable device for map + first DMA (default: the first\n"
		"                 other vfio-pci device a built-in DMA driver handles)\n"
		"  --target       tcg, kvm or none: how the timings were taken, when CPUID's\n"
		"                 hypervisor leaf cannot tell\n"
		"  --inject-delay-us PATH=N\n"
		"                 TEST ONLY: busy-wait N us inside every timed IOMMU map call of\n"
		"                 PATH (vma or dmabuf), to prove a regression shows in the ratios\n"
		"Results replace earlier ones only when complete. Progress goes to stderr.\n"
		"Exit 0 when every benchmark ran or was skipped with a reason; 1 when one\n"
		"failed; 2 for bad usage or input (unknown option, a filter matching nothing,\n"
		"a --device or --dma-device that is absent, unbound or unsuitable): nothing\n"
		"is run or written; 3 when the machine has no\n"
		"IOMMU or results cannot be written.\n");
}

static int parse_inject(const char *arg, struct bench_opts *o)
{
	const char *eq = strchr(arg, '=');
	char *end;

	if (!eq)
		return -EINVAL;
	if (!strncmp(arg, "vma", (size_t)(eq - arg)) && eq - arg == 3)
		o->inject_path = BENCH_PATH_VMA;
	else if (!strncmp(arg, "dmabuf", (size_t)(eq - arg)) && eq - arg == 6)
		o->inject_path = BENCH_PATH_DMABUF;
	else
		return -EINVAL;
	errno = 0;
	o->inject_us = strtoull(eq + 1, &end, 10);
	if (errno || end == eq + 1 || *end || o->inject_us > 10000000)
		return -EINVAL;
	return 0;
}

static int parse(int argc, char **argv, struct bench_opts *o)
{
	static const struct option opts[] = {
		{ "filter", required_argument, NULL, 'f' },
		{ "repetitions", required_argument, NULL, 'n' },
		{ "quick", no_argument, NULL, 'q' },
		{ "results", required_argument, NULL, 'r' },
		{ "device", required_argument, NULL, 'd' },
		{ "bar", required_argument, NULL, 'b' },
		{ "dma-device", required_argument, NULL, 'D' },
		{ "target", required_argument, NULL, 't' },
		{ "list", no_argument, NULL, 'l' },
		{ "inject-delay-us", required_argument, NULL, 'I' },
		{ "sysfs", required_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	char *end;
	long v;
	int c;

	while ((c = getopt_long(argc, argv, "f:n:qr:d:b:D:t:lI:s:h", opts, NULL)) != -1) {
		switch (c) {
		case 'f':
			o->filter = optarg;
			break;
		case 'n':
			v = strtol(optarg, &end, 10);
			if (*end || v < 1 || v > 1000) {
				fprintf(stderr, "pfnsuite bench: --repetitions takes 1 to 1000\n");
				return CLI_EXIT_USAGE;
			}
			o->repetitions = (int)v;
			break;
		case 'q':
			o->quick = true;
			break;
		case 'r':
			o->results = optarg;
			break;
		case 'd':
			o->device = optarg;
			break;
		case 'D':
			o->dma_device = optarg;
			break;
		case 'b':
			v = strtol(optarg, &end, 0);
			if (*end || v < 0 || v >= PFN_NUM_BARS) {
				fprintf(stderr, "pfnsuite bench: --bar takes 0 to 5\n");
				return CLI_EXIT_USAGE;
			}
			o->bar = (int)v;
			break;
		case 't':
			if (strcmp(optarg, "tcg") && strcmp(optarg, "kvm") && strcmp(optarg, "none")) {
				fprintf(stderr, "pfnsuite bench: --target takes tcg, kvm or none\n");
				return CLI_EXIT_USAGE;
			}
			o->target = optarg;
			break;
		case 'l':
			o->list = true;
			break;
		case 'I':
			if (parse_inject(optarg, o)) {
				fprintf(stderr, "pfnsuite bench: --inject-delay-us takes vma=N or dmabuf=N (N us, at most 10 s)\n");
				return CLI_EXIT_USAGE;
			}
			break;
		case 's':
			o->sysfs = optarg;
			break;
		case 'h':
			bench_usage(stdout);
			return CLI_EXIT_OK;
		default:
			return cli_bad_option("bench", argv);
		}
	}
	if (optind != argc) {
		fprintf(stderr, "pfnsuite bench: unexpected argument '%s'\n", argv[optind]);
		return CLI_EXIT_USAGE;
	}
	return -1;
}

static void fill_meta(struct bench_meta *m, const struct bench_opts *o,
		      const struct bench_ctx *ctx, int repetitions)
{
	struct pfn_pci_info info;

	memset(m, 0, sizeof(*m));
	bench_meta_collect(m, o->sysfs);
	snprintf(m->profile, sizeof(m->profile), "%s", ctx->profile.name);
	m->repetitions = repetitions;
	snprintf(m->filter, sizeof(m->filter), "%s", o->filter ? o->filter : "");
	snprintf(m->target_bdf, sizeof(m->target_bdf), "%s", ctx->env.target_bdf);
	if (!pfn_pci_info(o->sysfs, ctx->env.target_bdf, &info, NULL)) {
		m->vendor = info.vendor;
		m->device = info.device;
	}
	m->bar = ctx->env.bar;
	m->bar_size = ctx->env.bar_size;
	snprintf(m->dma_bdf, sizeof(m->dma_bdf), "%s", ctx->env.dma_bdf);
	if (o->target) {
		snprintf(m->accel, sizeof(m->accel), "%s", o->target);
		snprintf(m->accel_source, sizeof(m->accel_source), "--target");
	}
	if (o->inject_us) {
		snprintf(m->inject_path, sizeof(m->inject_path), "%s",
			 bench_path_name(o->inject_path));
		m->inject_us = o->inject_us;
	}
}

/* Write @json_path from the runs in @f; Return: the exit status. */
static int publish(struct bench_fold *f, const struct bench_meta *meta, const char *json_path)
{
	struct fold_summary sum;
	struct pfn_err err;

	if (bench_fold_publish(f, meta, GBENCH_FILE, json_path, &sum, &err)) {
		fprintf(stderr, "pfnsuite bench: %s; %s left as it was\n", err.msg, json_path);
		return CLI_EXIT_INFRA;
	}
	printf("# pfnsuite bench: %zu metrics, %zu skipped, %zu failed; wrote %s (Google Benchmark's own report: %s)\n",
	       sum.metrics, sum.skipped, sum.errors, json_path, GBENCH_FILE);
	printf("# table: /usr/bin/python3 results/tools/report %s\n", json_path);
	return sum.errors ? CLI_EXIT_FAILED : CLI_EXIT_OK;
}

/* Compile --filter; Return: 0, or the exit status after saying what is wrong. */
static int compile_filter(const char *filter, regex_t *re)
{
	char msg[256];
	int rc;

	rc = regcomp(re, filter, REG_EXTENDED | REG_NOSUB);
	if (!rc)
		return 0;
	regerror(rc, re, msg, sizeof(msg));
	fprintf(stderr, "pfnsuite bench: --filter '%s' is not a valid regex: %s\n", filter, msg);
	return CLI_EXIT_USAGE;
}

/* Check --device and --dma-device, then pick the BAR; Return: 0 or the exit status. */
static int setup_env(struct bench_ctx *ctx, const struct bench_opts *o)
{
	char target[PFN_BDF_LEN] = "", dma[PFN_BDF_LEN];
	struct pfn_err err;
	int ret;

	if (o->device && cli_check_device(o->sysfs, o->device, target, NULL, &err)) {
		fprintf(stderr, "pfnsuite bench: --device: %s\n", err.msg);
		return CLI_EXIT_USAGE;
	}
	/* The verdict conform gives the same device: bad input, not a SKIP. */
	if (o->dma_device && (pfn_bdf_parse(o->dma_device, dma, &err) ||
			      cli_check_dma_device(o->sysfs, dma, target, &err))) {
		fprintf(stderr, "pfnsuite bench: --dma-device: %s\n", err.msg);
		return CLI_EXIT_USAGE;
	}
	ret = bench_env_init(&ctx->env, o->sysfs, o->device, o->bar, o->dma_device, &err);
	if (ret) {
		fprintf(stderr, "pfnsuite bench: %s\n", err.msg);
		return cli_exit_for_device_error(ret);
	}
	return 0;
}

int cmd_bench(int argc, char **argv)
{
	struct bench_opts o = { .bar = -1, .sysfs = PFN_SYSFS_DEFAULT };
	char gbench_path[PATH_MAX], json_path[PATH_MAX];
	struct gbench_run run = { 0 };
	struct bench_fold *runs = NULL;
	struct bench_meta meta;
	struct bench_ctx *ctx;
	struct pfn_err err;
	regex_t filter;
	int ret, status;

	ret = parse(argc, argv, &o);
	if (ret >= 0)
		return ret;
	if (!o.results)
		o.results = getenv("PFN_RESULTS") ? getenv("PFN_RESULTS") : ".";
	if (snprintf(gbench_path, sizeof(gbench_path), "%s/%s", o.results, GBENCH_FILE) >=
		    (int)sizeof(gbench_path) ||
	    snprintf(json_path, sizeof(json_path), "%s/bench.json", o.results) >=
		    (int)sizeof(json_path)) {
		fprintf(stderr, "pfnsuite bench: --results path too long\n");
		return CLI_EXIT_USAGE;
	}
	if (o.filter && compile_filter(o.filter, &filter))
		return CLI_EXIT_USAGE;
	if (!o.list && !pfn_iommu_present(o.sysfs)) {
		fprintf(stderr, "pfnsuite bench: no IOMMU is active: enable VT-d/AMD-Vi and boot with intel_iommu=on or amd_iommu=on\n");
		status = CLI_EXIT_INFRA;
		goto out_filter;
	}
	/* Google Benchmark keeps pointers into it until exit. */
	ctx = calloc(1, sizeof(*ctx));
	if (!ctx) {
		fprintf(stderr, "pfnsuite bench: out of memory\n");
		status = CLI_EXIT_INFRA;
		goto out_filter;
	}
	status = setup_env(ctx, &o);
	if (status) {
		free(ctx);
		goto out_filter;
	}
	ctx->filter = o.filter ? &filter : NULL;
	ctx->progress.quiet = o.list;
	bench_profile_init(&ctx->profile, o.quick, ctx->env.bar_size);
	run.out_path = gbench_path;
	run.filter = NULL;	/* filtered at registration: the progress lines count right */
	run.repetitions = o.repetitions ? o.repetitions : ctx->profile.repetitions;
	run.list = o.list;
	runs = bench_fold_new();
	if (!runs) {
		fprintf(stderr, "pfnsuite bench: out of memory\n");
		status = CLI_EXIT_INFRA;
		goto out_env;
	}
	run.on_result = bench_fold_result;
	run.ctx = runs;
	if (o.inject_us) {
		ctx->inject_delay_us[o.inject_path] = o.inject_us;
		fprintf(stderr, "pfnsuite bench: TEST ONLY: %llu us busy delay injected into every %s map; these results are not a measurement\n",
			(unsigned long long)o.inject_us, bench_path_name(o.inject_path));
	}
	fill_meta(&meta, &o, ctx, run.repetitions);
	ret = bench_meta_publish(&meta);
	if (!ret)
		ret = bench_register_all(ctx);	/* from here on, ctx lives until exit */
	if (ret) {
		fprintf(stderr, "pfnsuite bench: registering benchmarks: %s\n", strerror(-ret));
		status = CLI_EXIT_INFRA;
		goto out_env;
	}
	if (!ctx->progress.planned) {
		fprintf(stderr, "pfnsuite bench: no benchmark matches '%s' (see --list); %s left as it was\n",
			o.filter ? o.filter : "", gbench_path);
		status = CLI_EXIT_USAGE;
		goto out_env;
	}
	if (!o.list && mkdir(o.results, 0755) && errno != EEXIST) {
		fprintf(stderr, "pfnsuite bench: creating %s: %s\n", o.results, strerror(errno));
		status = CLI_EXIT_INFRA;
		goto out_env;
	}
	if (!o.list) {
		printf("# pfnsuite bench: %s profile, %u benchmarks, %d repetitions, target %s BAR%u (%llu bytes), DMA device %s\n",
		       ctx->profile.name, ctx->progress.planned, run.repetitions, ctx->env.target_bdf,
		       ctx->env.bar, (unsigned long long)ctx->env.bar_size,
		       ctx->env.dma_bdf[0] ? ctx->env.dma_bdf : "none");
		fflush(stdout);
	}
	ret = gbench_run(&run, &err);
	bench_env_close(&ctx->env);
	if (ret) {
		fprintf(stderr, "pfnsuite bench: %s\n", err.msg);
		status = ret == -ENOENT ? CLI_EXIT_USAGE : CLI_EXIT_INFRA;
	} else if (!o.list) {
		fprintf(stderr, "# bench: %u benchmarks done in %.0f s\n", ctx->progress.planned,
			bench_now() - ctx->progress.t0);
		status = publish(runs, &meta, json_path);
	}
out_env:
	bench_fold_free(runs);
	bench_env_close(&ctx->env);
out_filter:
	if (o.filter)
		regfree(&filter);
	return status;
}
