// SPDX-License-Identifier: GPL-2.0-only
/*
 * pfnsuite probe: for each vfio-bound device, list its BARs and find out, by
 * trying, which paths the running kernel supports: dma-buf export, iommufd
 * IOMMU_IOAS_MAP_FILE of that dma-buf, and type1 MAP_DMA of the BAR's mmap.
 * First, the host's TDX readiness (probe_tdx.c).
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <linux/vfio.h>

#include "cli.h"
#include "pfn/file.h"
#include "pfn/iommu.h"
#include "pfn/iova.h"
#include "pfn/json.h"
#include "pfn/pci.h"
#include "pfn/vfio.h"
#include "probe_tdx.h"

#define PROBE_MAX_DEVICES 64
#define GiB (1ull << 30)

/* The outcome of actually trying one path. */
struct probe_try {
	bool tried;
	int rc;			/* 0 or -errno */
	char why[PFN_ERR_MSG_MAX];	/* why it failed or was not tried */
};

struct probe_bar {
	struct pfn_region region;
	struct probe_try dmabuf_export;
	struct probe_try iommufd_map;
	struct probe_try type1_map;
};

struct probe_device {
	struct pfn_pci_info info;
	struct probe_try iommufd_open;
	struct probe_try type1_open;
	struct probe_bar bars[PFN_NUM_BARS];
};

static void tried(struct probe_try *t, int rc, const struct pfn_err *err)
{
	t->tried = true;
	t->rc = rc;
	snprintf(t->why, sizeof(t->why), "%s", rc && err ? err->msg : "");
}

static void not_tried(struct probe_try *t, const char *why)
{
	t->tried = false;
	t->rc = 0;
	snprintf(t->why, sizeof(t->why), "%s", why);
}

static bool bar_mappable(const struct probe_bar *b)
{
	return b->region.size && (b->region.flags & VFIO_REGION_INFO_FLAG_MMAP);
}

/* iommufd mode: region info, dma-buf export of each whole BAR, MAP_FILE of it. */
static void probe_iommufd(struct probe_device *pd, const char *sysfs)
{
	uint64_t page = (uint64_t)sysconf(_SC_PAGESIZE);
	struct pfn_vfio_dev dev;
	struct pfn_iommu io;
	struct pfn_err err;
	int ret;

	ret = pfn_iommu_open(&io, PFN_MODE_IOMMUFD, &err);
	if (!ret)
		ret = pfn_vfio_open(&dev, sysfs, pd->info.bdf, &io, &err);
	else
		dev.fd = -1, dev.group_fd = -1;
	tried(&pd->iommufd_open, ret, &err);

	for (uint32_t i = 0; i < PFN_NUM_BARS; i++) {
		struct probe_bar *b = &pd->bars[i];
		struct pfn_range whole;
		uint64_t iova = 0;
		int fd;

		b->region.index = i;
		if (ret) {
			not_tried(&b->dmabuf_export, "device did not open in iommufd mode");
			not_tried(&b->iommufd_map, "device did not open in iommufd mode");
			continue;
		}
		if (pfn_vfio_region(&dev, i, &b->region, &err) || !bar_mappable(b)) {
			not_tried(&b->dmabuf_export, "BAR absent or not mmap-capable");
			not_tried(&b->iommufd_map, "BAR absent or not mmap-capable");
			continue;
		}
		if (b->region.size < page) {
			not_tried(&b->dmabuf_export,
				  "BAR smaller than a page: dma-buf ranges are page-granular");
			not_tried(&b->iommufd_map, "BAR smaller than a page");
			continue;
		}
		whole = (struct pfn_range){ 0, b->region.size };
		fd = pfn_vfio_dmabuf_export(&dev, i, &whole, 1, O_RDWR | O_CLOEXEC, &err);
		tried(&b->dmabuf_export, fd < 0 ? fd : 0, &err);
		if (fd < 0) {
			not_tried(&b->iommufd_map, "dma-buf export failed");
			continue;
		}
		tried(&b->iommufd_map,
		      pfn_ioas_map_file(io.fd, io.ioas_id, fd, 0, b->region.size, &iova,
					PFN_MAP_RW | PFN_MAP_ANY_IOVA, &err), &err);
		if (b->iommufd_map.rc == 0)
			pfn_ioas_unmap(io.fd, io.ioas_id, iova, b->region.size, NULL, NULL);
		close(fd);
	}
	pfn_vfio_close(&dev);
	pfn_iommu_close(&io);
}

