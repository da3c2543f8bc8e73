// SPDX-License-Identifier: GPL-2.0-only
/*
 * pfn-kvm revoke: PCI memory disable and device reset while the guest writes
 * a sequence number into the BAR; report what the vCPU and the BAR saw, and
 * each experiment's verdict (pkvm_revoke_judge(): pass, finding or fail,
 * judged by the guest's progress counter), or why it was skipped.
 */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "pfnkvm/revoke.h"

#define MAX_RUNS 4

/**
 * struct revoke_run - one experiment's outcome
 * @res: what happened
 * @status: "pass", "finding", "fail" (the verdict, or the experiment could
 *	not run), or "skipped" (the path or trigger is absent)
 * @reason: why
 * @summary: one-line account
 */
struct revoke_run {
	struct pkvm_revoke_result res;
	const char *status;
	char reason[PFN_ERR_MSG_MAX];
	char summary[1024];
};

static void revoke_usage(FILE *out)
{
	fprintf(out,
		"usage: pfn-kvm revoke [--device BDF] [--bar N] [--json FILE] [--path vma|dmabuf|all]\n"
		"                      [--trigger memory|reset|all] [--align SIZE] [--window SIZE]\n"
		"                      [--observe SECONDS]\n"
		"  --trigger  memory: clear PCI_COMMAND.MEMORY; reset: VFIO_DEVICE_RESET (default all)\n"
		"  --align    VMA path mmap alignment (default 1G, or the window if smaller)\n"
		"  --window   bytes of BAR in the guest (default: the BAR, at most 1G)\n"
		"  --observe  seconds to watch the guest after the trigger (default 1)\n");
}

static void json_event(struct pfn_json *j, const struct pkvm_event *ev)
{
	char buf[PFN_ERR_MSG_MAX];

	pkvm_event_describe(ev, buf, sizeof(buf));
	pfn_json_object_begin(j);
	pfn_json_kv_string(j, "description", buf);
	pfn_json_kv_string(j, "exit_reason", pkvm_exit_reason_name(ev->exit_reason));
	pfn_json_kv_string(j, "errno", ev->err && strerrorname_np(ev->err)
				       ? strerrorname_np(ev->err) : "");
	pfn_json_kv_uint(j, "gpa", ev->gpa);
	pfn_json_kv_uint(j, "size", ev->size);
	pfn_json_kv_uint(j, "flags", ev->flags);
	pfn_json_object_end(j);
}

static void json_run(struct pfn_json *j, const struct revoke_run *rr)
{
	const struct pkvm_revoke_result *r = &rr->res;

	pfn_json_object_begin(j);
	pfn_json_kv_string(j, "path", pkvm_path_name(r->cfg.path));
	pfn_json_kv_string(j, "trigger", pkvm_trigger_name(r->cfg.trigger));
	pfn_json_kv_uint(j, "align", r->cfg.align);
	pfn_json_kv_uint(j, "window", r->cfg.window);
	pfn_json_key(j, "observe_s");
	pfn_json_double(j, r->cfg.observe);
	pfn_json_kv_string(j, "status", rr->status);
	pfn_json_kv_string(j, "reason", rr->reason);
	pfn_json_kv_string(j, "summary", rr->summary);
	pfn_json_kv_uint(j, "seq_before", r->before);
	pfn_json_kv_uint(j, "seq_after_trigger", r->after);
	pfn_json_kv_uint(j, "seq_end_of_window", r->observed);
	pfn_json_kv_uint(j, "writes_after_trigger", pkvm_revoke_writes_after(r));
	pfn_json_key(j, "trigger_ms");
	pfn_json_double(j, r->trigger_ms);
	pfn_json_kv_bool(j, "memory_on_after_trigger", r->memory_on_after);
	pfn_json_kv_bool(j, "vcpu_exited", r->exited);
	if (r->exited) {
		pfn_json_key(j, "exit");
		json_event(j, &r->exit);
		pfn_json_key(j, "exit_delay_ms");
		pfn_json_double(j, r->exit_delay_ms);
	}
	pfn_json_kv_bool(j, "stopped_on_request", r->stopped_cleanly);
	pfn_json_kv_bool(j, "bar_read", r->bar_read);
	pfn_json_kv_uint(j, "bar_value", r->bar_value);
	pfn_json_kv_bool(j, "bar_holds_write_after_trigger", r->landed_after);
	pfn_json_kv_bool(j, "resume_tried", r->resume_tried);
	pfn_json_kv_bool(j, "resumed", r->resumed);
	pfn_json_kv_uint(j, "resumed_to", r->resumed_to);
	if (r->resume_tried && !r->resumed) {
		pfn_json_key(j, "resume_exit");
		json_event(j, &r->resume_exit);
	}
	pfn_json_kv_bool(j, "kvm_stats", r->have_stats);
	pfn_json_kv_uint(j, "npt_faults_after_trigger", r->npf_window);
	pfn_json_object_end(j);
}

static int write_json(const char *path, const struct pkvm_target *t,
		      const struct revoke_run *runs, unsigned int n, struct pfn_err *err)
{
	struct pfn_file_tx tx;
	struct pfn_json j;
	int ret;

	ret = cli_json_begin(&j, &tx, path, "pfnsuite-kvm-revoke/1", t, err);
	if (ret)
		return ret;
	pfn_json_key(&j, "experiments");
	pfn_json_array_begin(&j);
	for (unsigned int i = 0; i < n; i++)
		json_run(&j, &runs[i]);
	pfn_json_array_end(&j);
	return cli_json_end(&j, &tx, err);
}

