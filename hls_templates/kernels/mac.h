// The MAC array: PO output channels, each a reduction over n products of one activation vector
// with that channel's weights, PI products per cycle. With PACK, output channels pair up and one
// 27x18 multiply computes both products (accel_common.h pack_mul); the packed sums are split
// every PACK_DEPTH products, the most a lane can take before a carry could reach its neighbour
// (derived in generator/hw/packing.py).
#ifndef ACCEL_MAC_H
#define ACCEL_MAC_H

#include "accel_common.h"

// acc[po] = sum_t w[(o0 + po) * wstride + t] * act[t], t < n, for o0 + po < K.
// One iteration of the pipelined loop takes PI activations; every (pi, channel pair) has its own
// DSP and accumulator, split into the two lanes every PACK_DEPTH products.
template <int PI, int PO, bool PACK, int PACK_DEPTH, int MAXN>
void mac_block(const int32_t *act, int n, const int16_t *w, int wstride, int o0, int K, int32_t acc[PO]) {
#pragma HLS INLINE
    const int PAIRS = (PO + 1) / 2;
    int32_t sum[PO];
    int64_t packed[PI][PAIRS];
#pragma HLS ARRAY_PARTITION variable = sum complete
#pragma HLS ARRAY_PARTITION variable = packed complete dim = 0
    for (int po = 0; po < PO; po++) sum[po] = 0;
    for (int pi = 0; pi < PI; pi++)
        for (int pr = 0; pr < PAIRS; pr++) packed[pi][pr] = 0;
    int count = 0;
    for (int t0 = 0; t0 < n; t0 += PI) {
#pragma HLS LOOP_TRIPCOUNT min = 1 max = (MAXN + PI - 1) / PI
#pragma HLS PIPELINE II = 1
        for (int pi = 0; pi < PI; pi++) {
#pragma HLS UNROLL
            const int t = t0 + pi;
            if (t >= n) continue;
            const int32_t a = act[t];
            if (PACK) {
                for (int pr = 0; pr < PAIRS; pr++) {
#pragma HLS UNROLL
                    const int oa = o0 + 2 * pr, ob = oa + 1;
                    const int32_t wa = oa < K ? w[oa * wstride + t] : 0;
                    const int32_t wb = ob < K ? w[ob * wstride + t] : 0;
                    packed[pi][pr] += pack_mul(wa, wb, a);
                }
            } else {
                for (int po = 0; po < PO; po++) {
#pragma HLS UNROLL
                    const int o = o0 + po;
                    if (o < K) sum[po] += w[o * wstride + t] * a;
                }
            }
        }
        if (PACK && (++count == PACK_DEPTH || t0 + PI >= n)) {
            for (int pi = 0; pi < PI; pi++) {
#pragma HLS UNROLL
                for (int pr = 0; pr < PAIRS; pr++) {
#pragma HLS UNROLL
                    int32_t hi, lo;
                    pack_split(packed[pi][pr], hi, lo);
                    sum[2 * pr] += hi;
                    if (2 * pr + 1 < PO) sum[2 * pr + 1] += lo;
                    packed[pi][pr] = 0;
                }
            }
            count = 0;
        }
    }
    for (int po = 0; po < PO; po++) acc[po] = sum[po];
}

#endif