/* type1 mode: mmap each BAR and VFIO_IOMMU_MAP_DMA the mapping (the VMA path). */
static void probe_type1(struct probe_device *pd, const char *sysfs)
{
	uint64_t page = (uint64_t)sysconf(_SC_PAGESIZE);
	struct pfn_vfio_dev dev;
	struct pfn_iommu io;
	struct pfn_err err;
	int ret;

	ret = pfn_iommu_open(&io, PFN_MODE_TYPE1, &err);
	if (!ret)
		ret = pfn_vfio_open(&dev, sysfs, pd->info.bdf, &io, &err);
	else
		dev.fd = -1, dev.group_fd = -1;
	tried(&pd->type1_open, ret, &err);

	for (uint32_t i = 0; i < PFN_NUM_BARS; i++) {
		struct probe_bar *b = &pd->bars[i];
		struct pfn_iova_space iovas;
		uint64_t size, align, iova;
		int iova_ret;
		void *va;

		if (ret) {
			not_tried(&b->type1_map, "device did not open in type1 mode");
			continue;
		}
		if (!bar_mappable(b) &&
		    (pfn_vfio_region(&dev, i, &b->region, &err) || !bar_mappable(b))) {
			not_tried(&b->type1_map, "BAR absent or not mmap-capable");
			continue;
		}
		/* A sub-page BAR is mmap'd as one page (vfio-pci reserves the rest). */
		size = (b->region.size + page - 1) & ~(page - 1);
		align = size < GiB ? size : GiB;
		while (align & (align - 1))
			align &= align - 1;	/* largest power of two <= size */
		if (pfn_vfio_bar_mmap(&dev, i, 0, size, align, 0, &va, &err)) {
			tried(&b->type1_map, -err.code, &err);
			continue;
		}
		/* A window from the container's usable IOVA ranges, as large as the BAR. */
		iova_ret = pfn_iova_space_read(&iovas, &io, &err);
		if (!iova_ret)
			iova_ret = pfn_iova_alloc(&iovas, size, align, &iova, &err);
		tried(&b->type1_map, iova_ret ? iova_ret :
		      pfn_type1_map(io.fd, va, iova, size, PFN_MAP_RW, &err), &err);
		if (b->type1_map.rc == 0)
			pfn_type1_unmap(io.fd, iova, size, NULL, NULL);
		munmap(va, size);
	}
	pfn_vfio_close(&dev);
	pfn_iommu_close(&io);
}

static const char *human_size(uint64_t v, char *buf, size_t len)
{
	static const char *const unit[] = { "B", "KiB", "MiB", "GiB", "TiB" };
	int u = 0;

	while (v >= 1024 && !(v & 1023) && u < 4) {
		v >>= 10;
		u++;
	}
	snprintf(buf, len, "%llu %s", (unsigned long long)v, unit[u]);
	return buf;
}

static const char *verdict(const struct probe_try *t)
{
	if (!t->tried)
		return "-";
	return t->rc ? "no" : "yes";
}

static void print_device(FILE *out, const struct probe_device *pd)
{
	char sz[32];

	fprintf(out, "%s %04x:%04x class %06x group %d %s\n", pd->info.bdf, pd->info.vendor,
		pd->info.device, pd->info.class, pd->info.iommu_group,
		pd->info.vfio_cdev[0] ? pd->info.vfio_cdev : "(no cdev)");
	if (pd->iommufd_open.rc)
		fprintf(out, "  iommufd mode: %s\n", pd->iommufd_open.why);
	if (pd->type1_open.rc)
		fprintf(out, "  type1 mode: %s\n", pd->type1_open.why);
	for (int i = 0; i < PFN_NUM_BARS; i++) {
		const struct probe_bar *b = &pd->bars[i];
		const struct probe_try *fails[] = { &b->dmabuf_export, &b->iommufd_map,
						    &b->type1_map };
		static const char *const names[] = { "dma-buf export", "iommufd map",
						     "type1 map" };

		if (!b->region.size)
			continue;
		fprintf(out, "  BAR%d %10s %c%c%s  dma-buf export: %-3s  iommufd map: %-3s  type1 map: %s\n",
			i, human_size(b->region.size, sz, sizeof(sz)),
			b->region.flags & VFIO_REGION_INFO_FLAG_READ ? 'r' : '-',
			b->region.flags & VFIO_REGION_INFO_FLAG_WRITE ? 'w' : '-',
			b->region.flags & VFIO_REGION_INFO_FLAG_MMAP ? " mmap" : "     ",
			verdict(&b->dmabuf_export), verdict(&b->iommufd_map),
			verdict(&b->type1_map));
		for (int k = 0; k < 3; k++)
			if (fails[k]->tried && fails[k]->rc)
				fprintf(out, "       %s: %s\n", names[k], fails[k]->why);
	}
}

