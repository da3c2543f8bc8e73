// SPDX-License-Identifier: GPL-2.0-only
/*
 * KVM: the target's BAR in a KVM guest (workloads/kvm, the pfn-kvm VMM).
 * Through the mmap-VMA path (a vfio BAR mmap as an ordinary memslot, what
 * Linux 7.3 offers) the guest must see the BAR both ways and must not write
 * it after a revoke; a device reset that the guest rides through without
 * its VMM ever hearing of it is a FINDING.  Through a dma-buf memslot
 * (proposed KVM_MEM_DMABUF, probed at run time) the same proofs must hold
 * and a revoke must exit to the VMM; on kernels without it those cases are
 * SKIP with the reason.  Every case SKIPs without /dev/kvm.
 *
 * The cases drive the VMM library in workloads/kvm (libpfnkvm), which the
 * suite's Makefile compiles with the suite's flags and links into pfnsuite.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <linux/kvm.h>

#include "conform.h"
#include "pfnkvm/access.h"
#include "pfnkvm/bar_slot.h"
#include "pfnkvm/dmabuf_slot.h"
#include "pfnkvm/revoke.h"

#define GIB		(1ull << 30)
#define MIB2		(2ull << 20)
#define ACCESS_WORDS	512u
#define OBSERVE_S	1.0
#define WAIT_S		30.0

/* /dev/kvm usable and the target open; otherwise SKIP (or FAIL) with why. */
static bool open_target(const struct conform_ctx *ctx, struct pkvm_target *t,
			struct conform_result *res)
{
	struct pfn_err err;
	int ret;

	ret = pkvm_kvm_available(&err);
	if (ret == -ENOENT)
		return conform_skip(res, "%s", err.msg);
	if (ret)
		return conform_fail(res, "%s", err.msg);
	if (!ctx->target_bdf[0])
		return conform_skip(res, "no target device is bound to vfio-pci");
	ret = pkvm_target_open(t, ctx->sysfs, ctx->target_bdf, (int)ctx->target_bar, &err);
	if (ret)
		return conform_fail(res, "%s", err.msg);
	return true;
}

/* The slice put in the guest: the BAR, at most 1 GiB. */
static uint64_t window_of(const struct pkvm_target *t)
{
	return t->bar_size < GIB ? t->bar_size : GIB;
}

/* The largest mmap alignment the slice allows huge mappings with. */
static uint64_t align_of(uint64_t window)
{
	return window >= GIB ? GIB : window >= MIB2 ? MIB2 : 4096;
}

/* dma-buf memslots present?  Otherwise SKIP with the probe's reason. */
static bool need_dmabuf(struct pkvm_target *t, struct conform_result *res)
{
	char why[PFN_ERR_MSG_MAX];
	int ret = pkvm_bar_dmabuf_supported(t, why, sizeof(why));

	if (ret < 0)
		return conform_fail(res, "probing dma-buf memslots: %s", why);
	if (!ret)
		return conform_skip(res, "%s", why);
	return true;
}

static bool run_access(struct pkvm_target *t, enum pkvm_path path, uint64_t seed,
		       struct pkvm_access_result *ar, struct conform_result *res)
{
	uint64_t window = window_of(t);
	struct pfn_err err;
	int ret;

	ret = pkvm_access_check(t, path, align_of(window), window, ACCESS_WORDS, seed, ar, &err);
	if (ret == -EOPNOTSUPP)
		return conform_skip(res, "%s", err.msg);
	if (ret)
		return conform_fail(res, "%s", err.msg);
	if (ar->have_stats)
		conform_note(res, "%s path: %u words over %llu bytes; nested-paging faults %llu; KVM pages 4k/2m/1g %llu/%llu/%llu",
			     pkvm_path_name(path), ar->words, (unsigned long long)window,
			     (unsigned long long)ar->pf_taken, (unsigned long long)ar->pages_4k,
			     (unsigned long long)ar->pages_2m, (unsigned long long)ar->pages_1g);
	return true;
}

static void judge_guest_reads(struct pkvm_access_result *ar, struct conform_result *res)
{
	if (ar->guest_read_ok == ar->words)
		return;
	conform_fail(res, "the guest read %u of %u host-written words correctly; word %d: got %#llx, want %#llx",
		     ar->guest_read_ok, ar->words, ar->bad_index, (unsigned long long)ar->got,
		     (unsigned long long)ar->want);
}

