// SPDX-License-Identifier: GPL-2.0-only
/*
 * pfn-dpdk: a DPDK application forwarding verified frames between two NIC
 * ports, with its packet buffers in hugepages or in a peer device's BAR,
 * mapped by the VMA path or the dma-buf path; optionally revoking the peer
 * under traffic.  Exit: 0 all cases ok, 1 a case failed, 2 bad input, 3 the
 * machine lacks what the run needs.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_ethdev.h>

#include "report.h"

#define EXIT_FAIL	1
#define EXIT_USAGE	2
#define EXIT_INFRA	3

static struct pdpdk_run run;
static double start_us;

static void progress(const struct pdpdk_opts *o, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void progress(const struct pdpdk_opts *o, const char *fmt, ...)
{
	va_list ap;

	if (o->quiet)
		return;
	va_start(ap, fmt);
	fprintf(stderr, "pfn-dpdk: [%5.1f s] ", (pdpdk_now_us() - start_us) / 1e6);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

static int die(int code, const char *msg)
{
	fprintf(stderr, "pfn-dpdk: error: %s\n", msg);
	return code;
}

static void judge_traffic(struct pdpdk_case_result *r, const struct pdpdk_traffic *t)
{
	uint64_t bad = 0;

	for (int v = PDPDK_FRAME_FOREIGN; v <= PDPDK_FRAME_BAD_DATA; v++)
		bad += t->bad[v];
	if (strcmp(r->status, "ok"))
		return;
	if (!t->rx_ok || bad || t->out_of_order) {
		r->status = "fail";
		snprintf(r->reason, sizeof(r->reason),
			 "%u-byte frames: %llu sent, %llu received, %llu verified, %llu bad (first kinds: foreign %llu, stale %llu, bad_len %llu, bad_sum %llu, bad_data %llu), %llu out of order",
			 t->frame_size, (unsigned long long)t->tx_frames, (unsigned long long)t->rx_frames,
			 (unsigned long long)t->rx_ok, (unsigned long long)bad,
			 (unsigned long long)t->bad[PDPDK_FRAME_FOREIGN],
			 (unsigned long long)t->bad[PDPDK_FRAME_STALE],
			 (unsigned long long)t->bad[PDPDK_FRAME_BAD_LEN],
			 (unsigned long long)t->bad[PDPDK_FRAME_BAD_SUM],
			 (unsigned long long)t->bad[PDPDK_FRAME_BAD_DATA],
			 (unsigned long long)t->out_of_order);
	}
}

/* The revoke experiment on @r's BAR pool, frames built in a hugepage pool. */
static void revoke_case(struct pdpdk_case_result *r, const struct pdpdk_opts *o)
{
	struct pdpdk_pool txp;
	struct pfn_err err;

	r->has_revoke = true;
	if (pdpdk_pool_create(&txp, PDPDK_HUGEPAGE, o->mbufs, &run.rx, NULL, "pfn-revoke-tx", &err)) {
		r->revoke.kind = r->kind;
		r->revoke.status = "fail";
		r->revoke.finding = "";
		snprintf(r->revoke.reason, sizeof(r->revoke.reason), "transmit pool: %s", err.msg);
		pdpdk_pool_destroy(&txp, &run.rx);
		return;
	}
	pdpdk_revoke_run(&r->revoke, &run.tx, &run.rx, txp.mp, &r->pool, &run.peer,
			 o->frames[0], &err);
	progress(o, "revoke %s: %s%s%s: %s", pdpdk_case_name(r->kind), r->revoke.status,
		 r->revoke.finding[0] ? " " : "", r->revoke.finding, r->revoke.reason);
	pdpdk_port_stop(&run.tx);
	pdpdk_port_stop(&run.rx);
	pdpdk_pool_destroy(&txp, &run.rx);
}