static void json_try(struct pfn_json *j, const char *key, const struct probe_try *t)
{
	pfn_json_key(j, key);
	pfn_json_object_begin(j);
	pfn_json_kv_bool(j, "tried", t->tried);
	pfn_json_kv_bool(j, "supported", t->tried && !t->rc);
	pfn_json_kv_int(j, "errno", -t->rc);
	pfn_json_kv_string(j, "detail", t->why);
	pfn_json_object_end(j);
}

/* Write @path through a temporary file: a failure leaves an old @path as it was. */
static int write_json(const char *path, const struct probe_device *devs, int n,
		      const struct pfn_tdx *tdx, struct pfn_err *err)
{
	struct pfn_file_tx tx;
	struct pfn_json j;
	char hex[16];
	int ret;

	ret = pfn_file_begin(&tx, path, err);
	if (ret)
		return ret;
	pfn_json_init(&j, tx.f);
	pfn_json_object_begin(&j);
	pfn_json_key(&j, "devices");
	pfn_json_array_begin(&j);
	for (int d = 0; d < n; d++) {
		const struct probe_device *pd = &devs[d];

		pfn_json_object_begin(&j);
		pfn_json_kv_string(&j, "bdf", pd->info.bdf);
		snprintf(hex, sizeof(hex), "%04x:%04x", pd->info.vendor, pd->info.device);
		pfn_json_kv_string(&j, "id", hex);
		pfn_json_kv_int(&j, "iommu_group", pd->info.iommu_group);
		pfn_json_kv_string(&j, "vfio_cdev", pd->info.vfio_cdev);
		json_try(&j, "iommufd_open", &pd->iommufd_open);
		json_try(&j, "type1_open", &pd->type1_open);
		pfn_json_key(&j, "bars");
		pfn_json_array_begin(&j);
		for (int i = 0; i < PFN_NUM_BARS; i++) {
			const struct probe_bar *b = &pd->bars[i];

			if (!b->region.size)
				continue;
			pfn_json_object_begin(&j);
			pfn_json_kv_int(&j, "index", i);
			pfn_json_kv_uint(&j, "size", b->region.size);
			pfn_json_kv_bool(&j, "mmap", b->region.flags & VFIO_REGION_INFO_FLAG_MMAP);
			json_try(&j, "dmabuf_export", &b->dmabuf_export);
			json_try(&j, "iommufd_map_file", &b->iommufd_map);
			json_try(&j, "type1_map_vma", &b->type1_map);
			pfn_json_object_end(&j);
		}
		pfn_json_array_end(&j);
		pfn_json_object_end(&j);
	}
	pfn_json_array_end(&j);
	probe_tdx_json(&j, tdx);
	pfn_json_object_end(&j);
	ret = pfn_json_finish(&j);
	if (ret) {
		pfn_file_abort(&tx);
		return pfn_fail(err, -ret, "writing %s: JSON writer misuse", path);
	}
	return pfn_file_commit(&tx, err);
}

static void probe_usage(FILE *out)
{
	fprintf(out,
		"usage: pfnsuite probe [--device BDF]... [--json FILE] [--sysfs DIR] [--procfs DIR]\n"
		"  Lists each vfio-pci device (or each --device), its BARs, and whether\n"
		"  dma-buf export, iommufd MAP_FILE of the dma-buf and type1 MAP_DMA of\n"
		"  the BAR mmap work on the running kernel, by trying each.\n"
		"  First the host's TDX readiness: the CPU flag, the TDX module and its\n"
		"  version, the tdx_host device, a PCI TSM and TDX Connect, kvm_intel.tdx;\n"
		"  each one absent says what is missing (read from --sysfs and --procfs).\n"
		"  --json FILE is replaced only by a complete result.\n"
		"Exit 0 when every device was probed; 2 for bad usage or a --device that is\n"
		"absent or not bound to vfio-pci (nothing is probed or written); 3 when the\n"
		"machine has no IOMMU or FILE cannot be written.\n");
}

