/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The test frames: an Ethernet header, a header of our own (magic, run id,
 * sequence number, length) and a payload pattern derived from the run id
 * and the sequence number, closed by an FNV-1a checksum.  A received frame
 * is judged whole: header, length, checksum and every payload byte.  Pure
 * code (no DPDK), unit-tested on the host.
 */
#ifndef PFNDPDK_FRAME_H
#define PFNDPDK_FRAME_H

#include <stddef.h>
#include <stdint.h>

/* A local experimental EtherType (IEEE 802 "Local Experimental 1"). */
#define PDPDK_ETHERTYPE		0x88b5
#define PDPDK_MAGIC		0x444e4650u	/* "PFND" little-endian */
#define PDPDK_ETH_HDR		14
/* Ethernet header + magic, run, seq, len. */
#define PDPDK_HDR_LEN		(PDPDK_ETH_HDR + 4 + 4 + 8 + 2)
#define PDPDK_SUM_LEN		4
/* Frame sizes count the 4-byte FCS the NIC adds: 64 .. 1518. */
#define PDPDK_FCS_LEN		4
#define PDPDK_FRAME_MIN		64
#define PDPDK_FRAME_MAX		1518

/**
 * enum pdpdk_verdict - what a received frame holds
 * @PDPDK_FRAME_OK: the frame that was sent, byte for byte
 * @PDPDK_FRAME_FOREIGN: not one of ours (other EtherType or magic)
 * @PDPDK_FRAME_STALE: ours, from another run
 * @PDPDK_FRAME_BAD_LEN: its length is not the one it says it has
 * @PDPDK_FRAME_BAD_SUM: its checksum does not match its bytes
 * @PDPDK_FRAME_BAD_DATA: checksum right, payload not the pattern
 */
enum pdpdk_verdict {
	PDPDK_FRAME_OK,
	PDPDK_FRAME_FOREIGN,
	PDPDK_FRAME_STALE,
	PDPDK_FRAME_BAD_LEN,
	PDPDK_FRAME_BAD_SUM,
	PDPDK_FRAME_BAD_DATA,
};

/** pdpdk_frame_data_len() - bytes the CPU writes for a @frame_size frame (no FCS). */
size_t pdpdk_frame_data_len(unsigned int frame_size);

/**
 * pdpdk_frame_build() - write frame @seq of run @run
 * @buf: @len bytes (pdpdk_frame_data_len() of the frame size)
 * @len: data length, at least PDPDK_HDR_LEN + PDPDK_SUM_LEN
 * @dst: destination MAC (6 bytes)
 * @src: source MAC (6 bytes)
 * @run: this run's id
 * @seq: the frame's sequence number
 */
void pdpdk_frame_build(volatile uint8_t *buf, size_t len, const uint8_t *dst,
		       const uint8_t *src, uint32_t run, uint64_t seq);

/**
 * pdpdk_frame_check() - judge a received frame
 * @buf: its bytes
 * @len: its data length as received
 * @run: the run it must belong to
 * @seq: receives its sequence number (when the header is ours)
 *
 * Return: the verdict.
 */
enum pdpdk_verdict pdpdk_frame_check(const volatile uint8_t *buf, size_t len, uint32_t run,
				     uint64_t *seq);

/** pdpdk_verdict_name() - "ok", "foreign", "stale", "bad_len", "bad_sum", "bad_data". */
const char *pdpdk_verdict_name(enum pdpdk_verdict v);

#endif /* PFNDPDK_FRAME_H */