static void run_case(enum pdpdk_case kind, const struct pdpdk_opts *o)
{
	struct pdpdk_case_result *r = &run.cases[kind];
	char name[32];
	struct pfn_err err;

	r->kind = kind;
	r->ran = true;
	r->status = "ok";
	snprintf(name, sizeof(name), "pfn-%s", pdpdk_case_name(kind));
	progress(o, "%s: pool of %u buffers (%zu bytes)", pdpdk_case_name(kind), o->mbufs,
		 pdpdk_pool_bytes(o->mbufs));
	if (pdpdk_pool_create(&r->pool, kind, o->mbufs, &run.rx, &run.peer, name, &err)) {
		bool refused = kind == PDPDK_BAR_VMA && o->expect_vma_refused && r->pool.registered &&
			       r->pool.mp && !r->pool.mapped;

		r->status = refused ? "refused" : "failed";
		snprintf(r->reason, sizeof(r->reason), "%s", err.msg);
		progress(o, "%s: %s: %s", pdpdk_case_name(kind), r->status, err.msg);
		goto out;
	}
	if (kind == PDPDK_BAR_VMA && o->expect_vma_refused) {
		r->status = "fail";
		snprintf(r->reason, sizeof(r->reason),
			 "the VMA path was expected to be refused (DPDK's container is %s) but rte_dev_dma_map mapped the BAR",
			 run.container);
	}
	if (pdpdk_port_start(&run.tx, r->pool.mp, &err) || pdpdk_port_start(&run.rx, r->pool.mp, &err) ||
	    pdpdk_ports_link_up(&run.tx, &run.rx, &err)) {
		r->status = "failed";
		snprintf(r->reason, sizeof(r->reason), "%s", err.msg);
		goto stop;
	}
	for (unsigned int f = 0; f < o->nr_frames; f++) {
		struct pdpdk_flow flow = { .tx = &run.tx, .rx = &run.rx, .tx_pool = r->pool.mp };

		for (unsigned int i = 0; i < o->reps; i++) {
			struct pdpdk_traffic *t = &r->t[f][r->n[f]];

			if (pdpdk_traffic_run(&flow, o->frames[f], o->seconds, t, &err)) {
				r->status = "failed";
				snprintf(r->reason, sizeof(r->reason), "%s", err.msg);
				goto stop;
			}
			r->n[f]++;
			judge_traffic(r, t);
			progress(o, "%s %u B: sent %llu, received %llu, verified %llu in %.2f s",
				 pdpdk_case_name(kind), o->frames[f], (unsigned long long)t->tx_frames,
				 (unsigned long long)t->rx_frames, (unsigned long long)t->rx_ok, t->seconds);
		}
	}
	if (o->revoke && kind != PDPDK_HUGEPAGE) {
		revoke_case(r, o);
		/* revoke_case() stopped the ports. */
	}
stop:
	pdpdk_port_stop(&run.tx);
	pdpdk_port_stop(&run.rx);
out:
	r->cost = r->pool.cost;
	pdpdk_pool_destroy(&r->pool, &run.rx);
}

static int exit_code(void)
{
	for (int c = 0; c < PDPDK_NR_CASES; c++) {
		const struct pdpdk_case_result *r = &run.cases[c];

		if (!r->ran)
			continue;
		if (strcmp(r->status, "ok") && strcmp(r->status, "refused"))
			return EXIT_FAIL;
		if (r->has_revoke && !strcmp(r->revoke.status, "fail"))
			return EXIT_FAIL;
	}
	return 0;
}

