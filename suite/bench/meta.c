// SPDX-License-Identifier: GPL-2.0-only
/* Benchmark run metadata: see meta.h. */
#include <errno.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#endif

#include "pfn/host.h"
#include "harness/pfnbench.h"
#include "meta.h"

static const struct {
	const char *sig;
	const char *name;
} hypervisors[] = {
	{ "TCGTCGTCGTCG", "tcg" },
	{ "KVMKVMKVM", "kvm" },
	{ "Microsoft Hv", "hyperv" },
	{ "VMwareVMware", "vmware" },
	{ "XenVMMXenVMM", "xen" },
	{ "ACRNACRNACRN", "acrn" },
};

static void read_line(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "re");

	buf[0] = '\0';
	if (!f)
		return;
	if (fgets(buf, (int)len, f))
		buf[strcspn(buf, "\n")] = '\0';
	fclose(f);
}

static void detect_accel(struct bench_meta *meta)
{
	snprintf(meta->accel, sizeof(meta->accel), "unknown");
	snprintf(meta->accel_source, sizeof(meta->accel_source), "cpuid");
#if defined(__x86_64__) || defined(__i386__)
	unsigned int a, b, c, d;
	char sig[13];

	if (__get_cpuid(1, &a, &b, &c, &d) && !(c & (1u << 31))) {
		snprintf(meta->accel, sizeof(meta->accel), "none");
		return;
	}
	__cpuid(0x40000000, a, b, c, d);
	memcpy(sig, &b, 4);
	memcpy(sig + 4, &c, 4);
	memcpy(sig + 8, &d, 4);
	sig[12] = '\0';
	snprintf(meta->accel, sizeof(meta->accel), "hypervisor");
	for (size_t i = 0; i < sizeof(hypervisors) / sizeof(hypervisors[0]); i++)
		if (!strcmp(sig, hypervisors[i].sig))
			snprintf(meta->accel, sizeof(meta->accel), "%s", hypervisors[i].name);
#endif
}

void bench_meta_collect(struct bench_meta *meta, const char *sysfs)
{
	char path[256], vendor[64];
	time_t now = time(NULL);
	struct utsname u;
	struct tm tm;

	gmtime_r(&now, &tm);
	strftime(meta->created, sizeof(meta->created), "%Y-%m-%dT%H:%M:%SZ", &tm);
	if (uname(&u))
		memset(&u, 0, sizeof(u));
	snprintf(meta->kernel_release, sizeof(meta->kernel_release), "%s", u.release);
	snprintf(meta->kernel_version, sizeof(meta->kernel_version), "%s", u.version);
	snprintf(meta->machine, sizeof(meta->machine), "%s", u.machine);
	pfn_host_cpu_model(meta->cpu, sizeof(meta->cpu));
	meta->cpus = sysconf(_SC_NPROCESSORS_ONLN);
	detect_accel(meta);
	/* Kernels without CONFIG_DMI have no sys_vendor; TCG is QEMU anyway. */
	snprintf(path, sizeof(path), "%s/class/dmi/id/sys_vendor", sysfs);
	read_line(path, vendor, sizeof(vendor));
	if (!strcmp(vendor, "QEMU") || !strcmp(meta->accel, "tcg"))
		snprintf(meta->target, sizeof(meta->target), "qemu");
	else if (!strcmp(meta->accel, "none"))
		snprintf(meta->target, sizeof(meta->target), "host");
	else
		snprintf(meta->target, sizeof(meta->target), "vm");
}

const char *bench_timings_note(const char *accel)
{
	if (!strcmp(accel, "tcg"))
		return "emulated (TCG): compare ratios within this run and exact counts, never absolute times";
	if (!strcmp(accel, "none"))
		return "hardware";
	return "virtualised: absolute times include the hypervisor's overhead";
}

/* ---- the report context ------------------------------------------------ */

/* How a field is stored in struct bench_meta, and so written to bench.json. */
enum kind {
	STR,	/* char[]: string */
	OPT,	/* char[]: string, null when empty */
	HEX16,	/* uint16_t: "%04x" string */
	INT,	/* int: integer */
	U32,	/* uint32_t: integer */
	U64,	/* uint64_t: integer */
	LONG,	/* long: integer */
};

/*
 * Every field, in bench.json's order.  "device.*" go into the "device"
 * object, "test_only_injection.*" into that one (null when no path is set).
 */
