// k x k convolution (stride 1/2, zero padding) with a k-row line buffer and a k x k x C window
// feeding the PI x PO MAC array: lets the first layer run on the fabric.
#ifndef ACCEL_CONV_H
#define ACCEL_CONV_H

#include "linebuf.h"
#include "mac.h"
#include "view.h"

template <class CFG>
void conv_compute(hls::stream<ivec<LANES> > &in, hls::stream<ivec<CFG::PO> > &out, const int16_t *w,
                  const regs_t r) {
    static linebuf<CFG::ROWS, CFG::MAX_W, CFG::MAX_C, CFG::MAX_LINE> lb;
    lb.H = r.in_h;
    lb.W = r.in_w;
    lb.C = r.in_c;
    const int k = r.kernel, s = r.stride, p = r.pad, C = r.in_c, K = r.out_c;
    const int n = k * k * C;
    int32_t win[CFG::K_MAX * CFG::K_MAX * CFG::MAX_C];
    int h = 0;
    for (int y = 0; y < r.in_h; y++) {
#pragma HLS LOOP_TRIPCOUNT min = 1 max = CFG::MAX_H
        lb.read_row(in, y);
        // every output row whose window ends at or before row y (or the image) is ready
        for (; h < r.out_h && (h * s - p + k - 1 < r.in_h - 1 ? h * s - p + k - 1 : r.in_h - 1) <= y; h++) {
#pragma HLS LOOP_TRIPCOUNT min = 0 max = CFG::ROWS
            for (int x = 0; x < r.out_w; x++) {
#pragma HLS LOOP_TRIPCOUNT min = 1 max = CFG::MAX_W
                for (int i = 0; i < k; i++) {
#pragma HLS LOOP_TRIPCOUNT min = 1 max = CFG::K_MAX
                    for (int j = 0; j < k; j++) {
#pragma HLS LOOP_TRIPCOUNT min = 1 max = CFG::K_MAX
                        for (int c = 0; c < C; c++) {
#pragma HLS LOOP_TRIPCOUNT min = 1 max = CFG::MAX_C
                            win[(i * k + j) * C + c] = lb.at(h * s - p + i, x * s - p + j, c);
                        }
                    }
                }
                for (int kb = 0; kb < ceil_div(K, CFG::PO); kb++) {
#pragma HLS LOOP_TRIPCOUNT min = 1 max = (CFG::MAX_OUT_C + CFG::PO - 1) / CFG::PO
                    ivec<CFG::PO> acc;
                    mac_block<CFG::PI, CFG::PO, CFG::PACK, CFG::PACK_DEPTH, CFG::K_MAX * CFG::K_MAX * CFG::MAX_C>(
                        win, n, w, n, kb * CFG::PO, K, acc.v);
                    out.write(acc);
                }
            }
        }
    }
}

template <class CFG>
void conv_dataflow(hls::stream<axis_word> &in0, hls::stream<axis_word> &in1, hls::stream<axis_word> &out, const regs_t &r,
                   const int16_t *w, const qparam_t *q) {
#pragma HLS DATAFLOW
    hls::stream<ivec<LANES>, CFG::DEPTH_IN> s_in("conv.in");
    hls::stream<ivec<CFG::PO>, CFG::DEPTH_ACC> s_acc("conv.acc");
    hls::stream<ivec<CFG::PO>, CFG::DEPTH_OUT> s_out("conv.out");
    const int out_pix = r.out_h * r.out_w;
    ACCEL_DATAFLOW_BEGIN
    ACCEL_PROCESS((read_view<CFG::MAX_C, CFG::MAX_SRC_C, CFG::MAX_SRC_W, CFG::UP_MAX, CFG::MAX_PIX>(in0, in1, s_in, r)));
    ACCEL_PROCESS((conv_compute<CFG>(s_in, s_acc, w, r)));
    ACCEL_PROCESS((requant_stage<CFG::PO, CFG::MAX_OUT_C, CFG::MAX_PIX>(s_acc, s_out, q, out_pix, r.out_c, r.out_lo, r.out_hi)));
    ACCEL_PROCESS((write_beats<CFG::PO, LANES, ACT_BITS, CFG::MAX_OUT_C, CFG::MAX_PIX>(s_out, out, out_pix, r.out_c)));
    ACCEL_DATAFLOW_END
}

template <class CFG>
void conv_pass(hls::stream<axis_word> &in0, hls::stream<axis_word> &in1, hls::stream<axis_word> &out, const regs_t &r, const word_t *mem) {
    static int16_t w[CFG::MAX_WEIGHTS];
    static qparam_t q[CFG::MAX_OUT_C];
    load_weights<CFG::MAX_WEIGHTS, W_BITS>(mem, r.w_offset, r.out_c * r.kernel * r.kernel * r.in_c, w);
    load_qparams<CFG::MAX_OUT_C>(mem, r.q_offset, r.out_c, q);
    conv_dataflow<CFG>(in0, in1, out, r, w, q);
}

#endif
