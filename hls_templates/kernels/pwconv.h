// 1x1 convolution: PI x PO MAC array, each input pixel broadcast to PO reduction trees.
#ifndef ACCEL_PWCONV_H
#define ACCEL_PWCONV_H

#include "mac.h"
#include "view.h"

template <class CFG>
void pwconv_compute(hls::stream<ivec<LANES> > &in, hls::stream<ivec<CFG::PO> > &out, const int16_t *w,
                    int pixels, int C, int K) {
    int32_t x[CFG::MAX_C + LANES];
    for (int p = 0; p < pixels; p++) {
#pragma HLS LOOP_TRIPCOUNT min = 1 max = CFG::MAX_PIX
        for (int b = 0; b < ceil_div(C, LANES); b++) {
#pragma HLS LOOP_TRIPCOUNT min = 1 max = (CFG::MAX_C + LANES - 1) / LANES
            ivec<LANES> v = in.read();
            for (int l = 0; l < LANES; l++) x[b * LANES + l] = v.v[l];
        }
        for (int kb = 0; kb < ceil_div(K, CFG::PO); kb++) {
#pragma HLS LOOP_TRIPCOUNT min = 1 max = (CFG::MAX_OUT_C + CFG::PO - 1) / CFG::PO
            ivec<CFG::PO> acc;
            mac_block<CFG::PI, CFG::PO, CFG::PACK, CFG::PACK_DEPTH, CFG::MAX_C>(x, C, w, C, kb * CFG::PO, K, acc.v);
            out.write(acc);
        }
    }
}

template <class CFG>
void pwconv_dataflow(hls::stream<axis_word> &in0, hls::stream<axis_word> &in1, hls::stream<axis_word> &out, const regs_t &r,
                     const int16_t *w, const qparam_t *q) {
#pragma HLS DATAFLOW
    hls::stream<ivec<LANES>, CFG::DEPTH_IN> s_in("pwconv.in");
    hls::stream<ivec<CFG::PO>, CFG::DEPTH_ACC> s_acc("pwconv.acc");
    hls::stream<ivec<CFG::PO>, CFG::DEPTH_OUT> s_out("pwconv.out");
    const int pixels = r.in_h * r.in_w;
    ACCEL_DATAFLOW_BEGIN
    ACCEL_PROCESS((read_view<CFG::MAX_C, CFG::MAX_SRC_C, CFG::MAX_SRC_W, CFG::UP_MAX, CFG::MAX_PIX>(in0, in1, s_in, r)));
    ACCEL_PROCESS((pwconv_compute<CFG>(s_in, s_acc, w, pixels, r.in_c, r.out_c)));
    ACCEL_PROCESS((requant_stage<CFG::PO, CFG::MAX_OUT_C, CFG::MAX_PIX>(s_acc, s_out, q, pixels, r.out_c, r.out_lo, r.out_hi)));
    ACCEL_PROCESS((write_beats<CFG::PO, LANES, ACT_BITS, CFG::MAX_OUT_C, CFG::MAX_PIX>(s_out, out, pixels, r.out_c)));
    ACCEL_DATAFLOW_END
}

template <class CFG>
void pwconv_pass(hls::stream<axis_word> &in0, hls::stream<axis_word> &in1, hls::stream<axis_word> &out, const regs_t &r, const word_t *mem) {
    static int16_t w[CFG::MAX_WEIGHTS];
    static qparam_t q[CFG::MAX_OUT_C];
    load_weights<CFG::MAX_WEIGHTS, W_BITS>(mem, r.w_offset, r.out_c * r.in_c, w);
    load_qparams<CFG::MAX_OUT_C>(mem, r.q_offset, r.out_c, q);
    pwconv_dataflow<CFG>(in0, in1, out, r, w, q);
}

#endif
