// SPDX-License-Identifier: GPL-2.0-only
/* The two ports: found by BDF, one queue each way, started per pool. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <rte_errno.h>
#include <rte_ethdev.h>

#include "dpdk.h"
#include "pfn/pci.h"

int pdpdk_port_find(struct pdpdk_port *p, const char *opt, const char *bdf, struct pfn_err *err)
{
	struct rte_eth_dev_info info;
	struct pfn_pci_info pci;
	int ret;

	memset(p, 0, sizeof(*p));
	snprintf(p->bdf, sizeof(p->bdf), "%s", bdf);
	if (rte_eth_dev_get_port_by_name(bdf, &p->id)) {
		if (pfn_pci_info("/sys", bdf, &pci, NULL))
			return pfn_fail(err, ENODEV, "%s %s: no such PCI device", opt, bdf);
		return pfn_fail(err, ENODEV,
				"%s %s (%04x:%04x): no DPDK poll-mode driver claimed it: use a NIC with a PMD (QEMU: e1000e, virtio-net) and install its librte-net-* package",
				opt, bdf, pci.vendor, pci.device);
	}
	ret = rte_eth_dev_info_get(p->id, &info);
	if (ret)
		return pfn_fail(err, -ret, "%s %s: rte_eth_dev_info_get: %s", opt, bdf, rte_strerror(-ret));
	snprintf(p->driver, sizeof(p->driver), "%s", info.driver_name);
	ret = rte_eth_macaddr_get(p->id, &p->mac);
	if (ret)
		return pfn_fail(err, -ret, "%s %s: no MAC address: %s", opt, bdf, rte_strerror(-ret));
	return 0;
}

int pdpdk_port_start(struct pdpdk_port *p, struct rte_mempool *rx_pool, struct pfn_err *err)
{
	struct rte_eth_conf conf;
	int socket = rte_eth_dev_socket_id(p->id);
	int ret;

	memset(&conf, 0, sizeof(conf));
	if (socket < 0)
		socket = 0;
	ret = rte_eth_dev_configure(p->id, 1, 1, &conf);
	if (ret)
		return pfn_fail(err, -ret, "port %s: configure: %s", p->bdf, rte_strerror(-ret));
	ret = rte_eth_rx_queue_setup(p->id, 0, PDPDK_RING, (unsigned int)socket, NULL, rx_pool);
	if (ret)
		return pfn_fail(err, -ret, "port %s: RX queue on pool %s: %s", p->bdf, rx_pool->name,
				rte_strerror(-ret));
	ret = rte_eth_tx_queue_setup(p->id, 0, PDPDK_RING, (unsigned int)socket, NULL);
	if (ret)
		return pfn_fail(err, -ret, "port %s: TX queue: %s", p->bdf, rte_strerror(-ret));
	ret = rte_eth_dev_start(p->id);
	if (ret)
		return pfn_fail(err, -ret, "port %s: start: %s", p->bdf, rte_strerror(-ret));
	p->started = true;
	/* Frames are addressed to the receiver's MAC; promiscuous mode is
	 * not needed, and a PMD without it is not refused. */
	return 0;
}

void pdpdk_port_stop(struct pdpdk_port *p)
{
	if (!p->started)
		return;
	rte_eth_dev_stop(p->id);
	p->started = false;
}

int pdpdk_ports_link_up(const struct pdpdk_port *a, const struct pdpdk_port *b, struct pfn_err *err)
{
	struct rte_eth_link la, lb;

	for (int i = 0; i < 100; i++) {
		memset(&la, 0, sizeof(la));
		memset(&lb, 0, sizeof(lb));
		rte_eth_link_get_nowait(a->id, &la);
		rte_eth_link_get_nowait(b->id, &lb);
		if (la.link_status && lb.link_status)
			return 0;
		rte_delay_ms(50);
	}
	return pfn_fail(err, ENOLINK,
			"no link after 5 s (%s %s, %s %s): are the two ports connected to each other?",
			a->bdf, la.link_status ? "up" : "down", b->bdf, lb.link_status ? "up" : "down");
}
