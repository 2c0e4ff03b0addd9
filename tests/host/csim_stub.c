/* A stand-in for the HLS C-sim library, to test the host's ctypes binding of the ABI in
 * docs/architecture.md: NOP passes report SIGNATURE; mode 5 (add) of 8-bit containers runs
 * y = clamp((a*ma + b*mb + r) >> shift); anything else fails with a message. */
#include <stdint.h>
#include <stdio.h>

static char err[256];
const char *accelgen_last_error(void) { return err; }

enum { MODE, IN_H, IN_W, IN_C, OUT_H, OUT_W, OUT_C, KERNEL, STRIDE, PAD, IN_SIGNED, OUT_LO, OUT_HI,
       MAX_OFFSET, ADD_MA, ADD_MB, ADD_SHIFT, W_OFFSET, Q_OFFSET };

int accelgen_run_pass(const uint32_t *regs, const uint64_t *in0, uint64_t n_in0, const uint64_t *in1,
                      uint64_t n_in1, uint64_t *out, uint64_t n_out, const uint64_t *wmem, uint64_t n_wmem,
                      uint32_t *signature) {
    (void)wmem; (void)n_wmem;
    *signature = SIGNATURE;
    if (regs[MODE] == 0) return 0;
    if (regs[MODE] != 5) { snprintf(err, sizeof err, "register mode = %u: stub runs only add", regs[MODE]); return 1; }
    uint64_t n = (uint64_t)regs[IN_H] * regs[IN_W] * ((regs[IN_C] + 7) / 8);
    if (n_in0 != n || n_in1 != n || n_out != n) { snprintf(err, sizeof err, "stream in0: length %llu, expected %llu",
                                                           (unsigned long long)n_in0, (unsigned long long)n); return 2; }
    int64_t lo = (int32_t)regs[OUT_LO], hi = (int32_t)regs[OUT_HI];
    int shift = (int)regs[ADD_SHIFT];
    int64_t r = shift > 0 ? (int64_t)1 << (shift - 1) : 0;
    for (uint64_t i = 0; i < n; i++) {
        uint64_t word = 0;
        for (int lane = 0; lane < 8; lane++) {
            int64_t a = (in0[i] >> (8 * lane)) & 0xff, b = (in1[i] >> (8 * lane)) & 0xff;
            if ((regs[IN_SIGNED] & 1) && a > 127) a -= 256;
            if ((regs[IN_SIGNED] & 2) && b > 127) b -= 256;
            int64_t y = (a * (int64_t)regs[ADD_MA] + b * (int64_t)regs[ADD_MB] + r) >> shift;
            y = y < lo ? lo : (y > hi ? hi : y);
            if ((uint64_t)(i * 8 + lane) % ((regs[IN_C] + 7) / 8 * 8) >= regs[IN_C]) y = 0;
            word |= ((uint64_t)y & 0xff) << (8 * lane);
        }
        out[i] = word;
    }
    return 0;
}
