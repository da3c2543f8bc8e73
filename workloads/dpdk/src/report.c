// SPDX-License-Identifier: GPL-2.0-only
/* Results JSON and table: see report.h. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>

#include "pfn/file.h"
#include "pfn/host.h"
#include "pfn/json.h"
#include "pfnkvm/metric.h"
#include "report.h"

static const char timing_note[] =
	"rates are frames and bits per second of wall-clock time on this machine; inside QEMU TCG they are emulated-NIC rates, not hardware rates: compare each case with this boot's hugepage baseline (ratio), and trust the counts";

/* One quantity of a traffic sample. */
enum q { RX_MPPS, TX_MPPS, RX_GBPS, TX_GBPS, DROPS, ERRORS, BAD, VERIFIED, T_FAULTS, NR_Q };
static const struct {
	const char *name, *unit;
	bool higher;
} qs[NR_Q] = {
	[RX_MPPS] = { "rx_mpps", "Mpps", true },
	[TX_MPPS] = { "tx_mpps", "Mpps", true },
	[RX_GBPS] = { "rx_gbps", "Gbit/s", true },
	[TX_GBPS] = { "tx_gbps", "Gbit/s", true },
	[DROPS] = { "drops", "frames", false },
	[ERRORS] = { "errors", "frames", false },
	[BAD] = { "bad_frames", "frames", false },
	[VERIFIED] = { "verified_frames", "frames", true },
	[T_FAULTS] = { "traffic_faults", "faults", false },
};

static uint64_t bad_of(const struct pdpdk_traffic *t)
{
	uint64_t n = 0;

	for (int v = PDPDK_FRAME_FOREIGN; v <= PDPDK_FRAME_BAD_DATA; v++)
		n += t->bad[v];
	return n;
}

static double value(const struct pdpdk_traffic *t, enum q q)
{
	double s = t->seconds > 0 ? t->seconds : 1;
	double bits = (double)t->frame_size * 8;

	switch (q) {
	case RX_MPPS: return t->rx_frames / s / 1e6;
	case TX_MPPS: return t->tx_frames / s / 1e6;
	case RX_GBPS: return t->rx_frames * bits / s / 1e9;
	case TX_GBPS: return t->tx_frames * bits / s / 1e9;
	case DROPS: return (double)(t->lost + t->imissed);
	case ERRORS: return (double)(t->ierrors + t->oerrors + t->rx_nombuf);
	case BAD: return (double)bad_of(t);
	case VERIFIED: return (double)t->rx_ok;
	default: return (double)t->faults;
	}
}

static void metric_json(struct pfn_json *j, const struct pkvm_metric *m, const char *quantity,
			enum pdpdk_case c, unsigned int frame)
{
	char name[128];

	if (frame)
		snprintf(name, sizeof(name), "dpdk/%s/frame:%u.%s", pdpdk_case_name(c), frame, quantity);
	else
		snprintf(name, sizeof(name), "dpdk/%s.%s", pdpdk_case_name(c), quantity);
	pfn_json_object_begin(j);
	pfn_json_kv_string(j, "name", name);
	pfn_json_kv_string(j, "case", pdpdk_case_name(c));
	pfn_json_kv_string(j, "placement", pdpdk_case_placement(c));
	pfn_json_kv_string(j, "path", pdpdk_case_path(c));
	pfn_json_kv_uint(j, "frame_size", frame);
	pfn_json_kv_string(j, "quantity", quantity);
	pkvm_metric_json_members(j, m);
	pfn_json_object_end(j);
}

static void one_value(struct pfn_json *j, const char *quantity, const char *unit, double v,
		      enum pdpdk_case c)
{
	struct pkvm_metric m;

	pkvm_metric_init(&m, quantity, unit, false);
	pkvm_metric_add(&m, v);
	metric_json(j, &m, quantity, c, 0);
}

static void case_metrics(struct pfn_json *j, const struct pdpdk_run *run,
			 const struct pdpdk_case_result *r)
{
	const struct pdpdk_pool_cost *p = &r->cost;
	struct pkvm_metric m;

	pfn_json_key(j, "metrics");
	pfn_json_array_begin(j);
	if (!strcmp(r->status, "ok") || !strcmp(r->status, "fail")) {
		one_value(j, "setup_time", "us", p->setup_us, r->kind);
		one_value(j, "map_time", "us", p->map_us, r->kind);
		one_value(j, "setup_faults", "faults", (double)p->faults, r->kind);
		if (p->ops_counted) {
			one_value(j, "iommu_map_ops", "ops", (double)p->ops.map_ops, r->kind);
			one_value(j, "iommu_map_bytes", "bytes", (double)p->ops.map_bytes, r->kind);
		}
		for (unsigned int f = 0; f < run->o->nr_frames; f++) {
			if (!r->n[f])
				continue;
			for (int q = 0; q < NR_Q; q++) {
				pkvm_metric_init(&m, qs[q].name, qs[q].unit, qs[q].higher);
				for (unsigned int i = 0; i < r->n[f]; i++)
					pkvm_metric_add(&m, value(&r->t[f][i], (enum q)q));
				metric_json(j, &m, qs[q].name, r->kind, run->o->frames[f]);
			}
		}
	}
	pfn_json_array_end(j);
}

