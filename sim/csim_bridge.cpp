// C-sim driver: exposes one engine pass as a C function for Python (ctypes), the way the DMA and
// the host drive the real engine. Compiled together with the generated top (see sim/csim.py).
#include <cstdint>
#include <cstring>
#include <string>

#include "accel_top.h"

static std::string g_error;

#define ACCELGEN_EXPORT __attribute__((visibility("default")))

extern "C" ACCELGEN_EXPORT const char *accelgen_last_error(void) { return g_error.c_str(); }

static int reg(const unsigned *regs, const char *name) {
    for (int i = 0; i < ACCEL_NUM_REGS; i++)
        if (std::strcmp(ACCEL_REG_NAMES[i], name) == 0) return (int)regs[i];
    return 0;
}

static bool over(const char *kernel, const char *what, int value, int limit) {
    if (value <= limit) return false;
    g_error = std::string("register ") + what + " = " + std::to_string(value) + " exceeds kernel " + kernel +
              "'s limit " + std::to_string(limit);
    return true;
}

// Registers within what the selected kernel was sized for (a real engine would overrun buffers).
static bool check_regs(const unsigned *regs) {
    int mode = reg(regs, "mode");
    if (mode == 0) return true;
    for (int i = 0; i < ACCEL_NUM_KERNELS; i++) {
        const accel_limits &L = ACCEL_LIMITS[i];
        if (L.mode != mode) continue;
        const int k = reg(regs, "kernel"), in_c = reg(regs, "in_c"), out_c = reg(regs, "out_c");
        const bool full = std::strcmp(L.kernel, "pwconv") == 0 || std::strcmp(L.kernel, "conv") == 0;
        const bool none = std::strcmp(L.kernel, "add") == 0 || std::strcmp(L.kernel, "move") == 0;
        const long weights = none ? 0 : (full ? (long)out_c * k * k * in_c : (long)in_c * k * k);
        if (over(L.kernel, "in_h", reg(regs, "in_h"), L.max_h) || over(L.kernel, "in_w", reg(regs, "in_w"), L.max_w) ||
            over(L.kernel, "in_c", in_c, L.max_c) || over(L.kernel, "out_c", out_c, L.max_out_c) ||
            over(L.kernel, "kernel", k, L.k_max) || over(L.kernel, "stride", reg(regs, "stride"), L.stride_max) ||
            over(L.kernel, "max_offset", reg(regs, "max_offset"), L.n_max) ||
            over(L.kernel, "weight count", (int)weights, L.max_weights) ||
            over(L.kernel, "line-buffer row in_w * in_c", reg(regs, "in_w") * in_c, L.max_line))
            return false;
        // the input view (generator/hw/fold.py): only kernels with a view reader accept one
        const int map = reg(regs, "src_map"), up = reg(regs, "up"), c0 = reg(regs, "src_c0");
        const int src = c0 + (map ? reg(regs, "src_c1") : 0);
        if (L.max_src_c == 0) {
            if (map != 0 || up != 1 || reg(regs, "c_start") != 0 || c0 != in_c) {
                g_error = std::string("registers src_map/up/c_start/src_c0 describe a view, which kernel ") + L.kernel +
                          " cannot read";
                return false;
            }
            return true;
        }
        if (up < 1 || reg(regs, "in_h") % up || reg(regs, "in_w") % up) {
            g_error = "register up = " + std::to_string(up) + " must be >= 1 and divide in_h and in_w";
            return false;
        }
        if (reg(regs, "c_start") + in_c > src) {
            g_error = "registers c_start + in_c exceed the view's source channels " + std::to_string(src);
            return false;
        }
        return !(over(L.kernel, "view source channels", src, L.max_src_c) ||
                 (up > 1 && over(L.kernel, "upsampled view source width", reg(regs, "in_w") / up, L.max_src_w)) ||
                 over(L.kernel, "up", up, L.up_max) || over(L.kernel, "src_map", map, 2));
    }
    g_error = "register mode = " + std::to_string(mode) + ": the engine has no such kernel";
    return false;
}

static void push(hls::stream<axis_word> &s, const uint64_t *beats, uint64_t n) {
    for (uint64_t i = 0; i < n; i++) {
        axis_word w;
        w.data = beats[i];
        w.keep = 0xFF;
        w.strb = 0xFF;
        w.last = (i + 1 == n) ? 1 : 0;
        s.write(w);
    }
}

