// A line buffer of ROWS rows, each MAX_LINE = max(W * C) activations of the kernel's layers (a
// row of pixel x, channel c at x * C + c), fed row by row from a lane-vector stream. Output row h needs input rows [h*s - top, h*s - top + span - 1] (clipped to the
// image); it is computed as soon as its last row has arrived, so ROWS = span rows suffice:
// span = k with top = padding for k x k windows, span = 2N+1 with top = N for the deformable
// kernel. Rows outside the image read as zero; entries of earlier passes are never read.
#ifndef ACCEL_LINEBUF_H
#define ACCEL_LINEBUF_H

#include "accel_common.h"

template <int ROWS, int MAX_W, int MAX_C, int MAX_LINE>
struct linebuf {
    int16_t data[ROWS][MAX_LINE];
    int H, W, C;

    void read_row(hls::stream<ivec<LANES> > &in, int y) {
        int16_t *row = data[y % ROWS];
        for (int x = 0; x < W; x++) {
#pragma HLS LOOP_TRIPCOUNT min = 1 max = MAX_W
            for (int b = 0; b < ceil_div(C, LANES); b++) {
#pragma HLS LOOP_TRIPCOUNT min = 1 max = (MAX_C + LANES - 1) / LANES
#pragma HLS PIPELINE II = 1
                ivec<LANES> v = in.read();
                for (int l = 0; l < LANES; l++) {
                    int c = b * LANES + l;
                    if (c < C) row[x * C + c] = (int16_t)v.v[l];
                }
            }
        }
    }
    // Value at (y, x, c) with zero outside the image.
    int32_t at(int y, int x, int c) const {
#pragma HLS INLINE
        return (y < 0 || y >= H || x < 0 || x >= W) ? 0 : data[y % ROWS][x * C + c];
    }
};

#endif
