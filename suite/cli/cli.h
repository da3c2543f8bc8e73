/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef PFNSUITE_CLI_H
#define PFNSUITE_CLI_H

#include <stdbool.h>
#include <stddef.h>

#include "pfn/error.h"
#include "pfn/pci.h"

/*
 * One exit-code convention for every subcommand (README "Exit codes"):
 * @CLI_EXIT_OK: it ran and everything it checked passed (SKIPs with a
 *	reason and findings included)
 * @CLI_EXIT_FAILED: it ran and found failures
 * @CLI_EXIT_USAGE: usage error or bad input: an unknown option, a device
 *	that is absent, not bound to vfio-pci or unsuitable for its role, a
 *	malformed input file; nothing was run and no output was written
 * @CLI_EXIT_INFRA: infrastructure error: the kernel lacks something the
 *	whole command needs (no IOMMU), or writing an output failed
 */
enum cli_exit {
	CLI_EXIT_OK = 0,
	CLI_EXIT_FAILED = 1,
	CLI_EXIT_USAGE = 2,
	CLI_EXIT_INFRA = 3,
};

/* Each subcommand: argv[0] is the subcommand name; returns an enum cli_exit. */
int cmd_probe(int argc, char **argv);
int cmd_dma(int argc, char **argv);
int cmd_conform(int argc, char **argv);
int cmd_bench(int argc, char **argv);
int cmd_fuzz(int argc, char **argv);

/**
 * cli_check_device() - a --device argument names a device ready for VFIO
 * @sysfs: sysfs mount point
 * @arg: the user's BDF, any accepted spelling
 * @bdf: receives the canonical BDF
 * @info: filled on success (may be NULL)
 * @err: on failure, what is wrong and what to do
 *
 * Return: 0, or a negative errno: bad input, exit CLI_EXIT_USAGE.
 */
int cli_check_device(const char *sysfs, const char *arg, char bdf[PFN_BDF_LEN],
		     struct pfn_pci_info *info, struct pfn_err *err);

/**
 * cli_check_dma_device() - a --dma-device can serve as the DMA engine
 * @sysfs: sysfs mount point
 * @bdf: canonical BDF of the DMA device
 * @target_bdf: canonical BDF of the target device ("" if none yet)
 * @err: on failure, what is wrong and what to do
 *
 * The same verdict for conform and bench: the device must exist, be bound
 * to vfio-pci, differ from the target and have a built-in DMA driver
 * (pfn_dma_find()).  Anything else is bad input (CLI_EXIT_USAGE), never a
 * FAIL of the cases that need it nor a SKIP of the benchmarks.
 *
 * Return: 0 or a negative errno.
 */
int cli_check_dma_device(const char *sysfs, const char *bdf, const char *target_bdf,
			 struct pfn_err *err);

/**
 * cli_exit_for_device_error() - the exit code for a device-setup error
 * @ret: negative errno from picking or opening the devices
 *
 * Return: CLI_EXIT_USAGE for what the user can fix by naming another
 * device or BAR (absent, unbound, unsuitable, too big), else CLI_EXIT_INFRA.
 */
int cli_exit_for_device_error(int ret);

/**
 * cli_bad_option() - report the option getopt_long() just rejected (call it
 * with opterr = 0, on its '?' return): one line on stderr, no usage text
 * @cmd: the subcommand, e.g. "conform"
 * @argv: its argv
 *
 * Return: CLI_EXIT_USAGE.
 */
int cli_bad_option(const char *cmd, char **argv);

/**
 * cli_parse_count() - an option's whole-number value in [@min, @max]
 * @cmd: the subcommand, for the message
 * @opt: the option, e.g. "--iterations"
 * @arg: its text (decimal, 0x-hex or 0-octal; no sign)
 * @min: smallest value allowed
 * @max: largest value allowed
 * @out: receives the value
 *
 * Return: true; false with one line on stderr saying what it takes.
 */
bool cli_parse_count(const char *cmd, const char *opt, const char *arg, unsigned long long min,
		     unsigned long long max, unsigned long long *out);

/**
 * cli_results_path() - @dir/@file, for an option naming an output directory
 * @cmd: the subcommand, for the message
 * @opt: the option, e.g. "--results"
 * @dir: the directory, which must exist and be writable
 * @file: the file name in it ("" for the directory itself)
 * @path: receives the path
 * @len: size of @path
 *
 * Return: true; false with one line on stderr.
 */
bool cli_results_path(const char *cmd, const char *opt, const char *dir, const char *file,
		      char *path, size_t len);

struct conform_ctx;

/**
 * cli_target_option() - the target options every BAR subcommand takes:
 * 'd' (--device BDF), 'D' (--dma-device BDF), 'b' (--bar N)
 * @cmd: the subcommand, for messages
 * @ctx: receives the value
 * @opt: getopt's return
 * @arg: the option's argument
 * @have_bar: set when --bar was given
 *
 * Return: 1 handled, 0 not a target option, -1 bad value (one line printed).
 */
int cli_target_option(const char *cmd, struct conform_ctx *ctx, int opt, const char *arg,
		      bool *have_bar);

/**
 * cli_target_setup() - complete @ctx for a run against a target BAR
 * @ctx: sysfs, and the user's target_bdf, target_bar and dma_bdf ("" and 0
 *	for the defaults: the vfio-pci device with the largest mmap-capable
 *	BAR, that BAR, the first other device a built-in DMA driver handles)
 * @have_bar: the user chose ctx->target_bar
 * @err: on failure, one line: what is wrong and what to do
 *
 * Fills the page size, the target BAR's size, the VFIO container backend
 * and whether the BAR behaves as memory (SPEC.md MEM-1).
 *
 * Return: CLI_EXIT_OK, or the exit code for the failure.
 */
int cli_target_setup(struct conform_ctx *ctx, bool have_bar, struct pfn_err *err);

#endif /* PFNSUITE_CLI_H */
