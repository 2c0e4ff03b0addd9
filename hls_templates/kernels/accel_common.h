// Types and small building blocks shared by every kernel (fixed code; the generated
// accel_params.h sizes everything). Hot loops use native integers: every value is validated to
// fit (activations <= 16 bits, weights <= 16 bits, accumulators <= 32 bits), so native int32/int64
// arithmetic is bit-exact and C-simulates far faster than ap_int.
#ifndef ACCEL_COMMON_H
#define ACCEL_COMMON_H

#include <ap_int.h>
#include <hls_stream.h>
#include <stdint.h>

#include "accel_dataflow.h"
#include "accel_params.h"

typedef ap_uint<64> word_t;

#ifdef __SYNTHESIS__
#include <ap_axi_sdata.h>
typedef ap_axiu<64, 0, 0, 0> axis_word;
#else
struct axis_word {
    ap_uint<64> data;
    ap_uint<8> keep;
    ap_uint<8> strb;
    ap_uint<1> last;
};
#endif

template <int N>
struct ivec {
    int32_t v[N];
};

static inline int ceil_div(int a, int b) { return (a + b - 1) / b; }

// Lane `lane` of a 64-bit word holding values of `bits` bits, sign-extended when `sgn`.
static inline int32_t lane_get(uint64_t w, int lane, int bits, bool sgn) {
    uint64_t mask = (bits == 64) ? ~0ull : ((1ull << bits) - 1);
    int64_t v = (int64_t)((w >> (lane * bits)) & mask);
    if (sgn && (v >> (bits - 1))) v -= (int64_t)1 << bits;
    return (int32_t)v;
}

static inline uint64_t lane_put(uint64_t w, int lane, int bits, int32_t v) {
    uint64_t mask = (1ull << bits) - 1;
    return w | (((uint64_t)(int64_t)v & mask) << (lane * bits));
}

// y = clamp((acc * mult + r) >> shift, lo, hi), r = 2^(shift-1) (0 when shift = 0): the dyadic
// requantisation of HAWQ-V3, as generator/golden.py defines it (arithmetic shift = floor).
static inline int32_t requant(int32_t acc, int64_t mult, int shift, int lo, int hi) {
#pragma HLS INLINE
    int64_t r = shift > 0 ? ((int64_t)1 << (shift - 1)) : 0;
    int64_t y = ((int64_t)acc * mult + r) >> shift;
    return (int32_t)(y < lo ? lo : (y > hi ? hi : y));
}

// DSP shift-and-pack: ((x1 << 18) + x2) * y in one 27x18 multiply (generator/hw/packing.py).
static inline int64_t pack_mul(int32_t x1, int32_t x2, int32_t y) {
#pragma HLS INLINE
    int64_t packed = (int64_t)x1 * (1 << 18) + x2;  // the 27-bit operand
    return packed * y;
}

// Split an accumulated packed sum S = H * 2^18 + L, exact while L fits the 18-bit lane.
static inline void pack_split(int64_t s, int32_t &hi, int32_t &lo) {
#pragma HLS INLINE
    int32_t low = (int32_t)(s & 0x3FFFF);
    if (low >= (1 << 17)) low -= (1 << 18);
    lo = low;
    hi = (int32_t)((s - low) >> 18);
}

// Per-channel requantisation parameters as stored in weight memory (two words per channel).
struct qparam_t {
    int32_t bias;
    int32_t mult;
    int32_t shift;
};

template <int MAXC>
void load_qparams(const word_t *mem, int offset, int channels, qparam_t q[MAXC]) {
LOAD_Q:
    for (int c = 0; c < channels; c++) {
#pragma HLS LOOP_TRIPCOUNT min = 1 max = MAXC
#pragma HLS PIPELINE II = 2
        uint64_t w0 = mem[offset + 2 * c].to_uint64();
        uint64_t w1 = mem[offset + 2 * c + 1].to_uint64();
        q[c].bias = (int32_t)(uint32_t)(w0 & 0xFFFFFFFFull);
        q[c].mult = (int32_t)(w0 >> 32);
        q[c].shift = (int32_t)w1;
    }
}