static void judge_host_reads(struct pkvm_access_result *ar, struct conform_result *res)
{
	if (ar->host_read_ok == ar->words)
		return;
	conform_fail(res, "the host read back %u of %u guest-written words; word %d: got %#llx, want %#llx",
		     ar->host_read_ok, ar->words, ar->bad_index, (unsigned long long)ar->got,
		     (unsigned long long)ar->want);
}

/* KVM-001: the guest sees what the host wrote into the BAR (VMA path). */
static void kvm_vma_guest_reads(const struct conform_ctx *ctx, struct conform_result *res)
{
	struct pkvm_access_result ar;
	struct pkvm_target t;

	if (!open_target(ctx, &t, res))
		return;
	if (run_access(&t, PKVM_PATH_VMA, 0x6b766d01, &ar, res))
		judge_guest_reads(&ar, res);
	pkvm_target_close(&t);
}

/* KVM-002: the host sees what the guest wrote into the BAR (VMA path). */
static void kvm_vma_host_reads(const struct conform_ctx *ctx, struct conform_result *res)
{
	struct pkvm_access_result ar;
	struct pkvm_target t;

	if (!open_target(ctx, &t, res))
		return;
	if (run_access(&t, PKVM_PATH_VMA, 0x6b766d02, &ar, res))
		judge_host_reads(&ar, res);
	pkvm_target_close(&t);
}

/* KVM-003: a huge-aligned BAR mmap reaches the guest as huge NPT/EPT entries. */
static void kvm_vma_huge(const struct conform_ctx *ctx, struct conform_result *res)
{
	struct pkvm_access_result ar;
	struct pkvm_target t;
	uint64_t want;

	if (!open_target(ctx, &t, res))
		return;
	want = align_of(window_of(&t));
	if (want < MIB2) {
		conform_skip(res, "the BAR (%llu bytes) is too small for a 2 MiB mapping",
			     (unsigned long long)t.bar_size);
		goto out;
	}
	if (!run_access(&t, PKVM_PATH_VMA, 0x6b766d03, &ar, res))
		goto out;
	if (!ar.have_stats) {
		conform_skip(res, "KVM binary statistics (KVM_GET_STATS_FD) are unavailable");
		goto out;
	}
	if ((want == GIB && !ar.pages_1g) || (want == MIB2 && !ar.pages_2m && !ar.pages_1g))
		conform_fail(res, "a %s-aligned BAR mmap was mapped into the guest with pages 4k/2m/1g = %llu/%llu/%llu",
			     want == GIB ? "1 GiB" : "2 MiB", (unsigned long long)ar.pages_4k,
			     (unsigned long long)ar.pages_2m, (unsigned long long)ar.pages_1g);
out:
	pkvm_target_close(&t);
}

static bool run_revoke(struct pkvm_target *t, enum pkvm_path path, enum pkvm_trigger trig,
		       struct pkvm_revoke_result *rr, struct conform_result *res)
{
	struct pkvm_revoke_cfg cfg = {
		.path = path, .trigger = trig, .window = window_of(t),
		.align = align_of(window_of(t)), .observe = OBSERVE_S, .timeout = WAIT_S,
	};
	char line[1024];
	struct pfn_err err;
	int ret;

	ret = pkvm_revoke_run(t, &cfg, rr, &err);
	if (ret == -EOPNOTSUPP)
		return conform_skip(res, "%s", err.msg);
	if (ret)
		return conform_fail(res, "%s", err.msg);
	pkvm_revoke_describe(rr, line, sizeof(line));
	conform_note(res, "%s", line);
	return true;
}

/* Guest progress after the trigger beyond the one write it may have had in flight. */
static uint64_t writes_after(const struct pkvm_revoke_result *rr)
{
	return rr->observed > rr->after + 1 ? rr->observed - rr->after - 1 : 0;
}

