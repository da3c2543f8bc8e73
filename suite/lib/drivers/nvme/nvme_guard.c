// SPDX-License-Identifier: GPL-2.0-only
/*
 * Is a namespace in use?  The NVMe DMA driver overwrites the first LBAs of
 * its namespace; before it does (unless the caller allowed destruction) it
 * reads them and refuses when they hold a partition table or a filesystem
 * or volume signature.  A false "in use" costs a flag; a missed one costs
 * someone's disk, so the list errs on the side of refusing.
 */
#include <string.h>

#include "nvme_logic.h"

/* @magic (of @n bytes) at @off, wholly inside @len? */
static bool has(const uint8_t *buf, size_t len, size_t off, const void *magic, size_t n)
{
	return off <= len && len - off >= n && !memcmp(buf + off, magic, n);
}

static uint64_t le64_at(const uint8_t *p)
{
	uint64_t v = 0;

	for (int i = 7; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

static uint32_t le32_at(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

/*
 * An MBR: the 0x55AA boot signature, four entries with valid boot flags
 * (0x00 or 0x80) and at least one in use (type and size non-zero).  The
 * flags keep random data (an earlier run's test pattern) from passing.
 */
static bool mbr_partitioned(const uint8_t *buf, size_t len)
{
	static const uint8_t sig[] = { 0x55, 0xaa };
	bool used = false;

	if (!has(buf, len, 510, sig, 2))
		return false;
	for (int i = 0; i < 4; i++) {
		const uint8_t *e = buf + 446 + 16 * i;

		if (e[0] != 0x00 && e[0] != 0x80)
			return false;
		if (e[4] && le32_at(e + 12))
			used = true;
	}
	return used;
}

/* ext2/3/4: magic 0xEF53 at 1080 and a block size of at most 64 KiB. */
static bool ext_superblock(const uint8_t *buf, size_t len)
{
	static const uint8_t magic[] = { 0x53, 0xef };	/* little endian */

	return has(buf, len, 1080, magic, 2) && le32_at(buf + 1024 + 24) <= 6;
}

/* A ZFS vdev label: an uberblock (magic 0x00bab10c) in label 0's ring at 128 KiB. */
static bool zfs_label(const uint8_t *buf, size_t len)
{
	for (size_t off = 128 << 10; off + 8 <= len && off < (256u << 10); off += 1024) {
		uint64_t v = le64_at(buf + off);

		if (v == 0x00bab10cull || v == 0x0cb1ba0000000000ull)
			return true;
	}
	return false;
}

/* Linux swap: the signature in the last 10 bytes of the first page. */
static bool swap_space(const uint8_t *buf, size_t len)
{
	static const size_t pages[] = { 4096, 8192, 16384, 65536 };

	for (size_t i = 0; i < sizeof(pages) / sizeof(pages[0]); i++)
		if (has(buf, len, pages[i] - 10, "SWAPSPACE2", 10) ||
		    has(buf, len, pages[i] - 10, "SWAP-SPACE", 10))
			return true;
	return false;
}

/* An LVM2 physical volume: "LABELONE" at the start of one of sectors 0..3. */
static bool lvm2_label(const uint8_t *buf, size_t len)
{
	for (size_t s = 0; s < 4; s++)
		if (has(buf, len, s * 512, "LABELONE", 8))
			return true;
	return false;
}

const char *pfn_nvme_disk_signature(const uint8_t *buf, size_t len, uint32_t lba_size)
{
	static const uint8_t luks1[] = { 'L', 'U', 'K', 'S', 0xba, 0xbe };
	static const uint8_t luks2[] = { 'S', 'K', 'U', 'L', 0xba, 0xbe };

	/* GPT before MBR: a GPT disk also has a protective MBR. */
	if (has(buf, len, lba_size, "EFI PART", 8) ||
	    (lba_size != 512 && has(buf, len, 512, "EFI PART", 8)))
		return "a GPT partition table";
	if (has(buf, len, 0, luks1, sizeof(luks1)) || has(buf, len, 0, luks2, sizeof(luks2)))
		return "a LUKS encrypted volume";
	if (has(buf, len, 0, "XFSB", 4))
		return "an XFS filesystem";
	if (ext_superblock(buf, len))
		return "an ext2/3/4 filesystem";
	if (has(buf, len, 0x10040, "_BHRfS_M", 8))
		return "a btrfs filesystem";
	if (lvm2_label(buf, len))
		return "an LVM2 physical volume";
	if (swap_space(buf, len))
		return "a swap area";
	if (has(buf, len, 0x8001, "CD001", 5))
		return "an ISO 9660 filesystem";
	if (zfs_label(buf, len))
		return "a ZFS pool member";
	if (has(buf, len, 3, "NTFS    ", 8))
		return "an NTFS filesystem";
	if (has(buf, len, 3, "EXFAT   ", 8))
		return "an exFAT filesystem";
	if (has(buf, len, 54, "FAT1", 4) || has(buf, len, 82, "FAT32   ", 8))
		return "a FAT filesystem";
	if (mbr_partitioned(buf, len))
		return "an MBR partition table";
	return NULL;
}
