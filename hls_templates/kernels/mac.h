// The MAC array: PO output channels, each a reduction over n products of one activation vector
// with that channel's weights, PI products per cycle. With PACK, output channels pair up and one
// 27x18 multiply computes both products (accel_common.h pack_mul); the packed sums are split
// every PACK_DEPTH products, the most a lane can take before a carry could reach its neighbour
// (derived in generator/hw/packing.py).
#ifndef ACCEL_MAC_H
#define ACCEL_MAC_H

#include "accel_common.h"

// acc[po] = sum_t w[(o0 + po) * wstride + t] * act[t], t < n, for o0 + po < K.
template <int PI, int PO, bool PACK, int PACK_DEPTH>
void mac_block(const int32_t *act, int n, const int16_t *w, int wstride, int o0, int K, int32_t acc[PO]) {
#pragma HLS INLINE
    for (int po = 0; po < PO; po++) acc[po] = 0;
    if (PACK) {
        for (int po = 0; po < PO; po += 2) {
            int oa = o0 + po, ob = o0 + po + 1;
            if (oa >= K) break;
            const int16_t *wa = w + oa * wstride;
            const int16_t *wb = ob < K ? w + ob * wstride : 0;
            int64_t s = 0;
            int count = 0;
            int32_t ha = 0, lb = 0;
        MAC_PACKED:
            for (int t = 0; t < n; t++) {
#pragma HLS PIPELINE II = 1
                s += pack_mul(wa[t], wb ? wb[t] : 0, act[t]);
                if (++count == PACK_DEPTH) {
                    int32_t hi, lo;
                    pack_split(s, hi, lo);
                    ha += hi;
                    lb += lo;
                    s = 0;
                    count = 0;
                }
            }
            int32_t hi, lo;
            pack_split(s, hi, lo);
            acc[po] = ha + hi;
            if (po + 1 < PO) acc[po + 1] = lb + lo;
        }
    } else {
        for (int po = 0; po < PO; po++) {
            int o = o0 + po;
            if (o >= K) break;
            const int16_t *wo = w + o * wstride;
            int32_t a = 0;
        MAC_PLAIN:
            for (int t = 0; t < n; t++) {
#pragma HLS PIPELINE II = 1
                a += wo[t] * act[t];
            }
            acc[po] = a;
        }
    }
}

#endif