/* KVM-004: PCI memory disable under a running guest (VMA path). */
static void kvm_vma_memory_disable(const struct conform_ctx *ctx, struct conform_result *res)
{
	struct pkvm_revoke_result rr;
	struct pkvm_target t;
	char ex[PFN_ERR_MSG_MAX];

	if (!open_target(ctx, &t, res))
		return;
	if (!run_revoke(&t, PKVM_PATH_VMA, PKVM_TRIGGER_MEMORY, &rr, res))
		goto out;
	if (rr.landed_after)
		conform_fail_as(res, CONFORM_REASON_GUEST_RAN,
				"a guest write after PCI memory disable landed in the BAR: it holds %llu, the guest was at %llu when the disable returned",
			     (unsigned long long)rr.bar_value, (unsigned long long)rr.after);
	else if (writes_after(&rr))
		conform_fail_as(res, CONFORM_REASON_GUEST_RAN,
				"the guest completed %llu BAR writes after PCI memory disable without leaving KVM_RUN",
			     (unsigned long long)writes_after(&rr));
	else if (!rr.exited)
		conform_note(res, "the guest stopped writing without an exit to the VMM");
	else {
		pkvm_event_describe(&rr.exit, ex, sizeof(ex));
		conform_note(res, "exit behaviour: %s", ex);
	}
out:
	pkvm_target_close(&t);
}

/* KVM-005: device reset under a running guest (VMA path): a finding when the
 * guest carries on writing into the reset device and the VMM never hears. */
static void kvm_vma_reset(const struct conform_ctx *ctx, struct conform_result *res)
{
	struct pkvm_revoke_result rr;
	struct pkvm_target t;

	if (!open_target(ctx, &t, res))
		return;
	if (!run_revoke(&t, PKVM_PATH_VMA, PKVM_TRIGGER_RESET, &rr, res))
		goto out;
	if (!rr.exited && (writes_after(&rr) || rr.landed_after))
		conform_finding(res, CONFORM_REASON_GUEST_RAN, "on the VMA path the guest kept writing into the BAR across VFIO_DEVICE_RESET with no exit to the VMM: %llu writes in %.1f s after the reset, BAR holds %llu (reset returned at %llu)",
				(unsigned long long)writes_after(&rr), OBSERVE_S,
				(unsigned long long)rr.bar_value, (unsigned long long)rr.after);
	else if (rr.landed_after)
		conform_fail_as(res, CONFORM_REASON_GUEST_RAN,
				"the vCPU exited, yet a guest write after the reset landed: BAR holds %llu, guest was at %llu",
			     (unsigned long long)rr.bar_value, (unsigned long long)rr.after);
out:
	pkvm_target_close(&t);
}

/* KVM-006: the kernel offers dma-buf memslots (proposal). */
static void kvm_dmabuf_supported(const struct conform_ctx *ctx, struct conform_result *res)
{
	struct pkvm_target t;

	if (!open_target(ctx, &t, res))
		return;
	need_dmabuf(&t, res);
	pkvm_target_close(&t);
}

/* KVM-007: through a dma-buf memslot the guest sees the BAR both ways. */
static void kvm_dmabuf_access(const struct conform_ctx *ctx, struct conform_result *res)
{
	struct pkvm_access_result ar;
	struct pkvm_target t;

	if (!open_target(ctx, &t, res))
		return;
	if (need_dmabuf(&t, res) && run_access(&t, PKVM_PATH_DMABUF, 0x6b766d07, &ar, res)) {
		judge_guest_reads(&ar, res);
		judge_host_reads(&ar, res);
	}
	pkvm_target_close(&t);
}

/* The proposal's revoke contract for a dma-buf memslot. */
static void judge_dmabuf_revoke(const struct pkvm_revoke_result *rr, const char *what,
				struct conform_result *res)
{
	const struct pkvm_event *ex = &rr->exit;

