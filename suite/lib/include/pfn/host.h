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

#endif /* PFN_HOST_H */
