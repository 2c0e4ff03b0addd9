// Residual add (HAWQ-V3 INT32 add): y = clamp((a*ma + b*mb + r) >> shift, lo, hi), LANES
// channels per cycle straight from the two input streams.
#ifndef ACCEL_ADD_H
#define ACCEL_ADD_H

#include "accel_common.h"

template <class CFG>
void add_compute(hls::stream<ivec<LANES> > &a, hls::stream<ivec<LANES> > &b, hls::stream<ivec<LANES> > &out,
                 const regs_t r) {
    const int per = ceil_div(r.in_c, LANES);
    const int64_t rnd = r.add_shift > 0 ? ((int64_t)1 << (r.add_shift - 1)) : 0;
ADD_PIX:
    for (int p = 0; p < r.in_h * r.in_w; p++) {
#pragma HLS LOOP_TRIPCOUNT min = 1 max = CFG::MAX_PIX
        for (int bt = 0; bt < per; bt++) {
#pragma HLS PIPELINE II = 1
            ivec<LANES> va = a.read(), vb = b.read(), y;
            for (int l = 0; l < LANES; l++) {
                int64_t s = ((int64_t)va.v[l] * (uint32_t)r.add_ma + (int64_t)vb.v[l] * (uint32_t)r.add_mb + rnd) >> r.add_shift;
                y.v[l] = (bt * LANES + l < r.in_c) ? (int32_t)(s < r.out_lo ? r.out_lo : (s > r.out_hi ? r.out_hi : s)) : 0;
            }
            out.write(y);
        }
    }
}

template <class CFG>
void add_pass(hls::stream<axis_word> &in0, hls::stream<axis_word> &in1, hls::stream<axis_word> &out, const regs_t &r) {
#pragma HLS DATAFLOW
    hls::stream<ivec<LANES>, CFG::DEPTH_IN> s_a("add.a");
    hls::stream<ivec<LANES>, CFG::DEPTH_IN> s_b("add.b");
    hls::stream<ivec<LANES>, CFG::DEPTH_OUT> s_y("add.y");
    const int pixels = r.in_h * r.in_w;
    ACCEL_DATAFLOW_BEGIN
    ACCEL_PROCESS((read_beats<LANES, ACT_BITS, CFG::MAX_PIX>(in0, s_a, pixels, r.in_c, r.in_signed & 1)));
    ACCEL_PROCESS((read_beats<LANES, ACT_BITS, CFG::MAX_PIX>(in1, s_b, pixels, r.in_c, (r.in_signed >> 1) & 1)));
    ACCEL_PROCESS((add_compute<CFG>(s_a, s_b, s_y, r)));
    ACCEL_PROCESS((write_beats<LANES, LANES, ACT_BITS, CFG::MAX_OUT_C, CFG::MAX_PIX>(s_y, out, pixels, r.in_c)));
    ACCEL_DATAFLOW_END
}

#endif