static void run_one(struct pkvm_target *t, const struct pkvm_revoke_cfg *cfg,
		    struct revoke_run *rr)
{
	char why[PFN_ERR_MSG_MAX];
	struct pfn_err err;
	int ret;

	ret = cfg->path == PKVM_PATH_DMABUF ? pkvm_bar_dmabuf_supported(t, why, sizeof(why)) : 1;
	if (ret <= 0) {
		rr->res.cfg = *cfg;
		rr->status = ret ? "fail" : "skipped";	/* only absence is a skip */
		snprintf(rr->reason, sizeof(rr->reason), "%s", why);
		return;
	}
	ret = pkvm_revoke_run(t, cfg, &rr->res, &err);
	if (ret) {
		rr->status = ret == -EOPNOTSUPP ? "skipped" : "fail";
		snprintf(rr->reason, sizeof(rr->reason), "%s", err.msg);
	} else {
		rr->status = pkvm_revoke_verdict_name(pkvm_revoke_judge(&rr->res, rr->reason,
									sizeof(rr->reason)));
	}
	pkvm_revoke_describe(&rr->res, rr->summary, sizeof(rr->summary));
}

int cmd_revoke(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "device", required_argument, NULL, 'd' },
		{ "bar", required_argument, NULL, 'b' },
		{ "json", required_argument, NULL, 'j' },
		{ "sysfs", required_argument, NULL, 's' },
		{ "path", required_argument, NULL, 'p' },
		{ "trigger", required_argument, NULL, 'T' },
		{ "align", required_argument, NULL, 'a' },
		{ "window", required_argument, NULL, 'w' },
		{ "observe", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	struct cli_common c = { .sysfs = PFN_SYSFS_DEFAULT, .bar = -1 };
	unsigned int paths = 3, triggers = 3, n = 0;
	uint64_t align = 0, window = 0;
	double observe = 1.0;
	struct revoke_run *runs;
	struct pkvm_target t;
	int opt, ret, status = CLI_OK;
	char *end;

	while ((opt = getopt_long(argc, argv, "d:b:j:s:p:T:a:w:o:h", opts, NULL)) != -1) {
		ret = cli_common_option(&c, opt, optarg);
		if (ret < 0)
			return CLI_USAGE;
		if (ret)
			continue;
		switch (opt) {
		case 'p':
			paths = !strcmp(optarg, "vma") ? 1 : !strcmp(optarg, "dmabuf") ? 2 :
				!strcmp(optarg, "all") ? 3 : 0;
			if (!paths)
				goto bad;
			break;
		case 'T':
			triggers = !strcmp(optarg, "memory") ? 1 : !strcmp(optarg, "reset") ? 2 :
				   !strcmp(optarg, "all") ? 3 : 0;
			if (!triggers)
				goto bad;
			break;
		case 'a':
			if (cli_parse_size(optarg, &align) || align < 4096 || (align & (align - 1)))
				goto bad;
			break;
		case 'w':
			if (cli_parse_size(optarg, &window) || !window || window % 4096)
				goto bad;
			break;
		case 'o':
			observe = strtod(optarg, &end);
			if (*end || observe <= 0 || observe > 60)
				goto bad;
			break;
		case 'h':
			revoke_usage(stdout);
			return CLI_OK;
		default:
			return cli_bad_option("pfn-kvm revoke", argv);
		}
	}
	if (optind != argc) {
		fprintf(stderr, "pfn-kvm revoke: unexpected argument '%s'\n", argv[optind]);
		return CLI_USAGE;
	}
	ret = cli_open_target(&c, &t, "pfn-kvm revoke");
	if (ret)
		return ret;
	if (!window)
		window = t.bar_size < (1ull << 30) ? t.bar_size : 1ull << 30;
	if (!align)
		align = window < (1ull << 30) ? (window >= (2ull << 20) ? 2ull << 20 : 4096)
					      : 1ull << 30;
	runs = calloc(MAX_RUNS, sizeof(*runs));
	if (!runs) {
		pkvm_target_close(&t);
		return CLI_FAIL;
	}
	printf("pfn-kvm revoke: %s (%04x:%04x) BAR %u; guest writes a sequence number, host revokes\n",
	       t.dev.bdf, t.dev.info.vendor, t.dev.info.device, t.bar);
	for (unsigned int p = 0; p < 2; p++) {
		for (unsigned int tr = 0; tr < 2; tr++) {
			struct pkvm_revoke_cfg cfg = {
				.path = p ? PKVM_PATH_DMABUF : PKVM_PATH_VMA,
				.trigger = tr ? PKVM_TRIGGER_RESET : PKVM_TRIGGER_MEMORY,
				.align = align, .window = window, .observe = observe, .timeout = 30,
			};

			if (!(paths & (1u << p)) || !(triggers & (1u << tr)))
				continue;
			run_one(&t, &cfg, &runs[n]);
			printf("%s %s: %s%s%s\n", pkvm_path_name(cfg.path),
			       pkvm_trigger_name(cfg.trigger), runs[n].status,
			       runs[n].reason[0] ? ": " : "", runs[n].reason);
			if (runs[n].summary[0])
				printf("  %s\n", runs[n].summary);
			status |= strcmp(runs[n++].status, "fail") ? CLI_OK : CLI_FAIL;
		}
	}
	if (c.json) {
		struct pfn_err err;

		ret = write_json(c.json, &t, runs, n, &err);
		if (ret) {
			fprintf(stderr, "pfn-kvm revoke: %s\n", err.msg);
			status = CLI_FAIL;
		}
	}
	free(runs);
	pkvm_target_close(&t);
	return status;
bad:
	fprintf(stderr, "pfn-kvm revoke: bad value '%s' for option -%c\n", optarg, opt);
	return CLI_USAGE;
}
