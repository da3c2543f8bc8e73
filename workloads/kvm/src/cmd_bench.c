// SPDX-License-Identifier: GPL-2.0-only
/*
 * pfn-kvm bench: guest access to a BAR through the VMA path at several mmap
 * alignments, and through a dma-buf memslot when the kernel has one.
 */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "pfn/vfio.h"
#include "pfnkvm/bench.h"

#define MAX_ALIGNS 8
#define SMALL_ALIGN_WINDOW (64ull << 20)	/* default window below 2 MiB alignment */

/**
 * struct bench_opts - what to run
 * @c: common options
 * @paths: bit 0 VMA, bit 1 dma-buf
 * @aligns: VMA mmap alignments
 * @n_aligns: how many
 * @window: bytes of BAR in the guest, 0 for the default
 * @stride: bytes between guest accesses
 * @passes: passes per VM
 * @repeat: VMs per configuration
 * @timeout: seconds per VM
 * @prime: touch every page of the BAR from the host before measuring
 */
struct bench_opts {
	struct cli_common c;
	unsigned int paths;
	uint64_t aligns[MAX_ALIGNS];
	unsigned int n_aligns;
	uint64_t window;
	uint64_t stride;
	unsigned int passes;
	unsigned int repeat;
	double timeout;
	bool prime;
};

/**
 * struct bench_run - one configuration's outcome
 * @res: measurements
 * @status: "ok", "skipped" or "failed"
 * @reason: why not ok
 */
struct bench_run {
	struct pkvm_bench_result res;
	const char *status;
	char reason[PFN_ERR_MSG_MAX];
};

static void bench_usage(FILE *out)
{
	fprintf(out,
		"usage: pfn-kvm bench [--device BDF] [--bar N] [--json FILE] [--path vma|dmabuf|all]\n"
		"                     [--align LIST] [--window SIZE] [--stride SIZE] [--passes N]\n"
		"                     [--repeat N] [--timeout SECONDS]\n"
		"  --path     vma: BAR mmap + ordinary memslot; dmabuf: KVM_MEM_DMABUF memslot\n"
		"             (proposed UAPI; skipped when the kernel lacks it); default all\n"
		"  --align    VMA path mmap alignments, exact (aligned to A, not 2A); default 1G,2M,4K\n"
		"  --window   bytes of BAR put in the guest (default: the BAR, at most 1G; 64M\n"
		"             for alignments below 2M)\n"
		"  --stride   bytes between guest accesses (default 4K: one access per page)\n"
		"  --passes   passes per VM, pass 0 cold (default 4); --repeat VMs (default 3)\n"
		"  --timeout  seconds one VM may run (default 300)\n"
		"  --no-prime do not write every BAR page from the host first (priming keeps an\n"
		"             emulator's lazy allocation of device memory out of the cold pass)\n");
}

static int parse_aligns(struct bench_opts *o, const char *arg)
{
	char buf[256], *tok, *save = NULL;

	snprintf(buf, sizeof(buf), "%s", arg);
	o->n_aligns = 0;
	for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		uint64_t a;

		if (o->n_aligns == MAX_ALIGNS || cli_parse_size(tok, &a) || a < 4096 ||
		    (a & (a - 1)))
			return -EINVAL;
		o->aligns[o->n_aligns++] = a;
	}
	return o->n_aligns ? 0 : -EINVAL;
}

static int parse(struct bench_opts *o, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "device", required_argument, NULL, 'd' },
		{ "bar", required_argument, NULL, 'b' },
		{ "json", required_argument, NULL, 'j' },
		{ "sysfs", required_argument, NULL, 's' },
		{ "path", required_argument, NULL, 'p' },
		{ "align", required_argument, NULL, 'a' },
		{ "window", required_argument, NULL, 'w' },
		{ "stride", required_argument, NULL, 'S' },
		{ "passes", required_argument, NULL, 'P' },
		{ "repeat", required_argument, NULL, 'r' },
		{ "timeout", required_argument, NULL, 't' },
		{ "no-prime", no_argument, NULL, 'n' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	char *end;
	int opt, ret;

	while ((opt = getopt_long(argc, argv, "d:b:j:s:p:a:w:S:P:r:t:nh", opts, NULL)) != -1) {
		ret = cli_common_option(&o->c, opt, optarg);
		if (ret < 0)
			return CLI_USAGE;
		if (ret)
			continue;
		switch (opt) {
		case 'p':
			if (!strcmp(optarg, "vma"))
				o->paths = 1;
			else if (!strcmp(optarg, "dmabuf"))
				o->paths = 2;
			else if (!strcmp(optarg, "all"))
				o->paths = 3;
			else
				goto bad;
			break;
		case 'a':
			if (parse_aligns(o, optarg))
				goto bad;
			break;
		case 'w':
			if (cli_parse_size(optarg, &o->window) || !o->window || o->window % 4096)
				goto bad;
			break;
		case 'S':
			if (cli_parse_size(optarg, &o->stride) || !o->stride || o->stride % 8)
				goto bad;
			break;
		case 'P':
			o->passes = (unsigned int)strtoul(optarg, &end, 0);
			if (*end || o->passes < 2 || o->passes > 200)
				goto bad;
			break;
		case 'r':
			o->repeat = (unsigned int)strtoul(optarg, &end, 0);
			if (*end || !o->repeat || o->repeat > 100)
				goto bad;
			break;
		case 't':
			o->timeout = strtod(optarg, &end);
			if (*end || o->timeout <= 0)
				goto bad;
			break;
		case 'n':
			o->prime = false;
			break;
		case 'h':
			bench_usage(stdout);
			return -1;
		default:
			return cli_bad_option("pfn-kvm bench", argv);
		}
	}
	if (optind != argc) {
		fprintf(stderr, "pfn-kvm bench: unexpected argument '%s'\n", argv[optind]);
		return CLI_USAGE;
	}
	return 0;
bad:
	fprintf(stderr, "pfn-kvm bench: bad value for --%s: '%s'\n",
		opt == 'p' ? "path" : opt == 'a' ? "align" : opt == 'w' ? "window" :
		opt == 'S' ? "stride" : opt == 'P' ? "passes (2..200)" : opt == 'r' ? "repeat (1..100)" :
		"timeout", optarg);
	return CLI_USAGE;
}