	if (rr->landed_after || writes_after(rr)) {
		conform_fail_as(res, CONFORM_REASON_GUEST_RAN, "after %s, %llu guest writes completed and the BAR holds %llu (guest was at %llu)",
			     what, (unsigned long long)writes_after(rr),
			     (unsigned long long)rr->bar_value, (unsigned long long)rr->after);
		return;
	}
	if (!rr->exited || ex->exit_reason != KVM_EXIT_MEMORY_FAULT ||
	    !(ex->flags & KVM_MEMORY_EXIT_FLAG_REVOKED)) {
		conform_fail(res, "after %s the guest's access did not exit with KVM_EXIT_MEMORY_FAULT (flag REVOKED)",
			     what);
		return;
	}
	if (rr->resumed)
		conform_fail_as(res, CONFORM_REASON_GUEST_RAN,
				"after %s was undone, the guest ran on before the VMM replaced the memslot",
			     what);
	else if (!rr->reestablished)
		conform_fail(res, "after %s was undone, replacing the memslot did not let the guest run again",
			     what);
}

/* KVM-008: PCI memory disable under a running guest (dma-buf memslot). */
static void kvm_dmabuf_memory_disable(const struct conform_ctx *ctx, struct conform_result *res)
{
	struct pkvm_revoke_result rr;
	struct pkvm_target t;

	if (!open_target(ctx, &t, res))
		return;
	if (need_dmabuf(&t, res) &&
	    run_revoke(&t, PKVM_PATH_DMABUF, PKVM_TRIGGER_MEMORY, &rr, res))
		judge_dmabuf_revoke(&rr, "PCI memory disable", res);
	pkvm_target_close(&t);
}

/* KVM-009: device reset under a running guest (dma-buf memslot). */
static void kvm_dmabuf_reset(const struct conform_ctx *ctx, struct conform_result *res)
{
	struct pkvm_revoke_result rr;
	struct pkvm_target t;

	if (!open_target(ctx, &t, res))
		return;
	if (need_dmabuf(&t, res) && run_revoke(&t, PKVM_PATH_DMABUF, PKVM_TRIGGER_RESET, &rr, res))
		judge_dmabuf_revoke(&rr, "VFIO_DEVICE_RESET", res);
	pkvm_target_close(&t);
}

static void expect_slot(struct conform_result *res, struct pkvm_vm *vm,
			const struct pkvm_region_dmabuf *r, const char *what, int want)
{
	char label[96];

	snprintf(label, sizeof(label), "KVM_MEM_DMABUF %s", what);
	conform_expect_errno(res, label, pkvm_dmabuf_slot_set_raw(vm, r), want);
}

/*
 * The target open with dma-buf memslots available, a two-page dma-buf of its
 * BAR exported with @open_flags and a VM; returns the dma-buf fd, or -1 with
 * @res failed or skipped (and nothing left open but @t, closed by the caller).
 */
static int open_slot_fixture(const struct conform_ctx *ctx, struct pkvm_target *t,
			     uint32_t open_flags, struct pkvm_vm *vm, struct conform_result *res)
{
	struct pfn_range range = { 0, 2 * 4096 };
	struct pfn_err err;
	int fd;

	if (!open_target(ctx, t, res))
		return -2;
	if (!need_dmabuf(t, res))
		return -1;
	fd = pfn_vfio_dmabuf_export(&t->dev, t->bar, &range, 1, open_flags, &err);
	if (fd < 0) {
		conform_fail_as(res, CONFORM_REASON_SETUP, "export with open_flags %#x: %s",
				open_flags, err.msg);
		return -1;
	}
	if (pkvm_vm_create(vm, 2 * GIB, &err)) {
		conform_fail(res, "%s", err.msg);
		close(fd);
		return -1;
	}
	return fd;
}

