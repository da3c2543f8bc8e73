/* SPDX-License-Identifier: GPL-2.0-only */
/* pfnsuite probe's TDX readiness section: text and JSON (pfn/tdx.h). */
#ifndef PFN_CLI_PROBE_TDX_H
#define PFN_CLI_PROBE_TDX_H

#include <stdio.h>

#include "pfn/json.h"
#include "pfn/tdx.h"

/* "TDX readiness: ..." then one line per check, present or what is missing. */
void probe_tdx_print(FILE *out, const struct pfn_tdx *t);

/* The "tdx" member: {"ready": bool, "checks": [{"name", "present", "detail"}]}. */
void probe_tdx_json(struct pfn_json *j, const struct pfn_tdx *t);

#endif /* PFN_CLI_PROBE_TDX_H */