static uint64_t default_window(const struct bench_opts *o, const struct pkvm_target *t,
			       uint64_t align)
{
	uint64_t w = o->window ? o->window : t->bar_size < (1ull << 30) ? t->bar_size : 1ull << 30;

	if (!o->window && align < (2ull << 20) && w > SMALL_ALIGN_WINDOW)
		w = SMALL_ALIGN_WINDOW;
	return w;
}

static void print_run(const struct bench_run *br)
{
	const struct pkvm_bench_cfg *cfg = &br->res.cfg;
	char a[16], w[16], s[16];

	printf("%s align=%s window=%s stride=%s passes=%u x%u VMs: %s%s%s\n",
	       pkvm_path_name(cfg->path), cli_format_size(cfg->align, a, sizeof(a)),
	       cli_format_size(cfg->window, w, sizeof(w)), cli_format_size(cfg->stride, s, sizeof(s)),
	       cfg->passes, cfg->repeat, br->status, br->reason[0] ? ": " : "", br->reason);
	for (int i = 0; i < PKVM_BM_COUNT; i++) {
		const struct pkvm_metric *m = &br->res.m[i];
		struct pkvm_summary sm = pkvm_metric_summary(m);

		if (!sm.n)
			continue;
		printf("  %-28s %12.4g %-8s [%.4g .. %.4g] n=%u\n", m->name, sm.median, m->unit,
		       sm.min, sm.max, sm.n);
	}
}

static void json_run(struct pfn_json *j, const struct bench_run *br)
{
	const struct pkvm_bench_cfg *cfg = &br->res.cfg;

	pfn_json_object_begin(j);
	pfn_json_kv_string(j, "path", pkvm_path_name(cfg->path));
	pfn_json_kv_uint(j, "align", cfg->align);
	pfn_json_kv_bool(j, "exact_align", cfg->mmap_flags & PFN_MMAP_EXACT_ALIGN);
	pfn_json_kv_uint(j, "offset", cfg->offset);
	pfn_json_kv_uint(j, "window", cfg->window);
	pfn_json_kv_uint(j, "stride", cfg->stride);
	pfn_json_kv_uint(j, "passes", cfg->passes);
	pfn_json_kv_uint(j, "repeat", cfg->repeat);
	pfn_json_kv_uint(j, "accesses_per_pass", br->res.accesses_per_pass);
	pfn_json_kv_uint(j, "bytes_per_access", 16);
	pfn_json_kv_uint(j, "vms_completed", br->res.reps_done);
	pfn_json_kv_bool(j, "kvm_stats", br->res.have_stats);
	pfn_json_kv_string(j, "status", br->status);
	pfn_json_kv_string(j, "reason", br->reason);
	pfn_json_key(j, "metrics");
	pfn_json_array_begin(j);
	for (int i = 0; i < PKVM_BM_COUNT; i++)
		if (br->res.m[i].n)
			pkvm_metric_json(j, &br->res.m[i]);
	pfn_json_array_end(j);
	pfn_json_object_end(j);
}

static int write_json(const struct bench_opts *o, const struct pkvm_target *t,
		      const struct bench_run *runs, unsigned int n, int dmabuf, const char *why,
		      struct pfn_err *err)
{
	struct pfn_file_tx tx;
	struct pfn_json j;
	int ret;

