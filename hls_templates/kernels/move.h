// move: materialises a view (view.h) as a tensor, one beat of lanes per cycle. Runs the data
// movement the other kernels cannot read through their view (inputs of deform/add, ARM ops and
// network outputs) on the fabric instead of the ARM.
#ifndef ACCEL_MOVE_H
#define ACCEL_MOVE_H

#include "view.h"

template <class CFG>
void move_pass(hls::stream<axis_word> &in0, hls::stream<axis_word> &in1, hls::stream<axis_word> &out, const regs_t &r) {
#pragma HLS DATAFLOW
    hls::stream<ivec<LANES>, CFG::DEPTH_IN> s_v("move.view");
    const int pixels = r.in_h * r.in_w;
    ACCEL_DATAFLOW_BEGIN
    ACCEL_PROCESS((read_view<CFG::MAX_C, CFG::MAX_SRC_C, CFG::MAX_SRC_W, CFG::UP_MAX, CFG::MAX_PIX>(in0, in1, s_v, r)));
    ACCEL_PROCESS((write_beats<LANES, LANES, ACT_BITS, CFG::MAX_C, CFG::MAX_PIX>(s_v, out, pixels, r.in_c)));
    ACCEL_DATAFLOW_END
}

#endif
