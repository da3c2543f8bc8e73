// SPDX-License-Identifier: GPL-2.0-only
/* What the pfn-kvm subcommands share: options, target, JSON head. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>

#include "pfn/host.h"
#include "cli.h"
#include "pfn/options.h"
#include "pfnkvm/vm.h"

int cli_parse_size(const char *s, uint64_t *out)
{
	unsigned long long v;
	char *end;
	int shift = 0;

	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || end == s)
		return -EINVAL;
	switch (*end) {
	case 'k': case 'K': shift = 10; end++; break;
	case 'm': case 'M': shift = 20; end++; break;
	case 'g': case 'G': shift = 30; end++; break;
	case 't': case 'T': shift = 40; end++; break;
	default: break;
	}
	if (*end || (shift && v > (~0ull >> shift)))
		return -EINVAL;
	*out = (uint64_t)v << shift;
	return 0;
}

const char *cli_format_size(uint64_t bytes, char *buf, size_t len)
{
	static const char units[] = "KMGT";

	for (int i = 3; i >= 0; i--) {
		uint64_t u = 1ull << (10 * (i + 1));

		if (bytes >= u && bytes % u == 0) {
			snprintf(buf, len, "%llu%c", (unsigned long long)(bytes / u), units[i]);
			return buf;
		}
	}
	snprintf(buf, len, "%llu", (unsigned long long)bytes);
	return buf;
}

int cli_common_option(struct cli_common *c, int opt, const char *arg)
{
	struct pfn_err err;
	char *end;

	switch (opt) {
	case 'd':
		if (pfn_bdf_parse(arg, c->bdf, &err)) {
			fprintf(stderr, "pfn-kvm: %s\n", err.msg);
			return -1;
		}
		return 1;
	case 'b':
		c->bar = (int)strtol(arg, &end, 0);
		if (*end || c->bar < 0 || c->bar >= PFN_NUM_BARS) {
			fprintf(stderr, "pfn-kvm: --bar takes 0 to 5\n");
			return -1;
		}
		return 1;
	case 'j':
		c->json = arg;
		return 1;
	case 's':
		c->sysfs = arg;
		return 1;
	default:
		return 0;
	}
}

int cli_bad_option(const char *prog, char **argv)
{
	struct pfn_err err;

	pfn_opt_rejected(argv, &err);
	fprintf(stderr, "%s: %s: see '%s --help'\n", prog, err.msg, prog);
	return CLI_USAGE;
}

int cli_open_target(struct cli_common *c, struct pkvm_target *t, const char *prog)
{
	struct pfn_err err;
	int ret;

	/* a device the user named is checked first: absent or unbound is bad input */
	if (c->bdf[0] && pfn_pci_check_vfio(c->sysfs, c->bdf, NULL, &err)) {
		fprintf(stderr, "%s: %s\n", prog, err.msg);
		return CLI_USAGE;
	}
	ret = pkvm_kvm_available(&err);
	if (ret) {
		printf("%s: SKIP: %s\n", prog, err.msg);
		return ret == -ENOENT ? CLI_SKIP : CLI_FAIL;
	}
	if (!c->bdf[0]) {
		ret = pkvm_target_pick(c->sysfs, c->bdf, &err);
		if (ret) {
			printf("%s: SKIP: %s\n", prog, err.msg);
			return ret == -ENODEV ? CLI_SKIP : CLI_FAIL;
		}
	}
	ret = pkvm_target_open(t, c->sysfs, c->bdf, c->bar, &err);
	if (ret) {
		fprintf(stderr, "%s: %s\n", prog, err.msg);
		return CLI_FAIL;
	}
	return CLI_OK;
}

const char *cli_timing_note(void)
{
	return getenv("PFN_IN_VM")
		? "times measured inside the emulated target (QEMU TCG, nested KVM): emulated-CPU times, not hardware times; compare side by side, and trust counts"
		: "host CLOCK_MONOTONIC times on this machine";
}

int cli_json_begin(struct pfn_json *j, struct pfn_file_tx *tx, const char *path,
		   const char *schema, const struct pkvm_target *t, struct pfn_err *err)
{
	char model[128], when[32];
	struct utsname u;
	time_t now = time(NULL);
	struct tm tm;
	FILE *f;
	int ret;

	ret = pfn_file_begin(tx, path, err);
	if (ret)
		return ret;
	f = tx->f;
	uname(&u);
	pfn_host_cpu_model(model, sizeof(model));
	gmtime_r(&now, &tm);
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
	pfn_json_init(j, f);
	pfn_json_object_begin(j);
	pfn_json_kv_string(j, "schema", schema);
	pfn_json_kv_string(j, "time", when);
	pfn_json_kv_string(j, "kernel_release", u.release);
	pfn_json_kv_string(j, "cpu_model", model);
	pfn_json_kv_bool(j, "in_vm", getenv("PFN_IN_VM") != NULL);
	pfn_json_kv_string(j, "timing_note", cli_timing_note());
	pfn_json_key(j, "device");
	pfn_json_object_begin(j);
	pfn_json_kv_string(j, "bdf", t->dev.bdf);
	snprintf(model, sizeof(model), "%04x:%04x", t->dev.info.vendor, t->dev.info.device);
	pfn_json_kv_string(j, "id", model);
	pfn_json_kv_uint(j, "bar", t->bar);
	pfn_json_kv_uint(j, "bar_size", t->bar_size);
	pfn_json_kv_string(j, "iommu_mode", pfn_iommu_mode_name(t->iommu.mode));
	pfn_json_object_end(j);
	return 0;
}

int cli_json_end(struct pfn_json *j, struct pfn_file_tx *tx, struct pfn_err *err)
{
	int ret;

	pfn_json_object_end(j);
	ret = pfn_json_finish(j);
	if (ret) {
		pfn_file_abort(tx);
		return pfn_fail(err, -ret, "%s: JSON writer misuse", tx->path);
	}
	return pfn_file_commit(tx, err);
}
