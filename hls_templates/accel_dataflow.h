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
class Region {
  public:
    Region() {
        Sched &s = Sched::get();
        std::lock_guard<std::mutex> lk(s.mu);
        s.active = true; s.failed = false; s.running = 0; s.error.clear(); s.waiting.clear();
    }
    // Processes are collected first and started together in join(): a process that started
    // early could otherwise block before its consumers exist and look like a deadlock.
    void spawn(std::function<void()> fn) { fns_.push_back(fn); }
    void join() {
        Sched &s = Sched::get();
        {
            std::lock_guard<std::mutex> lk(s.mu);
            s.running = (int)fns_.size();
        }
        for (auto &fn : fns_) {
            threads_.emplace_back([fn] {
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
                s.check_deadlock();
                s.cv.notify_all();
            });
        }
        for (auto &t : threads_) t.join();
        threads_.clear();
        fns_.clear();
        std::lock_guard<std::mutex> lk(s.mu);
        s.active = false;
        if (s.failed) throw SimError(s.error);
    }
    ~Region() { for (auto &t : threads_) if (t.joinable()) t.join(); Sched::get().active = false; }

  private:
    std::vector<std::function<void()> > fns_;
    std::vector<std::thread> threads_;
};
}  // namespace accelgen

#define ACCEL_DATAFLOW_BEGIN { accelgen::Region accel_region_;
#define ACCEL_PROCESS(call) accel_region_.spawn([&] { call; });
#define ACCEL_DATAFLOW_END accel_region_.join(); }
#endif

#endif
