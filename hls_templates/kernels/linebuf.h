// A line buffer of ROWS rows x MAX_W pixels x MAX_C channels fed row by row from a lane-vector
// stream. Output row h needs input rows [h*s - top, h*s - top + span - 1] (clipped to the
// image); it is computed as soon as its last row has arrived, so ROWS = span rows suffice:
// span = k with top = padding for k x k windows, span = 2N+1 with top = N for the deformable
// kernel. Rows outside the image read as zero; entries of earlier passes are never read.
#ifndef ACCEL_LINEBUF_H
#define ACCEL_LINEBUF_H

#include "accel_common.h"

template <int ROWS, int MAX_W, int MAX_C>
struct linebuf {
    int16_t data[ROWS][MAX_W][MAX_C];
    int H, W, C;

    void read_row(hls::stream<ivec<LANES> > &in, int y) {
        int16_t(*row)[MAX_C] = data[y % ROWS];
    LB_READ:
        for (int x = 0; x < W; x++) {
#pragma HLS LOOP_TRIPCOUNT min = 1 max = MAX_W
            for (int b = 0; b < ceil_div(C, LANES); b++) {
#pragma HLS PIPELINE II = 1
                ivec<LANES> v = in.read();
                for (int l = 0; l < LANES; l++) {
                    int c = b * LANES + l;
                    if (c < C) row[x][c] = (int16_t)v.v[l];
                }
            }
        }
    }
    // Value at (y, x, c) with zero outside the image.
    int32_t at(int y, int x, int c) const {
#pragma HLS INLINE
        return (y < 0 || y >= H || x < 0 || x >= W) ? 0 : data[y % ROWS][x][c];
    }
};

#endif