	ret = cli_json_begin(&j, &tx, o->c.json, "pfnsuite-kvm-bench/1", t, err);
	if (ret)
		return ret;
	pfn_json_key(&j, "dmabuf_memslot");
	pfn_json_object_begin(&j);
	pfn_json_kv_bool(&j, "available", dmabuf > 0);
	pfn_json_kv_string(&j, "reason", dmabuf > 0 ? "" : why);
	pfn_json_object_end(&j);
	pfn_json_kv_bool(&j, "primed", o->prime);
	pfn_json_key(&j, "configs");
	pfn_json_array_begin(&j);
	for (unsigned int i = 0; i < n; i++)
		json_run(&j, &runs[i]);
	pfn_json_array_end(&j);
	return cli_json_end(&j, &tx, err);
}

static void run_one(struct pkvm_target *t, const struct pkvm_bench_cfg *cfg, struct bench_run *br)
{
	struct pfn_err err;
	int ret;

	ret = pkvm_bench_run(t, cfg, &br->res, &err);
	if (!ret) {
		br->status = "ok";
		return;
	}
	br->status = ret == -EOPNOTSUPP ? "skipped" : "failed";
	snprintf(br->reason, sizeof(br->reason), "%s", err.msg);
}

int cmd_bench(int argc, char **argv)
{
	struct bench_opts o = {
		.c = { .sysfs = PFN_SYSFS_DEFAULT, .bar = -1 },
		.paths = 3,
		.aligns = { 1ull << 30, 2ull << 20, 4096 },
		.n_aligns = 3,
		.stride = 4096,
		.passes = 4,
		.repeat = 3,
		.timeout = 300,
		.prime = true,
	};
	char why[PFN_ERR_MSG_MAX] = "";
	struct bench_run *runs;
	struct pkvm_target t;
	unsigned int n = 0;
	int ret, dmabuf = 0, status = CLI_OK;

	ret = parse(&o, argc, argv);
	if (ret)
		return ret < 0 ? CLI_OK : ret;
	ret = cli_open_target(&o.c, &t, "pfn-kvm bench");
	if (ret)
		return ret;
	runs = calloc(MAX_ALIGNS + 1, sizeof(*runs));
	if (!runs) {
		pkvm_target_close(&t);
		return CLI_FAIL;
	}
	printf("pfn-kvm bench: %s (%04x:%04x) BAR %u; %s\n", t.dev.bdf, t.dev.info.vendor,
	       t.dev.info.device, t.bar, cli_timing_note());
	if (o.prime) {
		struct pfn_err err;
		uint64_t w = default_window(&o, &t, 1ull << 30);

		if (pkvm_bench_prime(&t, 0, w, &err))
			printf("  priming the BAR failed (%s): the first cold pass may include the device memory's first touch\n",
			       err.msg);
	}
	for (unsigned int i = 0; (o.paths & 1) && i < o.n_aligns; i++) {
		struct pkvm_bench_cfg cfg = {
			.path = PKVM_PATH_VMA, .align = o.aligns[i], .mmap_flags = PFN_MMAP_EXACT_ALIGN,
			.window = default_window(&o, &t, o.aligns[i]), .stride = o.stride,
			.passes = o.passes, .repeat = o.repeat, .timeout = o.timeout,
		};

		run_one(&t, &cfg, &runs[n]);
		print_run(&runs[n]);
		status |= strcmp(runs[n++].status, "failed") ? CLI_OK : CLI_FAIL;
	}
	if (o.paths & 2) {
		/*
		 * No VMA reaches the guest on this path: the slot's GPA and the
		 * BAR's physical alignment decide the page size. The align is
		 * that of the host's own view of the slice (the largest power
		 * of two up to the window), and what the report labels it with.
		 */
		uint64_t window = default_window(&o, &t, 1ull << 30);
		struct pkvm_bench_cfg cfg = {
			.path = PKVM_PATH_DMABUF, .align = pkvm_natural_align(window),
			.window = window, .stride = o.stride,
			.passes = o.passes, .repeat = o.repeat, .timeout = o.timeout,
		};

		dmabuf = pkvm_bar_dmabuf_supported(&t, why, sizeof(why));
		if (dmabuf > 0) {
			run_one(&t, &cfg, &runs[n]);
		} else {
			memset(&runs[n], 0, sizeof(runs[n]));
			runs[n].res.cfg = cfg;
			runs[n].status = dmabuf < 0 ? "failed" : "skipped";
			snprintf(runs[n].reason, sizeof(runs[n].reason), "%s", why);
		}
		print_run(&runs[n]);
		status |= strcmp(runs[n++].status, "failed") ? CLI_OK : CLI_FAIL;
	}
	if (o.c.json) {
		struct pfn_err err;

		ret = write_json(&o, &t, runs, n, dmabuf, why, &err);
		if (ret) {
			fprintf(stderr, "pfn-kvm bench: %s\n", err.msg);
			status = CLI_FAIL;
		}
	}
	free(runs);
	pkvm_target_close(&t);
	return status;
}
