// SPDX-License-Identifier: GPL-2.0-only
/* pfn-kvm probe: KVM, its statistics, and dma-buf memslots, found or not. */
#include <getopt.h>
#include <stdio.h>

#include "cli.h"
#include "pfnkvm/bar_slot.h"
#include "pfnkvm/dmabuf_slot.h"
#include "pfnkvm/stats.h"
#include "pfnkvm/vm.h"

static void probe_usage(FILE *out)
{
	fprintf(out, "usage: pfn-kvm probe [--device BDF] [--bar N] [--sysfs DIR]\n");
}

static void report_vm(void)
{
	struct pkvm_stats st;
	struct pkvm_vm vm;
	struct pfn_err err;
	uint64_t v;

	if (pkvm_vm_create(&vm, PKVM_RAM_SIZE, &err)) {
		printf("  vm:           FAIL: %s\n", err.msg);
		return;
	}
	printf("  vm:           long-mode vCPU created; KVM_SET_USER_MEMORY_REGION2 %s\n",
	       vm.memory2 ? "available" : "absent");
	if (pkvm_stats_open(&st, vm.vcpu_fd, &err)) {
		printf("  stats:        none (%s): fault counts will be missing\n", err.msg);
	} else {
		printf("  stats:        vCPU pf_taken %s, pf_fixed %s\n",
		       pkvm_stats_get(&st, "pf_taken", &v) ? "absent" : "present",
		       pkvm_stats_get(&st, "pf_fixed", &v) ? "absent" : "present");
		pkvm_stats_close(&st);
	}
	pkvm_vm_destroy(&vm);
}

int cmd_probe(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "device", required_argument, NULL, 'd' },
		{ "bar", required_argument, NULL, 'b' },
		{ "sysfs", required_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	struct cli_common c = { .sysfs = PFN_SYSFS_DEFAULT, .bar = -1 };
	struct pkvm_target t;
	char why[PFN_ERR_MSG_MAX], size[32];
	int opt, ret;

	while ((opt = getopt_long(argc, argv, "d:b:s:h", opts, NULL)) != -1) {
		if (opt == 'h') {
			probe_usage(stdout);
			return CLI_OK;
		}
		ret = cli_common_option(&c, opt, optarg);
		if (ret < 0)
			return CLI_USAGE;	/* already said what is wrong */
		if (!ret)
			return cli_bad_option("pfn-kvm probe", argv);
	}
	ret = cli_open_target(&c, &t, "pfn-kvm probe");
	if (ret)
		return ret;
	printf("pfn-kvm probe: %s (%04x:%04x) BAR %u, %s bytes, IOMMU %s\n", t.dev.bdf,
	       t.dev.info.vendor, t.dev.info.device, t.bar,
	       cli_format_size(t.bar_size, size, sizeof(size)), pfn_iommu_mode_name(t.iommu.mode));
	report_vm();
	ret = pkvm_bar_dmabuf_supported(&t, why, sizeof(why));
	if (ret > 0)
		printf("  dma-buf slot: available (KVM_CAP_MEMSLOT_DMABUF, KVM_MEM_DMABUF)\n");
	else
		printf("  dma-buf slot: unavailable: %s\n", why);
	pkvm_target_close(&t);
	return ret < 0 ? CLI_FAIL : CLI_OK;
}