static void revoke_json(struct pfn_json *j, const struct pdpdk_revoke *v)
{
	pfn_json_object_begin(j);
	pfn_json_kv_string(j, "case", pdpdk_case_name(v->kind));
	pfn_json_kv_string(j, "path", pdpdk_case_path(v->kind));
	pfn_json_kv_string(j, "revoke", "memory_disable");
	pfn_json_kv_string(j, "status", v->status);
	pfn_json_kv_string(j, "finding", v->finding);
	pfn_json_kv_string(j, "reason", v->reason);
	pfn_json_kv_string(j, "before", pfn_proof_state_name(v->before));
	pfn_json_kv_string(j, "after", pfn_proof_state_name(v->after));
	pfn_json_kv_string(j, "after_recovery", pfn_proof_state_name(v->after_recovery));
	pfn_json_kv_uint(j, "frames_verified_before", v->before_ok);
	pfn_json_kv_uint(j, "frames_verified_after", v->after_ok);
	pfn_json_kv_uint(j, "frames_verified_recovered", v->recovered_ok);
	pfn_json_kv_uint(j, "frames_unread_while_revoked", v->unread);
	pfn_json_kv_uint(j, "bad_frames_after", v->bad_after);
	pfn_json_kv_bool(j, "detected", v->detected);
	pfn_json_key(j, "detect_ms");
	pfn_json_double(j, v->detect_ms);
	pfn_json_key(j, "recover_ms");
	pfn_json_double(j, v->recover_ms);
	pfn_json_object_end(j);
}

static void port_json(struct pfn_json *j, const char *key, const struct pdpdk_port *p)
{
	pfn_json_key(j, key);
	pfn_json_object_begin(j);
	pfn_json_kv_string(j, "bdf", p->bdf);
	pfn_json_kv_string(j, "driver", p->driver);
	pfn_json_object_end(j);
}

int pdpdk_report_json(const struct pdpdk_run *run, const char *path, struct pfn_err *err)
{
	const struct pdpdk_opts *o = run->o;
	struct pfn_file_tx tx;
	struct pfn_json j;
	char model[128], when[32];
	struct utsname u;
	time_t now = time(NULL);
	struct tm tm;
	int ret;

	ret = pfn_file_begin(&tx, path, err);
	if (ret)
		return ret;
	uname(&u);
	pfn_host_cpu_model(model, sizeof(model));
	gmtime_r(&now, &tm);
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
	pfn_json_init(&j, tx.f);
	pfn_json_object_begin(&j);
	pfn_json_kv_string(&j, "schema", "pfnsuite-dpdk/1");
	pfn_json_kv_string(&j, "time", when);
	pfn_json_kv_string(&j, "kernel_release", u.release);
	pfn_json_kv_string(&j, "cpu_model", model);
	pfn_json_kv_bool(&j, "in_vm", getenv("PFN_IN_VM") != NULL);
	pfn_json_kv_string(&j, "timing_note", timing_note);
	pfn_json_kv_string(&j, "container", run->container);
	pfn_json_kv_string(&j, "iova_mode", run->iova_mode);
	port_json(&j, "tx", &run->tx);
	port_json(&j, "rx", &run->rx);
	pfn_json_key(&j, "peer");
	if (run->peer.open) {
		pfn_json_object_begin(&j);
		pfn_json_kv_string(&j, "bdf", run->peer.dev.bdf);
		snprintf(model, sizeof(model), "%04x:%04x", run->peer.dev.info.vendor,
			 run->peer.dev.info.device);
		pfn_json_kv_string(&j, "id", model);
		pfn_json_kv_uint(&j, "bar", (unsigned int)run->peer.bar);
		pfn_json_kv_uint(&j, "bar_size", run->peer.bar_size);
		pfn_json_object_end(&j);
	} else {
		pfn_json_null(&j);
	}
	pfn_json_key(&j, "profile");
	pfn_json_object_begin(&j);
	pfn_json_key(&j, "frame_sizes");
	pfn_json_array_begin(&j);
	for (unsigned int f = 0; f < o->nr_frames; f++)
		pfn_json_uint(&j, o->frames[f]);
	pfn_json_array_end(&j);
	pfn_json_key(&j, "seconds");
	pfn_json_double(&j, o->seconds);
	pfn_json_kv_uint(&j, "reps", o->reps);
	pfn_json_kv_uint(&j, "mbufs", o->mbufs);
	pfn_json_kv_uint(&j, "pool_bytes", pdpdk_pool_bytes(o->mbufs));
	pfn_json_object_end(&j);
	pfn_json_key(&j, "cases");
	pfn_json_array_begin(&j);
	for (int c = 0; c < PDPDK_NR_CASES; c++) {
		const struct pdpdk_case_result *r = &run->cases[c];

		if (!r->ran)
			continue;
		pfn_json_object_begin(&j);
		pfn_json_kv_string(&j, "case", pdpdk_case_name(r->kind));
		pfn_json_kv_string(&j, "placement", pdpdk_case_placement(r->kind));
		pfn_json_kv_string(&j, "path", pdpdk_case_path(r->kind));
		pfn_json_kv_string(&j, "status", r->status);
		pfn_json_kv_string(&j, "reason", r->reason);
		pfn_json_kv_string(&j, "iommu_ops_note", r->cost.ops_counted ? "" : r->cost.ops_why);
		case_metrics(&j, run, r);
		pfn_json_object_end(&j);
	}
	pfn_json_array_end(&j);
	pfn_json_key(&j, "revoke");
	pfn_json_array_begin(&j);
	for (int c = 0; c < PDPDK_NR_CASES; c++)
		if (run->cases[c].has_revoke)
			revoke_json(&j, &run->cases[c].revoke);
	pfn_json_array_end(&j);
	pfn_json_object_end(&j);
	fputc('\n', tx.f);
	if (pfn_json_finish(&j)) {
		pfn_file_abort(&tx);
		return pfn_fail(err, EINVAL, "results JSON for %s did not come out whole", path);
	}
	return pfn_file_commit(&tx, err);
}

