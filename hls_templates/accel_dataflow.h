// DATAFLOW regions that synthesise as Vitis HLS dataflow and C-simulate as concurrent threads.
//
//   ACCEL_DATAFLOW_BEGIN
//   ACCEL_PROCESS(read_input(in0, s0, r));
//   ACCEL_PROCESS(compute(s0, s1, r));
//   ACCEL_DATAFLOW_END
//
// Under __SYNTHESIS__ the processes are plain calls under `#pragma HLS DATAFLOW`. In C-sim each
// runs in its own thread so FIFO depths matter as on the FPGA (see sim/include/hls_stream.h).
#ifndef ACCEL_DATAFLOW_H
#define ACCEL_DATAFLOW_H

#ifdef __SYNTHESIS__
#define ACCEL_DATAFLOW_BEGIN
#define ACCEL_PROCESS(call) call
#define ACCEL_DATAFLOW_END
#else
#include <functional>
#include <thread>
#include <vector>

namespace accelgen {
// A region started inside a process of another region (the command list's per-pass region, whose
// engine-pass process runs a kernel's own region) nests: while the parent process joins its
// children it is parked, not running, so the deadlock detector counts the children in its place;
// the last child to finish hands the slot back in the same critical section.
class Region {
  public:
    Region() {
        Sched &s = Sched::get();
        std::lock_guard<std::mutex> lk(s.mu);
        nested_ = s.active;
        if (!nested_) { s.active = true; s.failed = false; s.running = 0; s.error.clear(); s.waiting.clear(); }
    }
    // Processes are collected first and started together in join(): a process that started
    // early could otherwise block before its consumers exist and look like a deadlock.
    void spawn(std::function<void()> fn) { fns_.push_back(fn); }
    void join() {
        Sched &s = Sched::get();
        if (fns_.empty()) return;
        {
            std::lock_guard<std::mutex> lk(s.mu);
            left_ = (int)fns_.size();
            s.running += left_ - (nested_ ? 1 : 0);
        }
        for (auto &fn : fns_) {
            threads_.emplace_back([this, fn] {
                Sched &s = Sched::get();
                try {
                    fn();
                } catch (const std::exception &e) {
                    std::lock_guard<std::mutex> lk(s.mu);
                    if (!s.failed) { s.failed = true; s.error = e.what(); }
                    s.cv.notify_all();
                }
                std::lock_guard<std::mutex> lk(s.mu);
                s.running--;
                if (--left_ == 0 && nested_) s.running++;  // the parent process runs again
                s.check_deadlock();
                s.cv.notify_all();
            });
        }
        for (auto &t : threads_) t.join();
        threads_.clear();
        fns_.clear();
        std::lock_guard<std::mutex> lk(s.mu);
        if (!nested_) s.active = false;
        if (s.failed) throw SimError(s.error);
    }
    ~Region() {
        for (auto &t : threads_) if (t.joinable()) t.join();
        if (!nested_) Sched::get().active = false;
    }

  private:
    std::vector<std::function<void()> > fns_;
    std::vector<std::thread> threads_;
    bool nested_ = false;
    int left_ = 0;  // children still running (guarded by Sched::mu)
};
}  // namespace accelgen

#define ACCEL_DATAFLOW_BEGIN { accelgen::Region accel_region_;
#define ACCEL_PROCESS(call) accel_region_.spawn([&] { call; });
#define ACCEL_DATAFLOW_END accel_region_.join(); }
#endif

#endif
