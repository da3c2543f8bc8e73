// SPDX-License-Identifier: GPL-2.0-only
/* pfnsuite probe's TDX readiness section. */
#include "probe_tdx.h"

void probe_tdx_print(FILE *out, const struct pfn_tdx *t)
{
	int have = 0;

	for (int i = 0; i < PFN_TDX_NR; i++)
		have += t->check[i].present;
	fprintf(out, "TDX readiness: %s (%d of %d checks found their feature)\n",
		pfn_tdx_ready(t) ? "ready" : "not ready: TDX-dependent cases SKIP", have, PFN_TDX_NR);
	for (int i = 0; i < PFN_TDX_NR; i++)
		fprintf(out, "  %-16s %-7s %s\n", t->check[i].name,
			t->check[i].present ? "present" : "absent", t->check[i].detail);
}

void probe_tdx_json(struct pfn_json *j, const struct pfn_tdx *t)
{
	pfn_json_key(j, "tdx");
	pfn_json_object_begin(j);
	pfn_json_kv_bool(j, "ready", pfn_tdx_ready(t));
	pfn_json_key(j, "checks");
	pfn_json_array_begin(j);
	for (int i = 0; i < PFN_TDX_NR; i++) {
		pfn_json_object_begin(j);
		pfn_json_kv_string(j, "name", t->check[i].name);
		pfn_json_kv_bool(j, "present", t->check[i].present);
		pfn_json_kv_string(j, "detail", t->check[i].detail);
		pfn_json_object_end(j);
	}
	pfn_json_array_end(j);
	pfn_json_object_end(j);
}
