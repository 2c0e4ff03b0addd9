// Depthwise k x k and deformable depthwise 3x3 convolution: PO channels in parallel.
//
// dwconv: output (h, x) reads rows h*s - p + i, columns x*s - p + j from a k-row line buffer.
// deform (CoDeNet, square, bounded, integer offsets): with d = min(offset[h, x], N) it reads rows
// h*s + (i-1)*d and columns x*s + (j-1)*d from a 2N+1-row line buffer; the three tap rows are
// three line-buffer read ports. Rows and columns outside the image read as zero, d = N included
// at the first and last rows and columns.
//
// With PACK two horizontally adjacent output pixels share each weight: one 27x18 multiply
// computes ((a(x) << 18) + a(x+1)) * w.
#ifndef ACCEL_DEPTHWISE_H
#define ACCEL_DEPTHWISE_H

#include "linebuf.h"
#include "view.h"

template <class CFG, bool DEFORM>
void depthwise_compute(hls::stream<ivec<LANES> > &in, hls::stream<ivec<LANES> > &offs,
                       hls::stream<ivec<CFG::PO> > &out, const int16_t *w, const regs_t r) {
    static linebuf<CFG::ROWS, CFG::MAX_W, CFG::MAX_C, CFG::MAX_LINE> lb;
    lb.H = r.in_h;
    lb.W = r.in_w;
    lb.C = r.in_c;
    const int k = DEFORM ? 3 : r.kernel, s = r.stride, C = r.in_c;
    const int n = r.max_offset;
    // rows an output row needs above its centre row, and the span of rows it needs
    const int top = DEFORM ? n : r.pad;
    const int span = DEFORM ? 2 * n + 1 : k;
    const int blocks = ceil_div(C, CFG::PO);
    int32_t res[2][CFG::MAX_C + CFG::PO];
    int h = 0;
    for (int y = 0; y < r.in_h; y++) {
#pragma HLS LOOP_TRIPCOUNT min = 1 max = CFG::MAX_H
        lb.read_row(in, y);
        for (; h < r.out_h && (h * s - top + span - 1 < r.in_h - 1 ? h * s - top + span - 1 : r.in_h - 1) <= y; h++) {
#pragma HLS LOOP_TRIPCOUNT min = 0 max = CFG::ROWS
            for (int x0 = 0; x0 < r.out_w; x0 += 2) {
#pragma HLS LOOP_TRIPCOUNT min = 1 max = CFG::MAX_W / 2
                const int npx = x0 + 1 < r.out_w ? 2 : 1;
                int d[2] = {1, 1};
                if (DEFORM) {
                    for (int q = 0; q < npx; q++) {
#pragma HLS LOOP_TRIPCOUNT min = 1 max = 2
                        int o = offs.read().v[0];
                        d[q] = o < n ? o : n;
                    }
                }
                for (int cb = 0; cb < blocks; cb++) {
#pragma HLS LOOP_TRIPCOUNT min = 1 max = (CFG::MAX_C + CFG::PO - 1) / CFG::PO
                    // PO channels in parallel, one tap per cycle; with PACK one DSP per channel
                    // computes both pixels: ((a(x) << 18) + a(x+1)) * w
                    int32_t acc[2][CFG::PO];
                    int64_t packed[CFG::PO];
#pragma HLS ARRAY_PARTITION variable = acc complete dim = 0
#pragma HLS ARRAY_PARTITION variable = packed complete
                    for (int po = 0; po < CFG::PO; po++) {
                        acc[0][po] = acc[1][po] = 0;
                        packed[po] = 0;
                    }
                    int count = 0;
                    for (int i = 0; i < k; i++) {
#pragma HLS LOOP_TRIPCOUNT min = 1 max = CFG::K_MAX
                        for (int j = 0; j < k; j++) {
#pragma HLS LOOP_TRIPCOUNT min = 1 max = CFG::K_MAX
#pragma HLS PIPELINE II = 1
                            // tap positions of both pixels: three line-buffer rows for deform
                            int yy[2], xx[2];
                            for (int q = 0; q < 2; q++) {
                                yy[q] = DEFORM ? h * s + (i - 1) * d[q] : h * s - r.pad + i;
                                xx[q] = DEFORM ? (x0 + q) * s + (j - 1) * d[q] : (x0 + q) * s - r.pad + j;
                            }
                            for (int po = 0; po < CFG::PO; po++) {
#pragma HLS UNROLL
                                const int c = cb * CFG::PO + po;
                                if (c >= C) continue;
                                const int32_t a0 = lb.at(yy[0], xx[0], c);
                                const int32_t a1 = npx > 1 ? lb.at(yy[1], xx[1], c) : 0;
                                const int32_t wt = w[(c * k + i) * k + j];
                                if (CFG::PACK) {
                                    packed[po] += pack_mul(a0, a1, wt);
                                } else {
                                    acc[0][po] += a0 * wt;
                                    acc[1][po] += a1 * wt;
                                }
                            }
                            if (CFG::PACK && (++count == CFG::PACK_DEPTH || (i == k - 1 && j == k - 1))) {
                                for (int po = 0; po < CFG::PO; po++) {
#pragma HLS UNROLL
                                    int32_t hi, lo;
                                    pack_split(packed[po], hi, lo);
                                    acc[0][po] += hi;
                                    acc[1][po] += lo;
                                    packed[po] = 0;
                                }
                                count = 0;
                            }
                        }
                    }
                    for (int po = 0; po < CFG::PO; po++) {
                        res[0][cb * CFG::PO + po] = acc[0][po];
                        res[1][cb * CFG::PO + po] = acc[1][po];
                    }
                }
                for (int q = 0; q < npx; q++) {
#pragma HLS LOOP_TRIPCOUNT min = 1 max = 2
                    for (int cb = 0; cb < blocks; cb++) {
#pragma HLS LOOP_TRIPCOUNT min = 1 max = (CFG::MAX_C + CFG::PO - 1) / CFG::PO
                        ivec<CFG::PO> v;
                        for (int po = 0; po < CFG::PO; po++) v.v[po] = res[q][cb * CFG::PO + po];
                        out.write(v);
                    }
                }
            }
        }
    }
}

