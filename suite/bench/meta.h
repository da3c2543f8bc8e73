/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Run metadata for benchmark results: what ran where, and whether the
 * timings are emulated (TCG) so that readers compare ratios, not times.
 * bench.json's "metadata" is written from &struct bench_meta; the same
 * values go into Google Benchmark's own report as "pfn_*" keys of its
 * "context" object, so that bench-gbench.json says what it measured.
 */
#ifndef PFN_BENCH_META_H
#define PFN_BENCH_META_H

#include <stdint.h>

#include "pfn/error.h"
#include "pfn/json.h"

/**
 * struct bench_meta - what bench.json's "metadata" says
 * @created: UTC time the run started, ISO 8601 ("...Z")
 * @profile: "quick" or "full"
 * @repetitions: repetitions per benchmark
 * @filter: the --filter regex, "" when none
 * @target_bdf: device whose BAR is mapped
 * @vendor: its PCI vendor ID
 * @device: its PCI device ID
 * @bar: the BAR
 * @bar_size: its size in bytes
 * @dma_bdf: the DMA device, "" when none
 * @accel: "tcg", "kvm", "none" (hardware), another hypervisor's name,
 *	   "hypervisor" (unknown one) or "unknown"
 * @accel_source: how @accel was found ("cpuid", "--target")
 * @target: "qemu" (DMI says QEMU, or TCG), "host" (no hypervisor) or "vm"
 * @kernel_release: uname -r
 * @kernel_version: uname -v
 * @machine: uname -m
 * @cpu: /proc/cpuinfo model name
 * @cpus: online CPUs
 * @inject_path: TEST ONLY: path with an injected delay, "" when none
 * @inject_us: that delay in microseconds
 */
struct bench_meta {
	char created[32];
	char profile[8];
	int repetitions;
	char filter[256];
	char target_bdf[16];
	uint16_t vendor;
	uint16_t device;
	uint32_t bar;
	uint64_t bar_size;
	char dma_bdf[16];
	char accel[32];
	char accel_source[16];
	char target[16];
	char kernel_release[128];
	char kernel_version[128];
	char machine[65];
	char cpu[128];
	long cpus;
	char inject_path[8];
	uint64_t inject_us;
};

/**
 * bench_meta_collect() - fill what the machine can tell: time, uname, CPU,
 * accelerator (CPUID's hypervisor leaf: "TCGTCGTCGTCG" is QEMU's TCG) and
 * target (/sys/class/dmi/id/sys_vendor and the accelerator)
 * @meta: metadata; the run's settings are the caller's to fill
 * @sysfs: sysfs mount point
 */
void bench_meta_collect(struct bench_meta *meta, const char *sysfs);

/**
 * bench_meta_publish() - add @meta to Google Benchmark's report context
 * @meta: metadata
 *
 * Return: 0 or a negative errno (pfnbench_add_context()).
 */
int bench_meta_publish(const struct bench_meta *meta);

/**
 * bench_meta_write() - write bench.json's "metadata"
 * @j: writer, positioned after a key
 * @meta: the run's metadata
 * @gbench_file: name of Google Benchmark's own report, recorded in the metadata
 * @build_type: how libbenchmark was built (pfnbench_library_build_type())
 */
void bench_meta_write(struct pfn_json *j, const struct bench_meta *meta, const char *gbench_file,
		      const char *build_type);

/**
 * bench_timings_note() - how to read timings measured under @accel
 * @accel: as in &struct bench_meta
 *
 * Return: a static one-line note.
 */
const char *bench_timings_note(const char *accel);

#endif /* PFN_BENCH_META_H */