int cmd_probe(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "device", required_argument, NULL, 'd' },
		{ "json", required_argument, NULL, 'j' },
		{ "sysfs", required_argument, NULL, 's' },
		{ "procfs", required_argument, NULL, 'p' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	char bdfs[PROBE_MAX_DEVICES][PFN_BDF_LEN];
	const char *sysfs = PFN_SYSFS_DEFAULT, *procfs = "/proc", *json = NULL;
	const char *args[PROBE_MAX_DEVICES];
	struct probe_device *devs;
	struct pfn_tdx tdx;
	int n = 0, c, ret, bad = 0;
	bool named;
	struct pfn_err err;

	while ((c = getopt_long(argc, argv, "d:j:s:p:h", opts, NULL)) != -1) {
		switch (c) {
		case 'd':
			if (n == PROBE_MAX_DEVICES) {
				fprintf(stderr, "pfnsuite probe: at most %d devices\n", PROBE_MAX_DEVICES);
				return CLI_EXIT_USAGE;
			}
			args[n++] = optarg;
			break;
		case 'j':
			json = optarg;
			break;
		case 's':
			sysfs = optarg;
			break;
		case 'p':
			procfs = optarg;
			break;
		case 'h':
			probe_usage(stdout);
			return CLI_EXIT_OK;
		default:
			return cli_bad_option("probe", argv);
		}
	}
	if (optind != argc) {
		fprintf(stderr, "pfnsuite probe: unexpected argument '%s'\n", argv[optind]);
		return CLI_EXIT_USAGE;
	}
	pfn_tdx_probe(&tdx, sysfs, procfs);
	probe_tdx_print(stdout, &tdx);
	if (!pfn_iommu_present(sysfs)) {
		fprintf(stderr,
			"pfnsuite probe: no IOMMU is active on this machine: enable VT-d/AMD-Vi in firmware and boot with intel_iommu=on or amd_iommu=on\n");
		return CLI_EXIT_INFRA;
	}
	named = n > 0;
	if (!named) {
		ret = pfn_pci_list_driver(sysfs, "vfio-pci", bdfs, PROBE_MAX_DEVICES, &err);
		if (ret < 0) {
			fprintf(stderr, "pfnsuite probe: %s\n", err.msg);
			return CLI_EXIT_INFRA;
		}
		if (ret == 0) {
			fprintf(stderr,
				"pfnsuite probe: no device is bound to vfio-pci: bind one (echo vfio-pci > /sys/bus/pci/devices/BDF/driver_override, then unbind and drivers_probe) or pass --device BDF\n");
			return CLI_EXIT_USAGE;
		}
		n = ret < PROBE_MAX_DEVICES ? ret : PROBE_MAX_DEVICES;
	}

	devs = calloc((size_t)n, sizeof(*devs));
	if (!devs) {
		fprintf(stderr, "pfnsuite probe: out of memory\n");
		return CLI_EXIT_INFRA;
	}
	/* Every device is checked before any is probed: bad input probes nothing. */
	for (int d = 0; d < n; d++) {
		ret = named ? cli_check_device(sysfs, args[d], bdfs[d], &devs[d].info, &err) :
				pfn_pci_check_vfio(sysfs, bdfs[d], &devs[d].info, &err);
		if (ret) {
			/* one device, one line: its problem and the consequence */
			fprintf(stderr, "pfnsuite probe: %s%s%s\n", err.msg,
				n == 1 ? "; nothing probed" : "",
				n == 1 && json ? ", --json file left as it was" : "");
			bad++;
		}
	}
	if (bad) {
		if (n > 1)
			fprintf(stderr, "pfnsuite probe: %d of %d devices unusable: nothing probed%s%s\n",
				bad, n, json ? ", " : "", json ? "--json file left as it was" : "");
		free(devs);
		/* A named device is the user's input; a listed one the machine's state. */
		return named ? CLI_EXIT_USAGE : CLI_EXIT_INFRA;
	}
	for (int d = 0; d < n; d++) {
		probe_iommufd(&devs[d], sysfs);
		probe_type1(&devs[d], sysfs);
		print_device(stdout, &devs[d]);
	}
	ret = json ? write_json(json, devs, n, &tdx, &err) : 0;
	free(devs);
	if (ret) {
		fprintf(stderr, "pfnsuite probe: %s\n", err.msg);
		return CLI_EXIT_INFRA;
	}
	return CLI_EXIT_OK;
}
