/*
 * CRC-32 as zlib's crc32() computes it (the frame checksum of spec section
 * 2), faster where the CPU can multiply without carries. crc_update(0, ...)
 * starts one.
 */
#ifndef CRC_H
#define CRC_H

#include <stddef.h>
#include <stdint.h>

uint32_t crc_update(uint32_t crc, const void *, size_t);

#endif
