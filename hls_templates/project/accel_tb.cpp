// Vitis HLS C-sim / co-sim testbench (run_hls.tcl: csim_design, cosim_design).
// Replays the passes recorded by the generator under tb_data/ (registers, input beats, weight
// memory, expected output beats from the golden model) and compares every output beat; then runs
// each recorded command list (descriptors, activation memory before) and compares the whole
// activation memory after it with the golden one.
#include <cstdio>
#include <cstdint>
#include <vector>

#include "accel_top.h"

static std::vector<uint64_t> load64(const char *path) {
    std::vector<uint64_t> v;
    FILE *f = std::fopen(path, "rb");
    if (!f) return v;
    uint64_t x;
    while (std::fread(&x, sizeof x, 1, f) == 1) v.push_back(x);
    std::fclose(f);
    return v;
}

int main(int argc, char **argv) {
    const char *dir = argc > 1 ? argv[1] : "tb_data";
    char path[512];
    std::snprintf(path, sizeof path, "%s/weights.bin", dir);
    std::vector<uint64_t> wmem = load64(path);
    if (wmem.empty()) wmem.push_back(0);
    int failures = 0, passes = 0;
    for (int p = 0;; p++) {
        std::snprintf(path, sizeof path, "%s/pass%03d_regs.bin", dir, p);
        FILE *f = std::fopen(path, "rb");
        if (!f) break;
        unsigned regs[ACCEL_NUM_REGS];
        size_t got = std::fread(regs, sizeof(unsigned), ACCEL_NUM_REGS, f);
        std::fclose(f);
        if (got != (size_t)ACCEL_NUM_REGS) { std::printf("pass %d: short register file\n", p); return 2; }
        std::vector<uint64_t> in0, in1, expect;
        std::snprintf(path, sizeof path, "%s/pass%03d_in0.bin", dir, p); in0 = load64(path);
        std::snprintf(path, sizeof path, "%s/pass%03d_in1.bin", dir, p); in1 = load64(path);
        std::snprintf(path, sizeof path, "%s/pass%03d_out.bin", dir, p); expect = load64(path);
        hls::stream<axis_word> s0("in0"), s1("in1"), so("out");
        for (size_t i = 0; i < in0.size(); i++) { axis_word w; w.data = in0[i]; w.keep = 0xFF; w.strb = 0xFF; w.last = i + 1 == in0.size(); s0.write(w); }
        for (size_t i = 0; i < in1.size(); i++) { axis_word w; w.data = in1[i]; w.keep = 0xFF; w.strb = 0xFF; w.last = i + 1 == in1.size(); s1.write(w); }
        ap_uint<32> sig;
        accel_top_call(s0, s1, so, sig, regs, reinterpret_cast<const word_t *>(wmem.data()));
        size_t n = 0;
        int bad = 0;
        while (!so.empty()) {
            uint64_t d = so.read().data.to_uint64();
            if (n >= expect.size() || d != expect[n]) bad++;
            n++;
        }
        if (n != expect.size()) bad++;
        if (sig != SIGNATURE) bad++;
        std::printf("pass %d: %zu beats, %s\n", p, n, bad ? "MISMATCH" : "ok");
        failures += bad != 0;
        passes++;
    }
    for (int l = 0;; l++) {
        std::snprintf(path, sizeof path, "%s/list%03d_cmds.bin", dir, l);
        std::vector<uint64_t> cmds = load64(path);
        if (cmds.empty()) break;
        std::snprintf(path, sizeof path, "%s/list%03d_act.bin", dir, l);
        std::vector<uint64_t> act = load64(path);
        std::snprintf(path, sizeof path, "%s/list%03d_expect.bin", dir, l);
        std::vector<uint64_t> expect = load64(path);
        ap_uint<32> sig;
        accel_top_list(sig, (int)(cmds.size() / CMD_WORDS), reinterpret_cast<const word_t *>(cmds.data()),
                       reinterpret_cast<word_t *>(act.data()), reinterpret_cast<const word_t *>(wmem.data()));
        int bad = act.size() != expect.size() || sig != SIGNATURE;
        for (size_t i = 0; !bad && i < act.size(); i++) bad = act[i] != expect[i];
        std::printf("command list %d: %zu passes, %s\n", l, cmds.size() / CMD_WORDS, bad ? "MISMATCH" : "ok");
        failures += bad != 0;
        passes++;
    }
    std::printf("%d passes and lists, %d failed\n", passes, failures);
    return failures ? 1 : (passes ? 0 : 2);
}