template <class CFG, bool DEFORM>
void depthwise_dataflow(hls::stream<axis_word> &in0, hls::stream<axis_word> &in1, hls::stream<axis_word> &out,
                        const regs_t &r, const int16_t *w, const qparam_t *q) {
#pragma HLS DATAFLOW
    hls::stream<ivec<LANES>, CFG::DEPTH_IN> s_in("depthwise.in");
    hls::stream<ivec<LANES>, CFG::DEPTH_IN> s_off("depthwise.offsets");
    hls::stream<ivec<CFG::PO>, CFG::DEPTH_ACC> s_acc("depthwise.acc");
    hls::stream<ivec<CFG::PO>, CFG::DEPTH_OUT> s_out("depthwise.out");
    const int in_pix = r.in_h * r.in_w, out_pix = r.out_h * r.out_w;
    ACCEL_DATAFLOW_BEGIN
    if (DEFORM) {
        ACCEL_PROCESS((read_beats<LANES, ACT_BITS, CFG::MAX_PIX>(in0, s_in, in_pix, r.in_c, r.in_signed & 1)));
        ACCEL_PROCESS((read_beats<LANES, ACT_BITS, CFG::MAX_PIX>(in1, s_off, out_pix, 1, (r.in_signed >> 1) & 1)));
    } else {
        ACCEL_PROCESS((read_view<CFG::MAX_C, CFG::MAX_SRC_C, CFG::MAX_SRC_W, CFG::UP_MAX, CFG::MAX_PIX>(in0, in1, s_in, r)));
    }
    ACCEL_PROCESS((depthwise_compute<CFG, DEFORM>(s_in, s_off, s_acc, w, r)));
    ACCEL_PROCESS((requant_stage<CFG::PO, CFG::MAX_OUT_C, CFG::MAX_PIX>(s_acc, s_out, q, out_pix, r.out_c, r.out_lo, r.out_hi)));
    ACCEL_PROCESS((write_beats<CFG::PO, LANES, ACT_BITS, CFG::MAX_OUT_C, CFG::MAX_PIX>(s_out, out, out_pix, r.out_c)));
    ACCEL_DATAFLOW_END
}

template <class CFG, bool DEFORM>
void depthwise_pass(hls::stream<axis_word> &in0, hls::stream<axis_word> &in1, hls::stream<axis_word> &out,
                    const regs_t &r, const word_t *mem) {
    static int16_t w[CFG::MAX_WEIGHTS];
    static qparam_t q[CFG::MAX_OUT_C];
    const int k = DEFORM ? 3 : r.kernel;
    load_weights<CFG::MAX_WEIGHTS, W_BITS>(mem, r.w_offset, r.in_c * k * k, w);
    load_qparams<CFG::MAX_OUT_C>(mem, r.q_offset, r.out_c, q);
    depthwise_dataflow<CFG, DEFORM>(in0, in1, out, r, w, q);
}

#endif
