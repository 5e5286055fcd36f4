/**
 * @file random.h
 * @brief The counter-based generator, on the host.
 *
 * Philox4x32-10 (Salmon et al., "Parallel random numbers: as easy as 1, 2, 3", SC 2011),
 * the same generator the kernels run, so tests can predict every device value. A value
 * is a pure function of (seed, stream, index): no state, any order, any device. */
#ifndef CLNUM_RANDOM_H
#define CLNUM_RANDOM_H

#include "clnum/export.h"

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/**
 * @brief One Philox4x32-10 block: counter[4] and key[2] in, four 32-bit words out.
 * @param counter the 128-bit counter. @param key the 64-bit key.
 * @param[out] out the four words.
 */
CLN_API void cln_philox4x32_10(const uint32_t counter[4], const uint32_t key[2], uint32_t out[4]);

/**
 * @brief Raw word `index` of a stream: block index / 4 with counter (index/4 low,
 * index/4 high, stream, 0) and key (seed low, seed high), word index % 4.
 * @param seed the key. @param stream the stream. @param index which word.
 * @return the word.
 */
CLN_API uint32_t cln_philox_u32(uint64_t seed, uint32_t stream, uint64_t index);

/**
 * @brief Standard normal value `index` of a stream, by Box-Muller on the block's words
 * (w0, w1) -> values 0 and 1, (w2, w3) -> values 2 and 3. Computed in double.
 * @param seed the key. @param stream the stream. @param index which value.
 * @return the value.
 */
CLN_API double cln_philox_normal(uint64_t seed, uint32_t stream, uint64_t index);

/**
 * @brief Uniform in (0, 1) from a word: ((w >> 9) + 0.5) / 2^23, exact in float and
 * double, as the kernels compute it.
 * @param word a raw word (cln_philox_u32()).
 * @return the value in (0, 1).
 */
CLN_API double cln_philox_uniform(uint32_t word);

#ifdef __cplusplus
}
#endif
#endif