/* KVM-010: malformed dma-buf memslots are refused with the exact errno. */
static void kvm_dmabuf_bad_args(const struct conform_ctx *ctx, struct conform_result *res)
{
	struct pkvm_region_dmabuf r, base;
	struct pkvm_target t;
	struct pkvm_vm vm;
	int fd;

	fd = open_slot_fixture(ctx, &t, O_RDWR | O_CLOEXEC, &vm, res);
	if (fd == -2)
		return;
	if (fd < 0)
		goto out;
	base = (struct pkvm_region_dmabuf){ .slot = PKVM_SLOT_BAR, .flags = KVM_MEM_DMABUF,
		.guest_phys_addr = GIB, .memory_size = 2 * 4096, .dmabuf_fd = (uint32_t)fd };
	r = base;
	r.userspace_addr = 0x10000000;
	expect_slot(res, &vm, &r, "with a userspace_addr", EINVAL);
	r = base;
	r.dmabuf_offset = 512;
	expect_slot(res, &vm, &r, "at an unaligned offset", EINVAL);
	r = base;
	r.memory_size = 3 * 4096;
	expect_slot(res, &vm, &r, "past the dma-buf's end", EINVAL);
	r = base;
	r.flags |= KVM_MEM_LOG_DIRTY_PAGES;
	expect_slot(res, &vm, &r, "with dirty logging", EINVAL);
	r = base;
	r.dmabuf_fd = (uint32_t)vm.kvm_fd;
	expect_slot(res, &vm, &r, "of a non-dma-buf fd", EINVAL);
	r = base;
	r.dmabuf_fd = 0x7fffffff;
	expect_slot(res, &vm, &r, "of a closed fd", EBADF);
	expect_slot(res, &vm, &base, "of a valid slice", 0);
	pkvm_vm_destroy(&vm);
	close(fd);
out:
	pkvm_target_close(&t);
}

/*
 * KVM-011: a dma-buf opened O_RDONLY makes only a KVM_MEM_READONLY slot; a
 * writable slot of it is refused with EACCES (the guest must not write what
 * the fd only lets userspace read).  The read-only slot is the control.
 */
static void kvm_dmabuf_rdonly_fd(const struct conform_ctx *ctx, struct conform_result *res)
{
	struct pkvm_region_dmabuf r;
	struct pkvm_target t;
	struct pkvm_vm vm;
	int fd;

	fd = open_slot_fixture(ctx, &t, O_RDONLY | O_CLOEXEC, &vm, res);
	if (fd == -2)
		return;
	if (fd < 0)
		goto out;
	r = (struct pkvm_region_dmabuf){ .slot = PKVM_SLOT_BAR, .flags = KVM_MEM_DMABUF,
		.guest_phys_addr = GIB, .memory_size = 2 * 4096, .dmabuf_fd = (uint32_t)fd };
	expect_slot(res, &vm, &r, "writable, of an O_RDONLY dma-buf", EACCES);
	r.flags |= KVM_MEM_READONLY;
	expect_slot(res, &vm, &r, "read-only, of an O_RDONLY dma-buf", 0);
	pkvm_vm_destroy(&vm);
	close(fd);
out:
	pkvm_target_close(&t);
}

const struct conform_case conform_kvm_cases[] = {
	{ "KVM-001", "vma_guest_reads_host_writes", "KVM-1", CONFORM_NEEDS_MEMORY, kvm_vma_guest_reads, 0 },
	{ "KVM-002", "vma_host_reads_guest_writes", "KVM-1", CONFORM_NEEDS_MEMORY, kvm_vma_host_reads, 0 },
	{ "KVM-003", "vma_huge_mapping", "KVM-2", 0, kvm_vma_huge, 0 },
	{ "KVM-004", "vma_memory_disable_running_guest", "KVM-3", CONFORM_NEEDS_MEMORY, kvm_vma_memory_disable, 0 },
	{ "KVM-005", "vma_reset_running_guest", "KVM-4", CONFORM_NEEDS_MEMORY, kvm_vma_reset, 0 },
	{ "KVM-006", "dmabuf_memslot_supported", "KVM-5", 0, kvm_dmabuf_supported, 0 },
	{ "KVM-007", "dmabuf_memslot_access", "KVM-5", CONFORM_NEEDS_MEMORY, kvm_dmabuf_access, 0 },
	{ "KVM-008", "dmabuf_memory_disable_running_guest", "KVM-6", CONFORM_NEEDS_MEMORY, kvm_dmabuf_memory_disable, 0 },
	{ "KVM-009", "dmabuf_reset_running_guest", "KVM-6", CONFORM_NEEDS_MEMORY, kvm_dmabuf_reset, 0 },
	{ "KVM-010", "dmabuf_memslot_bad_args", "KVM-7", 0, kvm_dmabuf_bad_args, 0 },
	{ "KVM-011", "dmabuf_memslot_rdonly_fd", "KVM-8", 0, kvm_dmabuf_rdonly_fd, 0 },
};

const unsigned int conform_kvm_count = sizeof(conform_kvm_cases) / sizeof(conform_kvm_cases[0]);
