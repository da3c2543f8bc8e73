/* SPDX-License-Identifier: GPL-2.0-only */
/* pfn-kvm command line: subcommands and what they share. */
#ifndef PFNKVM_CLI_H
#define PFNKVM_CLI_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "pfn/file.h"
#include "pfn/json.h"
#include "pfn/pci.h"
#include "pfnkvm/target.h"

/* Exit statuses (kselftest's 4 for "skipped"). */
#define CLI_OK		0
#define CLI_FAIL	1
#define CLI_USAGE	2
#define CLI_SKIP	4

/**
 * struct cli_common - options every subcommand takes
 * @sysfs: sysfs mount point
 * @bdf: --device, "" to pick one
 * @bar: --bar, -1 for the largest mmap-capable BAR
 * @json: --json output path, NULL for none
 */
struct cli_common {
	const char *sysfs;
	char bdf[PFN_BDF_LEN];
	int bar;
	const char *json;
};

int cmd_probe(int argc, char **argv);
int cmd_bench(int argc, char **argv);
int cmd_revoke(int argc, char **argv);

/**
 * cli_common_option() - handle a shared option
 * @c: options
 * @opt: getopt code ('d' device, 'b' bar, 'j' json, 's' sysfs)
 * @arg: its argument
 *
 * Return: 1 when handled, 0 when @opt is not shared, -1 on a bad value
 * (already reported on stderr).
 */
int cli_common_option(struct cli_common *c, int opt, const char *arg);

/**
 * cli_parse_size() - "4096", "4K", "2M", "1G" (powers of 1024) to bytes
 * Return: 0, or -EINVAL.
 */
int cli_parse_size(const char *s, uint64_t *out);

/** cli_format_size() - bytes as "1G", "2M", "4K" or a plain number. */
const char *cli_format_size(uint64_t bytes, char *buf, size_t len);

/**
 * cli_bad_option() - the one line for the option getopt_long() just
 * rejected (opterr is 0): "PROG: unknown option '--x': see 'PROG --help'"
 * Return: CLI_USAGE.
 */
int cli_bad_option(const char *prog, char **argv);

/**
 * cli_open_target() - check KVM, pick and open the device
 * @c: options
 * @t: opened on success
 * @prog: "pfn-kvm bench" etc., for messages
 *
 * Return: CLI_OK, or the exit status to return (CLI_SKIP when KVM or a
 * device is missing, with the reason printed).
 */
int cli_open_target(struct cli_common *c, struct pkvm_target *t, const char *prog);

/**
 * cli_json_begin() - start @path's temporary file and write the document's
 * common head
 * @j: writer
 * @tx: the file being written (pfn/file.h)
 * @path: output file, replaced only by cli_json_end()
 * @schema: e.g. "pfnsuite-kvm-bench/1"
 * @t: the target (device metadata)
 * @err: on failure, why
 *
 * Return: 0 or a negative errno.
 */
int cli_json_begin(struct pfn_json *j, struct pfn_file_tx *tx, const char *path,
		   const char *schema, const struct pkvm_target *t, struct pfn_err *err);

/**
 * cli_json_end() - close the document and rename it over its path; an
 * invalid document leaves the path as it was
 * @j: writer
 * @tx: from cli_json_begin()
 * @err: on failure, why
 *
 * Return: 0 or a negative errno.
 */
int cli_json_end(struct pfn_json *j, struct pfn_file_tx *tx, struct pfn_err *err);

/** cli_timing_note() - the caveat printed with every measured time. */
const char *cli_timing_note(void);

#endif /* PFNKVM_CLI_H */