// Returns 0 on success; otherwise a non-zero code and accelgen_last_error() says why:
// 1 bad register, 2 C-sim error (deadlock, FIFO over its depth), 3 stream length mismatch.
extern "C" ACCELGEN_EXPORT int accelgen_run_pass(const uint32_t *regs, const uint64_t *in0, uint64_t n_in0, const uint64_t *in1,
                                 uint64_t n_in1, uint64_t *out, uint64_t n_out, const uint64_t *wmem, uint64_t n_wmem,
                                 uint32_t *signature) {
    g_error.clear();
    if (!check_regs(regs)) return 1;
    const int wo = reg(regs, "w_offset"), qo = reg(regs, "q_offset");
    if (reg(regs, "mode") != 0 && ((uint64_t)wo > n_wmem || (uint64_t)qo > n_wmem)) {
        g_error = "register w_offset/q_offset beyond the weight memory of " + std::to_string(n_wmem) + " words";
        return 1;
    }
    hls::stream<axis_word> s_in0("in0"), s_in1("in1"), s_out("out");
    push(s_in0, in0, n_in0);
    push(s_in1, in1, n_in1);
    ap_uint<32> sig = 0;
    try {
        accel_top_call(s_in0, s_in1, s_out, sig, regs, reinterpret_cast<const word_t *>(wmem));
    } catch (const std::exception &e) {
        g_error = e.what();
        return 2;
    }
    *signature = (uint32_t)sig;
    uint64_t got = 0;
    while (!s_out.empty()) {
        axis_word w = s_out.read();
        if (got < n_out) out[got] = w.data.to_uint64();
        if (got + 1 == n_out && !w.last) {
            g_error = "stream out: beat " + std::to_string(got) + " is the last one but TLAST is low";
            return 3;
        }
        got++;
    }
    if (got != n_out) {
        g_error = "stream out: the pass produced " + std::to_string(got) + " beats, expected " + std::to_string(n_out);
        return 3;
    }
    if (!s_in0.empty() || !s_in1.empty()) {
        g_error = std::string("stream ") + (!s_in0.empty() ? "in0" : "in1") + ": " +
                  std::to_string(!s_in0.empty() ? s_in0.size() : s_in1.size()) +
                  " beats left unread (registers describe a smaller input)";
        return 3;
    }
    return 0;
}

// The command list: n_cmds descriptors (CMD_WORDS words each) over one activation memory of n_act
// words. Every descriptor is checked first (registers within the kernel's limits, streams inside
// the memory and of the length its registers describe), so a bad list is reported, not hung on.
// Returns 0, or 1 bad descriptor, 2 C-sim error (deadlock, FIFO over its depth); the error names
// the descriptor index.
static uint64_t pixel_beats(int c) { return (uint64_t)((c + LANES - 1) / LANES); }

static bool check_stream(int i, const char *name, uint64_t off, uint64_t beats, uint64_t want, uint64_t n_act) {
    const std::string where = "command " + std::to_string(i) + ": stream " + name + ": ";
    if (beats != want) {
        g_error = where + std::to_string(beats) + " beats, its registers describe " + std::to_string(want);
        return false;
    }
    if (off + beats > n_act) {
        g_error = where + "words " + std::to_string(off) + " + " + std::to_string(beats) +
                  " run past the activation memory of " + std::to_string(n_act) + " words";
        return false;
    }
    return true;
}

extern "C" ACCELGEN_EXPORT int accelgen_run_list(const uint64_t *cmds, uint32_t n_cmds, uint64_t *act, uint64_t n_act,
                                                 const uint64_t *wmem, uint64_t n_wmem, uint32_t *signature) {
    g_error.clear();
    for (uint32_t i = 0; i < n_cmds; i++) {
        uint32_t f[2 * CMD_WORDS];
        for (int w = 0; w < CMD_WORDS; w++) {
            f[2 * w] = (uint32_t)cmds[i * CMD_WORDS + w];
            f[2 * w + 1] = (uint32_t)(cmds[i * CMD_WORDS + w] >> 32);
        }
        const uint32_t *regs = f;  // LAYER_REGS come first in a descriptor
        const uint32_t *st = f + ACCEL_NUM_REGS;
        if (!check_regs(regs)) {
            g_error = "command " + std::to_string(i) + ": " + g_error;
            return 1;
        }
        const int wo = reg(regs, "w_offset"), qo = reg(regs, "q_offset");
        if ((uint64_t)wo > n_wmem || (uint64_t)qo > n_wmem) {
            g_error = "command " + std::to_string(i) + ": w_offset/q_offset beyond the weight memory";
            return 1;
        }
        const int up = reg(regs, "up") > 0 ? reg(regs, "up") : 1, map = reg(regs, "src_map");
        const uint64_t src_pix = (uint64_t)(reg(regs, "in_h") / up) * (uint64_t)(reg(regs, "in_w") / up);
        const int mode = reg(regs, "mode");
        // in1: the second view source (concat/shuffle maps), the residual (add, in_c channels at
        // the input size) or the deformable offsets (one distance per output pixel)
        uint64_t want1 = 0;
        if (map) want1 = src_pix * pixel_beats(reg(regs, "src_c1"));
        else if (mode == MODE_ADD) want1 = (uint64_t)reg(regs, "in_h") * reg(regs, "in_w") * pixel_beats(reg(regs, "in_c"));
        else if (mode == MODE_DEFORM) want1 = (uint64_t)reg(regs, "out_h") * reg(regs, "out_w") * pixel_beats(1);
        const uint64_t want_out = (uint64_t)reg(regs, "out_h") * reg(regs, "out_w") * pixel_beats(reg(regs, "out_c"));
        if (!check_stream((int)i, "in0", st[0], st[1], src_pix * pixel_beats(reg(regs, "src_c0")), n_act) ||
            !check_stream((int)i, "in1", st[2], st[3], want1, n_act) ||
            !check_stream((int)i, "out", st[4], st[5], want_out, n_act))
            return 1;
    }
    ap_uint<32> sig = 0;
    try {
        accel_top_list(sig, (int)n_cmds, reinterpret_cast<const word_t *>(cmds), reinterpret_cast<word_t *>(act),
                       reinterpret_cast<const word_t *>(wmem));
    } catch (const std::exception &e) {
        g_error = e.what();
        return 2;
    }
    *signature = (uint32_t)sig;
    return 0;
}
