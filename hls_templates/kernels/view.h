// The view reader: produces a kernel's input from the tensors in memory, folding the data
// movement between layers into the stream (generator/hw/fold.py):
//
//   V[h, w, c] = S[h / up, w / up, c_start + c],  c < in_c
//   S = in0 (src_map 0) | concat(in0, in1) (1) | shuffle of concat(in0, in1) with 2 groups (2)
//
// so channel split (slice), concat, ShuffleNetV2's shuffle and nearest upsampling cost no pass
// of their own. With up > 1 one source row is buffered and replayed up x up times.
#ifndef ACCEL_VIEW_H
#define ACCEL_VIEW_H

#include "accel_common.h"

template <int MAX_SRC_C>
void read_source_pixel(hls::stream<axis_word> &in0, hls::stream<axis_word> &in1, const regs_t &r,
                       int32_t px[MAX_SRC_C + 2 * LANES]) {
#pragma HLS INLINE
    const int c0 = r.src_c0, c1 = r.src_c1;
    int32_t a[MAX_SRC_C + LANES], b[MAX_SRC_C + LANES];
    for (int bt = 0; bt < ceil_div(c0, LANES); bt++) {
#pragma HLS LOOP_TRIPCOUNT min = 1 max = (MAX_SRC_C + LANES - 1) / LANES
#pragma HLS PIPELINE II = 1
        uint64_t d = in0.read().data.to_uint64();
        for (int l = 0; l < LANES; l++) a[bt * LANES + l] = lane_get(d, l, ACT_BITS, r.in_signed & 1);
    }
    if (r.src_map != 0) {
        for (int bt = 0; bt < ceil_div(c1, LANES); bt++) {
#pragma HLS LOOP_TRIPCOUNT min = 1 max = (MAX_SRC_C + LANES - 1) / LANES
#pragma HLS PIPELINE II = 1
            uint64_t d = in1.read().data.to_uint64();
            for (int l = 0; l < LANES; l++) b[bt * LANES + l] = lane_get(d, l, ACT_BITS, (r.in_signed >> 1) & 1);
        }
    }
    const int total = r.src_map == 0 ? c0 : c0 + c1;
    for (int c = 0; c < total; c++) {
#pragma HLS LOOP_TRIPCOUNT min = 1 max = MAX_SRC_C
#pragma HLS PIPELINE II = 1
        if (r.src_map == 0)
            px[c] = a[c];
        else if (r.src_map == 1)
            px[c] = c < c0 ? a[c] : b[c - c0];
        else  // shuffle2: channel 2j + i is channel j of source i
            px[c] = (c & 1) ? b[c >> 1] : a[c >> 1];
    }
}

// One pixel of the view (in_c channels) as ceil(in_c / LANES) lane vectors.
template <int MAX_C>
void emit_pixel(hls::stream<ivec<LANES> > &out, const int16_t p[MAX_C], int in_c) {
#pragma HLS INLINE
    for (int bt = 0; bt < ceil_div(in_c, LANES); bt++) {
#pragma HLS LOOP_TRIPCOUNT min = 1 max = (MAX_C + LANES - 1) / LANES
#pragma HLS PIPELINE II = 1
        ivec<LANES> v;
        for (int l = 0; l < LANES; l++) {
            const int c = bt * LANES + l;
            v.v[l] = c < in_c ? p[c] : 0;
        }
        out.write(v);
    }
}

// Emits the view as lane vectors (ceil(in_c / LANES) per pixel), as read_beats does for a tensor.
// MAX_C: channels the kernel reads (in_c); MAX_SRC_W: source width of upsampled views (row buffer).
// Each source pixel's channel window goes to the row buffer; with up = 1 it is emitted at once
// (one slot suffices), with up > 1 the whole source row is replayed up x up times.
template <int MAX_C, int MAX_SRC_C, int MAX_SRC_W, int UP_MAX, int MAXPIX>
void read_view(hls::stream<axis_word> &in0, hls::stream<axis_word> &in1, hls::stream<ivec<LANES> > &out,
               const regs_t &r) {
    static int16_t row[UP_MAX > 1 ? MAX_SRC_W : 1][MAX_C];
    int32_t px[MAX_SRC_C + 2 * LANES];
    const int up = r.up, sh = r.in_h / up, sw = r.in_w / up;
    for (int y = 0; y < sh; y++) {
#pragma HLS LOOP_TRIPCOUNT min = 1 max = MAXPIX
        for (int x = 0; x < sw; x++) {
#pragma HLS LOOP_TRIPCOUNT min = 1 max = MAXPIX
            read_source_pixel<MAX_SRC_C>(in0, in1, r, px);
            const int slot = UP_MAX > 1 ? x : 0;
            for (int c = 0; c < r.in_c; c++) {
#pragma HLS LOOP_TRIPCOUNT min = 1 max = MAX_C
                row[slot][c] = (int16_t)px[r.c_start + c];
            }
            if (up == 1) emit_pixel<MAX_C>(out, row[slot], r.in_c);
        }
        if (up == 1) continue;
        for (int ry = 0; ry < up; ry++) {
#pragma HLS LOOP_TRIPCOUNT min = 1 max = UP_MAX
            for (int x = 0; x < r.in_w; x++) {
#pragma HLS LOOP_TRIPCOUNT min = 1 max = MAX_SRC_W * UP_MAX
                emit_pixel<MAX_C>(out, row[UP_MAX > 1 ? x / up : 0], r.in_c);
            }
        }
    }
}

#endif
