// SPDX-License-Identifier: GPL-2.0-only
/*
 * The traffic loop, on one lcore: build a burst of numbered frames in the
 * transmit pool, hand it to the sending port, take what the receiving port
 * has, judge every received frame byte for byte, and at the end drain the
 * receiver.  Losses come from the sequence numbers, errors from the ports.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>

#include "dpdk.h"

#define DRAIN_IDLE_US	50000.0
#define DRAIN_MAX_US	500000.0

uint64_t pdpdk_minor_faults(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return (uint64_t)ru.ru_minflt + (uint64_t)ru.ru_majflt;
}

double pdpdk_now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

struct loop {
	const struct pdpdk_flow *f;
	struct pdpdk_traffic *out;
	uint32_t run;
	uint64_t next_tx;
	uint64_t next_rx;
	unsigned int bad_run;
	size_t len;
	struct rte_mbuf *pending[PDPDK_BURST];
	unsigned int nr_pending;
};

static void transmit(struct loop *l)
{
	unsigned int want = PDPDK_BURST - l->nr_pending, sent;

	if (want && !rte_pktmbuf_alloc_bulk(l->f->tx_pool, l->pending + l->nr_pending, want)) {
		for (unsigned int i = l->nr_pending; i < PDPDK_BURST; i++) {
			struct rte_mbuf *m = l->pending[i];

			m->data_len = (uint16_t)l->len;
			m->pkt_len = (uint32_t)l->len;
			pdpdk_frame_build(rte_pktmbuf_mtod(m, uint8_t *), l->len, l->f->rx->mac.addr_bytes,
					  l->f->tx->mac.addr_bytes, l->run, l->next_tx++);
		}
		l->nr_pending = PDPDK_BURST;
	}
	if (!l->nr_pending)
		return;
	sent = rte_eth_tx_burst(l->f->tx->id, 0, l->pending, (uint16_t)l->nr_pending);
	l->out->tx_frames += sent;
	memmove(l->pending, l->pending + sent, (l->nr_pending - sent) * sizeof(l->pending[0]));
	l->nr_pending -= sent;
}

/* Returns the frames received; judges them unless the BAR is not readable. */
static unsigned int receive(struct loop *l)
{
	struct rte_mbuf *m[PDPDK_BURST];
	unsigned int n = rte_eth_rx_burst(l->f->rx->id, 0, m, PDPDK_BURST);
	bool readable = !l->f->bar_readable || *l->f->bar_readable;
	enum pdpdk_verdict v;
	uint64_t seq;

	for (unsigned int i = 0; i < n; i++) {
		l->out->rx_frames++;
		if (!readable) {
			l->out->unread++;
			rte_pktmbuf_free(m[i]);
			continue;
		}
		v = pdpdk_frame_check(rte_pktmbuf_mtod(m[i], const uint8_t *), m[i]->data_len,
				      l->run, &seq);
		if (v == PDPDK_FRAME_OK) {
			l->out->rx_ok++;
			l->bad_run = 0;
			if (seq < l->next_rx)
				l->out->out_of_order++;
			else
				l->next_rx = seq + 1;
		} else {
			l->out->bad[v]++;
			l->bad_run++;
		}
		rte_pktmbuf_free(m[i]);
	}
	return n;
}

static void port_counters(const struct pdpdk_flow *f, struct pdpdk_traffic *out)
{
	struct rte_eth_stats rx, tx;

	memset(&rx, 0, sizeof(rx));
	memset(&tx, 0, sizeof(tx));
	rte_eth_stats_get(f->rx->id, &rx);
	rte_eth_stats_get(f->tx->id, &tx);
	out->imissed = rx.imissed;
	out->ierrors = rx.ierrors;
	out->rx_nombuf = rx.rx_nombuf;
	out->oerrors = tx.oerrors;
}

int pdpdk_traffic_run_hooked(const struct pdpdk_flow *f, unsigned int frame_size, double seconds,
			     pdpdk_step_fn step, void *arg, struct pdpdk_traffic *out,
			     struct pfn_err *err)
{
	struct loop l = { .f = f, .out = out };
	uint64_t f0 = pdpdk_minor_faults();
	double t0, now, end, idle_since;
	bool stopped = false;

	memset(out, 0, sizeof(*out));
	out->frame_size = frame_size;
	l.len = pdpdk_frame_data_len(frame_size);
	l.run = (uint32_t)random() | 1u;
	rte_eth_stats_reset(f->rx->id);
	rte_eth_stats_reset(f->tx->id);
	t0 = pdpdk_now_us();
	end = t0 + seconds * 1e6;
	for (now = t0; now < end; now = pdpdk_now_us()) {
		transmit(&l);
		receive(&l);
		if (step)
			step(arg, now - t0);
		if (f->stop_after_bad && l.bad_run >= f->stop_after_bad) {
			stopped = true;
			break;
		}
	}
	out->seconds = (now - t0) / 1e6;
	/* Frames built but never taken by the NIC were never sent. */
	rte_pktmbuf_free_bulk(l.pending, l.nr_pending);
	/* Drain: until the receiver is idle for a while. */
	idle_since = now = pdpdk_now_us();
	while (!stopped && now - idle_since < DRAIN_IDLE_US && now - end < DRAIN_MAX_US) {
		if (receive(&l))
			idle_since = pdpdk_now_us();
		now = pdpdk_now_us();
	}
	port_counters(f, out);
	out->lost = out->tx_frames > out->rx_frames ? out->tx_frames - out->rx_frames : 0;
	out->faults = pdpdk_minor_faults() - f0;
	if (!out->tx_frames)
		return pfn_fail(err, EIO, "port %s sent no frame in %.2f s (TX pool %s)", f->tx->bdf,
				out->seconds, f->tx_pool->name);
	return 0;
}

int pdpdk_traffic_run(const struct pdpdk_flow *f, unsigned int frame_size, double seconds,
		      struct pdpdk_traffic *out, struct pfn_err *err)
{
	return pdpdk_traffic_run_hooked(f, frame_size, seconds, NULL, NULL, out, err);
}
