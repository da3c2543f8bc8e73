// SPDX-License-Identifier: GPL-2.0-only
/* Facts about the machine the suite runs on, for result metadata. */
#include <stdio.h>
#include <string.h>

#include "pfn/host.h"

void pfn_host_cpu_model(char *buf, size_t len)
{
	char line[256];
	FILE *f = fopen("/proc/cpuinfo", "re");

	snprintf(buf, len, "unknown");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		char *colon = strchr(line, ':');

		if (!strncmp(line, "model name", 10) && colon) {
			line[strcspn(line, "\n")] = '\0';
			snprintf(buf, len, "%s", colon + 2);
			break;
		}
	}
	fclose(f);
}