// Weights: `n` signed values in W_BITS-bit containers, 64 / W_BITS per word, flat C order.
template <int MAXW, int W_BITS>
void load_weights(const word_t *mem, int offset, int n, int16_t w[MAXW]) {
    const int PER = 64 / W_BITS;
LOAD_W:
    for (int i = 0; i < ceil_div(n, PER); i++) {
#pragma HLS LOOP_TRIPCOUNT min = 1 max = (MAXW + 64 / W_BITS - 1) / (64 / W_BITS)
#pragma HLS PIPELINE II = 1
        uint64_t word = mem[offset + i].to_uint64();
        for (int l = 0; l < PER; l++) {
            int e = i * PER + l;
            if (e < n) w[e] = (int16_t)lane_get(word, l, W_BITS, true);
        }
    }
}

// ---- stream stages shared by every pass ---------------------------------------------------------

// AXI4-Stream beats -> lane vectors with sign extension (one pixel = ceil(C / LANES) beats).
template <int LANES, int ACT_BITS, int MAXPIX>
void read_beats(hls::stream<axis_word> &in, hls::stream<ivec<LANES> > &out, int pixels, int channels, bool sgn) {
    const int per = ceil_div(channels, LANES);
READ_PIX:
    for (int p = 0; p < pixels; p++) {
#pragma HLS LOOP_TRIPCOUNT min = 1 max = MAXPIX
        for (int b = 0; b < per; b++) {
#pragma HLS PIPELINE II = 1
            axis_word w = in.read();
            uint64_t d = w.data.to_uint64();
            ivec<LANES> v;
            for (int l = 0; l < LANES; l++) v.v[l] = lane_get(d, l, ACT_BITS, sgn);
            out.write(v);
        }
    }
}

// PO-vectors of output values -> AXI4-Stream beats (TLAST on the last beat of the tensor).
template <int PO, int LANES, int ACT_BITS, int MAXC, int MAXPIX>
void write_beats(hls::stream<ivec<PO> > &in, hls::stream<axis_word> &out, int pixels, int channels) {
    const int blocks = ceil_div(channels, PO);
    const int per = ceil_div(channels, LANES);
    int32_t px[MAXC + PO];
WRITE_PIX:
    for (int p = 0; p < pixels; p++) {
#pragma HLS LOOP_TRIPCOUNT min = 1 max = MAXPIX
        for (int b = 0; b < blocks; b++) {
#pragma HLS PIPELINE II = 1
            ivec<PO> v = in.read();
            for (int o = 0; o < PO; o++) px[b * PO + o] = v.v[o];
        }
        for (int b = 0; b < per; b++) {
#pragma HLS PIPELINE II = 1
            uint64_t d = 0;
            for (int l = 0; l < LANES; l++) {
                int c = b * LANES + l;
                if (c < channels) d = lane_put(d, l, ACT_BITS, px[c]);
            }
            axis_word w;
            w.data = d;
            w.keep = 0xFF;
            w.strb = 0xFF;
            w.last = (p == pixels - 1 && b == per - 1) ? 1 : 0;
            out.write(w);
        }
    }
}

// Accumulators -> requantised outputs, per channel block of PO (bias added here).
template <int PO, int MAXC, int MAXPIX>
void requant_stage(hls::stream<ivec<PO> > &in, hls::stream<ivec<PO> > &out, const qparam_t q[MAXC],
                   int pixels, int channels, int lo, int hi) {
    const int blocks = ceil_div(channels, PO);
QUANT_PIX:
    for (int p = 0; p < pixels; p++) {
#pragma HLS LOOP_TRIPCOUNT min = 1 max = MAXPIX
        for (int b = 0; b < blocks; b++) {
#pragma HLS PIPELINE II = 1
            ivec<PO> a = in.read(), y;
            for (int o = 0; o < PO; o++) {
                int c = b * PO + o;
                y.v[o] = c < channels ? requant(a.v[o] + q[c].bias, q[c].mult, q[c].shift, lo, hi) : 0;
            }
            out.write(y);
        }
    }
}

#endif