static const struct field {
	const char *key;	/* report context key */
	const char *json;	/* bench.json metadata member */
	enum kind kind;
	size_t off;
} fields[] = {
#define F(name, json, kind) { "pfn_" #name, json, kind, offsetof(struct bench_meta, name) }
	F(created, "created", STR),
	F(profile, "profile", STR),
	F(repetitions, "repetitions", INT),
	F(filter, "filter", OPT),
	F(kernel_release, "kernel_release", STR),
	F(kernel_version, "kernel_version", STR),
	F(machine, "machine", STR),
	F(cpu, "cpu", STR),
	F(cpus, "cpus", LONG),
	F(target, "target", STR),
	F(accel, "accel", STR),
	F(accel_source, "accel_source", STR),
	F(target_bdf, "device.bdf", STR),
	F(vendor, "device.vendor", HEX16),
	F(device, "device.device", HEX16),
	F(bar, "device.bar", U32),
	F(bar_size, "device.bar_size", U64),
	F(dma_bdf, "dma_device", STR),
	F(inject_path, "test_only_injection.path", OPT),
	F(inject_us, "test_only_injection.delay_us", U64),
#undef F
};

#define NFIELDS (sizeof(fields) / sizeof(fields[0]))
#define VAL_MAX 256

static bool is_number(enum kind kind)
{
	return kind >= INT;
}

static void field_value(const struct bench_meta *m, const struct field *f, char *v, size_t len)
{
	const void *p = (const char *)m + f->off;

	switch (f->kind) {
	case STR:
	case OPT:
		snprintf(v, len, "%s", (const char *)p);
		break;
	case HEX16:
		snprintf(v, len, "%04x", *(const uint16_t *)p);
		break;
	case INT:
		snprintf(v, len, "%d", *(const int *)p);
		break;
	case U32:
		snprintf(v, len, "%" PRIu32, *(const uint32_t *)p);
		break;
	case U64:
		snprintf(v, len, "%" PRIu64, *(const uint64_t *)p);
		break;
	case LONG:
		snprintf(v, len, "%ld", *(const long *)p);
		break;
	}
}

int bench_meta_publish(const struct bench_meta *meta)
{
	char v[VAL_MAX];
	int ret;

	for (size_t i = 0; i < NFIELDS; i++) {
		field_value(meta, &fields[i], v, sizeof(v));
		ret = pfnbench_add_context(fields[i].key, v);
		if (ret)
			return ret;
	}
	return 0;
}

static void write_value(struct pfn_json *j, const char *key, enum kind kind, const char *v)
{
	pfn_json_key(j, key);
	if (is_number(kind))
		pfn_json_int(j, strtoll(v, NULL, 10));
	else if (kind == OPT && !v[0])
		pfn_json_null(j);
	else
		pfn_json_string(j, v);
}

void bench_meta_write(struct pfn_json *j, const struct bench_meta *meta, const char *gbench_file,
		      const char *build_type)
{
	char vals[NFIELDS][VAL_MAX];
	const char *inject_path = meta->inject_path, *accel = "unknown";

	for (size_t i = 0; i < NFIELDS; i++)
		field_value(meta, &fields[i], vals[i], VAL_MAX);

	pfn_json_object_begin(j);
	for (size_t i = 0; i < NFIELDS; i++) {
		const char *json = fields[i].json;

		if (!strncmp(json, "device.", 7) || !strncmp(json, "test_only_injection.", 20))
			continue;
		write_value(j, json, fields[i].kind, vals[i]);
		if (!strcmp(json, "accel"))
			accel = vals[i];
		if (!strcmp(json, "accel_source"))
			pfn_json_kv_string(j, "timings", bench_timings_note(accel));
	}
	pfn_json_key(j, "device");
	pfn_json_object_begin(j);
	for (size_t i = 0; i < NFIELDS; i++)
		if (!strncmp(fields[i].json, "device.", 7))
			write_value(j, fields[i].json + 7, fields[i].kind, vals[i]);
	pfn_json_object_end(j);
	pfn_json_kv_string(j, "gbench_json", gbench_file);
	pfn_json_kv_string(j, "gbench_library_build_type", build_type);
	pfn_json_key(j, "test_only_injection");
	if (inject_path[0]) {
		pfn_json_object_begin(j);
		for (size_t i = 0; i < NFIELDS; i++)
			if (!strncmp(fields[i].json, "test_only_injection.", 20))
				write_value(j, fields[i].json + 20, fields[i].kind, vals[i]);
		pfn_json_object_end(j);
	} else {
		pfn_json_null(j);
	}
	pfn_json_object_end(j);
}
