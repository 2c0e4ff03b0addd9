// accelgen's C-sim replacement for Vitis HLS <hls_stream.h>.
//
// Unlike a plain C-sim (where a FIFO is an unbounded queue and dataflow processes run one after
// another), every stream here enforces its declared depth and every process of a DATAFLOW region
// runs in its own thread (see accel_dataflow.h). A write to a full FIFO blocks, a read from an
// empty one blocks, and when every process of the region is blocked the run stops with a
// deadlock report naming the streams. Outside a region (the C-sim driver filling and draining
// the top's AXI streams) a read from an empty stream or a write past the depth is an error.
#ifndef ACCELGEN_HLS_STREAM_H
#define ACCELGEN_HLS_STREAM_H

#include <algorithm>
#include <condition_variable>
#include <functional>
#include <deque>
#include <mutex>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

namespace accelgen {

struct SimError : std::runtime_error {
    explicit SimError(const std::string &m) : std::runtime_error(m) {}
};

// One global scheduler: one top-level DATAFLOW region at a time; regions started inside one of its
// processes nest (accel_dataflow.h).
// A deadlock is declared only when every live process waits AND no wait can be satisfied
// (a woken process may not have run yet, so counting blocked threads alone is not enough).
struct Sched {
    struct Wait {
        std::function<bool()> ready;
        std::string what;
    };
    std::mutex mu;
    std::condition_variable cv;
    int running = 0;        // processes of the active region not yet finished
    bool active = false;    // a region is running
    bool failed = false;    // a process raised or a deadlock was found
    std::string error;
    std::vector<Wait *> waiting;
    static Sched &get() { static Sched s; return s; }

    // With `mu` held: declare a deadlock if no process can make progress.
    void check_deadlock() {
        if (failed || running == 0 || (int)waiting.size() < running) return;
        std::string what;
        for (Wait *w : waiting) {
            if (w->ready()) return;
            what += (what.empty() ? "" : ", ") + w->what;
        }
        failed = true;
        error = "deadlock: every dataflow process is blocked (" + what + ")";
        cv.notify_all();
    }

    // Called with `mu` held by a process that must wait. Returns false if the run failed.
    template <class Pred>
    bool wait(std::unique_lock<std::mutex> &lk, Pred ready, const std::string &what) {
        if (ready()) return true;
        Wait w{ready, what};
        waiting.push_back(&w);
        check_deadlock();
        cv.wait(lk, [&] { return failed || ready(); });
        waiting.erase(std::find(waiting.begin(), waiting.end(), &w));
        return !failed;
    }
};

}  // namespace accelgen

namespace hls {

// stream<T> (depth 0 = unbounded, as the top's AXI ports) holds everything; stream<T, DEPTH>
// derives from it, so a FIFO declared with a depth binds to `hls::stream<T> &` as in Vitis HLS.
template <typename T, int DEPTH = 0>
class stream;

template <typename T>
class stream<T, 0> {
  public:
    stream() : name_("stream"), depth_(0) {}
    explicit stream(const char *name) : name_(name), depth_(0) {}
    stream(const stream &) = delete;
    stream &operator=(const stream &) = delete;

    void write(const T &v) {
        accelgen::Sched &s = accelgen::Sched::get();
        std::unique_lock<std::mutex> lk(s.mu);
        if (depth_ > 0 && (int)q_.size() >= depth_) {
            if (!s.active) throw accelgen::SimError("stream '" + name_ + "': write past its depth " + std::to_string(depth_));
            if (!s.wait(lk, [&] { return (int)q_.size() < depth_; }, "'" + name_ + "' full"))
                throw accelgen::SimError(s.error);
        }
        q_.push_back(v);
        if (!s.waiting.empty()) s.cv.notify_all();
    }
    T read() {
        accelgen::Sched &s = accelgen::Sched::get();
        std::unique_lock<std::mutex> lk(s.mu);
        if (q_.empty()) {
            if (!s.active) throw accelgen::SimError("stream '" + name_ + "': read while empty");
            if (!s.wait(lk, [&] { return !q_.empty(); }, "'" + name_ + "' empty"))
                throw accelgen::SimError(s.error);
        }
        T v = q_.front();
        q_.pop_front();
        if (!s.waiting.empty()) s.cv.notify_all();
        return v;
    }
    void read(T &v) { v = read(); }
    bool read_nb(T &v) {
        accelgen::Sched &s = accelgen::Sched::get();
        std::lock_guard<std::mutex> lk(s.mu);
        if (q_.empty()) return false;
        v = q_.front();
        q_.pop_front();
        if (!s.waiting.empty()) s.cv.notify_all();
        return true;
    }
    bool write_nb(const T &v) {
        accelgen::Sched &s = accelgen::Sched::get();
        std::lock_guard<std::mutex> lk(s.mu);
        if (depth_ > 0 && (int)q_.size() >= depth_) return false;
        q_.push_back(v);
        if (!s.waiting.empty()) s.cv.notify_all();
        return true;
    }
    stream &operator<<(const T &v) { write(v); return *this; }
    stream &operator>>(T &v) { v = read(); return *this; }
    bool empty() { std::lock_guard<std::mutex> lk(accelgen::Sched::get().mu); return q_.empty(); }
    bool full() { std::lock_guard<std::mutex> lk(accelgen::Sched::get().mu); return depth_ > 0 && (int)q_.size() >= depth_; }
    size_t size() { std::lock_guard<std::mutex> lk(accelgen::Sched::get().mu); return q_.size(); }
    const std::string &name() const { return name_; }
    int depth() const { return depth_; }

  protected:
    stream(const char *name, int depth) : name_(name), depth_(depth) {}

  private:
    std::string name_;
    int depth_;
    std::deque<T> q_;
};

template <typename T, int DEPTH>
class stream : public stream<T, 0> {
  public:
    stream() : stream<T, 0>("stream", DEPTH) {}
    explicit stream(const char *name) : stream<T, 0>(name, DEPTH) {}
};

}  // namespace hls

#endif