static int cmd_run(int argc, char **argv)
{
	static struct pdpdk_opts o;
	struct pfn_err err;
	int ret;

	start_us = pdpdk_now_us();
	ret = pdpdk_opts_parse(&o, argc, argv, &err);
	if (ret == 1) {
		fputs(pdpdk_usage(), stdout);
		return 0;
	}
	if (ret)
		return die(EXIT_USAGE, err.msg);
	run.o = &o;
	if (pdpdk_check_port_driver("--tx", o.tx, &err) || pdpdk_check_port_driver("--rx", o.rx, &err))
		return die(EXIT_USAGE, err.msg);
	if (o.peer[0] && pdpdk_check_port_driver("--peer", o.peer, &err))
		return die(EXIT_USAGE, err.msg);
	if (pdpdk_hugepages_ready(o.hugepages, &err))
		return die(EXIT_INFRA, err.msg);
	/* Everything that can be judged without DPDK, before its EAL starts. */
	run.container = pdpdk_container_backend();
	if (o.auto_cases) {
		o.cases = 1u << PDPDK_HUGEPAGE | 1u << PDPDK_BAR_VMA;
		if (!strcmp(run.container, "iommufd-compat")) {
			o.cases |= 1u << PDPDK_BAR_DMABUF;
			o.expect_vma_refused = true;
		}
	}
	if ((o.cases & (1u << PDPDK_BAR_DMABUF)) && strcmp(run.container, "iommufd-compat")) {
		snprintf(err.msg, sizeof(err.msg),
			 "bar_dmabuf: DPDK's VFIO container is %s, which cannot map a dma-buf: boot a kernel with CONFIG_IOMMUFD_VFIO_CONTAINER=y (KERNEL_FLAVOUR=iommufd-compat)",
			 run.container);
		return die(EXIT_INFRA, err.msg);
	}
	if (o.peer[0] && pdpdk_peer_open(&run.peer, o.peer, o.peer_bar, &err))
		return die(EXIT_USAGE, err.msg);
	if (run.peer.open && pdpdk_pool_bytes(o.mbufs) > run.peer.bar_size) {
		snprintf(err.msg, sizeof(err.msg),
			 "--peer %s: a pool of %u buffers needs %zu bytes but BAR %d has %llu: pass fewer --mbufs or a device with a larger BAR",
			 o.peer, o.mbufs, pdpdk_pool_bytes(o.mbufs), run.peer.bar,
			 (unsigned long long)run.peer.bar_size);
		pdpdk_peer_close(&run.peer);
		return die(EXIT_USAGE, err.msg);
	}
	srandom((unsigned int)time(NULL) ^ (unsigned int)getpid());
	progress(&o, "starting DPDK's EAL on %s and %s", o.tx, o.rx);
	if (pdpdk_eal_init(&o, "pfn-dpdk", &err)) {
		pdpdk_peer_close(&run.peer);
		return die(EXIT_INFRA, err.msg);
	}
	run.iova_mode = rte_eal_iova_mode() == RTE_IOVA_VA ? "va" : "pa";
	/* No port was configured: exit releases them untouched (closing a
	 * port that never started makes the PMD log an interrupt error). */
	if (pdpdk_port_find(&run.tx, "--tx", o.tx, &err) || pdpdk_port_find(&run.rx, "--rx", o.rx, &err)) {
		pdpdk_peer_close(&run.peer);
		return die(EXIT_USAGE, err.msg);
	}
	progress(&o, "ports %s (%s) -> %s (%s); container %s, IOVA mode %s", run.tx.bdf, run.tx.driver,
		 run.rx.bdf, run.rx.driver, run.container, run.iova_mode);
	for (int c = 0; c < PDPDK_NR_CASES; c++)
		if (o.cases & (1u << c))
			run_case((enum pdpdk_case)c, &o);
	pdpdk_peer_close(&run.peer);
	ret = exit_code();
	if (o.json[0] && pdpdk_report_json(&run, o.json, &err)) {
		pdpdk_eal_cleanup();
		return die(EXIT_INFRA, err.msg);
	}
	pdpdk_report_table(&run);
	pdpdk_eal_cleanup();
	return ret;
}

int main(int argc, char **argv)
{
	if (argc < 2 || !strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
		fputs(pdpdk_usage(), argc < 2 ? stderr : stdout);
		return argc < 2 ? EXIT_USAGE : 0;
	}
	if (strcmp(argv[1], "run"))
		return die(EXIT_USAGE, "unknown subcommand (the only one is 'run'; see --help)");
	return cmd_run(argc - 1, argv + 1);
}