static double median_of(const struct pdpdk_case_result *r, unsigned int f, enum q q)
{
	struct pkvm_metric m;

	pkvm_metric_init(&m, "", "", true);
	for (unsigned int i = 0; i < r->n[f]; i++)
		pkvm_metric_add(&m, value(&r->t[f][i], q));
	return pkvm_metric_summary(&m).median;
}

void pdpdk_report_table(const struct pdpdk_run *run)
{
	const struct pdpdk_case_result *base = &run->cases[PDPDK_HUGEPAGE];
	struct utsname u;

	uname(&u);
	printf("pfn-dpdk: kernel %s, DPDK container %s, IOVA mode %s; %s\n", u.release,
	       run->container, run->iova_mode, timing_note);
	printf("%-11s %-6s %5s %9s %9s %9s %9s %7s %6s %6s %8s\n", "case", "path", "frame",
	       "tx_Mpps", "rx_Mpps", "tx_Gb/s", "rx_Gb/s", "drops", "errors", "bad", "x_base");
	for (int c = 0; c < PDPDK_NR_CASES; c++) {
		const struct pdpdk_case_result *r = &run->cases[c];

		if (!r->ran)
			continue;
		if (strcmp(r->status, "ok") && strcmp(r->status, "fail")) {
			printf("%-11s %-6s %s: %s\n", pdpdk_case_name(r->kind), pdpdk_case_path(r->kind),
			       r->status, r->reason);
			continue;
		}
		for (unsigned int f = 0; f < run->o->nr_frames; f++) {
			double b = base->n[f] ? median_of(base, f, RX_MPPS) : 0;
			double rx = median_of(r, f, RX_MPPS);

			if (!r->n[f])
				continue;
			printf("%-11s %-6s %5u %9.4f %9.4f %9.4f %9.4f %7.0f %6.0f %6.0f %8.3f\n",
			       pdpdk_case_name(r->kind), pdpdk_case_path(r->kind), run->o->frames[f],
			       median_of(r, f, TX_MPPS), rx, median_of(r, f, TX_GBPS),
			       median_of(r, f, RX_GBPS), median_of(r, f, DROPS),
			       median_of(r, f, ERRORS), median_of(r, f, BAD), b > 0 ? rx / b : 0);
		}
		printf("%-11s pool setup %.0f us, map %.0f us, %llu CPU faults, ", "", r->cost.setup_us,
		       r->cost.map_us, (unsigned long long)r->cost.faults);
		if (r->cost.ops_counted)
			printf("%llu IOMMU map ops (%llu bytes)\n", (unsigned long long)r->cost.ops.map_ops,
			       (unsigned long long)r->cost.ops.map_bytes);
		else
			printf("IOMMU map ops not counted: %s\n", r->cost.ops_why);
		if (strcmp(r->status, "ok"))
			printf("%-11s FAIL: %s\n", "", r->reason);
	}
	for (int c = 0; c < PDPDK_NR_CASES; c++) {
		const struct pdpdk_revoke *v = &run->cases[c].revoke;

		if (run->cases[c].has_revoke)
			printf("revoke %-11s %s%s%s: %s\n", pdpdk_case_name(v->kind), v->status,
			       v->finding[0] ? " " : "", v->finding, v->reason);
	}
	printf("x_base: received Mpps over this boot's hugepage baseline at the same frame size\n");
}
