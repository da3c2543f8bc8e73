/* SPDX-License-Identifier: GPL-2.0-only */
/* Facts about the machine the suite runs on, for result metadata. */
#ifndef PFN_HOST_H
#define PFN_HOST_H

#include <stddef.h>

/**
 * pfn_host_cpu_model() - the first "model name" of /proc/cpuinfo
 * @buf: receives the name, or "unknown" when there is none
 * @len: size of @buf
 */
void pfn_host_cpu_model(char *buf, size_t len);

/**
 * pfn_kmsg_mark() - write "pfnsuite: <text>" into the kernel log
 * @fmt: printf format of the text
 *
 * Marks where a case or a batch starts and ends, so that a splat in the log
 * can be pinned on what was running (suite/guest/lib.sh kmsg_scan).  Best
 * effort: nothing happens when /dev/kmsg cannot be written.
 */
void pfn_kmsg_mark(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif /* PFN_HOST_H */
