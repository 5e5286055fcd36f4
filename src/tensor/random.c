/* Philox4x32-10 on the host: the twin of cl/runtime/common.cl's generator. */
#include <math.h>

#include "clnum/random.h"

void cln_philox4x32_10(const uint32_t counter[4], const uint32_t key[2], uint32_t out[4])
{
    uint32_t c0 = counter[0], c1 = counter[1], c2 = counter[2], c3 = counter[3];
    uint32_t k0 = key[0], k1 = key[1];
    for (int round = 0; round < 10; round++) {
        if (round > 0) {
            k0 += 0x9E3779B9u;
            k1 += 0xBB67AE85u;
        }
        uint64_t p0 = (uint64_t)0xD2511F53u * c0;
        uint64_t p1 = (uint64_t)0xCD9E8D57u * c2;
        uint32_t n0 = (uint32_t)(p1 >> 32) ^ c1 ^ k0;
        uint32_t n2 = (uint32_t)(p0 >> 32) ^ c3 ^ k1;
        c0 = n0;
        c1 = (uint32_t)p1;
        c2 = n2;
        c3 = (uint32_t)p0;
    }
    out[0] = c0;
    out[1] = c1;
    out[2] = c2;
    out[3] = c3;
}

static void block_words(uint64_t seed, uint32_t stream, uint64_t block, uint32_t w[4])
{
    const uint32_t counter[4] = {(uint32_t)block, (uint32_t)(block >> 32), stream, 0};
    const uint32_t key[2] = {(uint32_t)seed, (uint32_t)(seed >> 32)};
    cln_philox4x32_10(counter, key, w);
}

uint32_t cln_philox_u32(uint64_t seed, uint32_t stream, uint64_t index)
{
    uint32_t w[4];
    block_words(seed, stream, index / 4, w);
    return w[index % 4];
}

double cln_philox_uniform(uint32_t word) { return ((word >> 9) + 0.5) / 8388608.0; }

double cln_philox_normal(uint64_t seed, uint32_t stream, uint64_t index)
{
    uint32_t w[4];
    block_words(seed, stream, index / 4, w);
    unsigned pair = (unsigned)(index % 4) / 2;
    double r = sqrt(-2.0 * log(cln_philox_uniform(w[2 * pair])));
    double t = 2.0 * 3.14159265358979323846 * cln_philox_uniform(w[2 * pair + 1]);
    return index % 2 == 0 ? r * cos(t) : r * sin(t);
}
