import Foundation
import Synchronization

/// Persistent threads that join a `parallelFor` loop within a microsecond.
///
/// The caller posts the loop to the workers it wants, then claims iterations from a shared counter
/// alongside them. A worker the scheduler has not run yet (the cores are shared) is simply
/// un-posted once the counter runs out, so a loop never waits for a thread that never started and
/// is never slower than running inline. A worker spins for `spinTime` after each loop, so the
/// back-to-back kernels of a forward pass dispatch without a system call, then sleeps.
final class WorkerPool: @unchecked Sendable {
    static let shared = WorkerPool(workers: max(1, ProcessInfo.processInfo.activeProcessorCount) - 1)

    /// How long an idle worker keeps polling before it sleeps.
    static let spinTime: UInt64 = 100_000  // nanoseconds

    private let workers: [Worker]
    private let busy = Atomic<Bool>(false)
    /// The next unclaimed iteration of the current loop.
    fileprivate let next = Atomic<Int>(0)
    /// The current loop; written only while no worker is running (see `Worker`).
    fileprivate var body: (@Sendable (Int) -> Void)?
    fileprivate var count = 0

    init(workers count: Int) {
        workers = (0..<count).map { _ in Worker() }
        for (index, worker) in workers.enumerated() {
            let thread = Thread { [unowned self] in worker.loop(pool: self) }
            thread.name = "doodle-worker-\(index + 1)"
            thread.start()
        }
    }

    /// Runs `body(i)` for `i` in `0..<count` here and on up to `helpers` workers.
    ///
    /// - Returns: `false`, having run nothing, when the pool is in use (a nested or concurrent loop).
    func run(count: Int, helpers: Int, _ body: @escaping @Sendable (Int) -> Void) -> Bool {
        guard busy.compareExchange(expected: false, desired: true, ordering: .acquiring).exchanged else {
            return false
        }
        self.body = body
        self.count = count
        next.store(0, ordering: .relaxed)
        let posted = workers.prefix(helpers)
        for worker in posted { worker.post() }
        drain()
        for worker in posted { worker.retractOrWait() }
        self.body = nil
        busy.store(false, ordering: .releasing)
        return true
    }

    /// Claims and runs iterations until none are left.
    fileprivate func drain() {
        guard let body else { return }
        while true {
            let i = next.wrappingAdd(1, ordering: .relaxed).oldValue
            if i >= count { return }
            body(i)
        }
    }
}

/// One persistent thread and its state: idle, posted (asked to help), or running.
///
/// The pool writes the loop before posting (release) and the worker reads it after taking the post
/// (acquire); the pool touches it again only after taking the post back or seeing the worker idle
/// (acquire), so the two never access it at the same time. That hand-off is why this is unchecked.
private final class Worker: @unchecked Sendable {
    static let idle = 0, posted = 1, running = 2
    private let state = Atomic<Int>(Worker.idle)
    private let sleeping = Atomic<Bool>(false)
    private let condition = NSCondition()

    func post() {
        state.store(Worker.posted, ordering: .sequentiallyConsistent)
        if sleeping.load(ordering: .sequentiallyConsistent) {
            condition.lock()
            condition.signal()
            condition.unlock()
        }
    }

    /// Takes the post back if the worker has not started, else waits for it to finish.
    func retractOrWait() {
        if state.compareExchange(expected: Worker.posted, desired: Worker.idle, ordering: .acquiring)
            .exchanged
        {
            return
        }
        var spins = 0
        while state.load(ordering: .acquiring) != Worker.idle {
            spins += 1
            if spins & 1023 == 0 { sched_yield() }
        }
    }

    func loop(pool: WorkerPool) -> Never {
        while true {
            let deadline = DispatchTime.now().uptimeNanoseconds + WorkerPool.spinTime
            var spins = 0
            while state.load(ordering: .relaxed) != Worker.posted {
                spins += 1
                if spins & 255 == 0 && DispatchTime.now().uptimeNanoseconds > deadline {
                    condition.lock()
                    sleeping.store(true, ordering: .sequentiallyConsistent)
                    while state.load(ordering: .sequentiallyConsistent) != Worker.posted { condition.wait() }
                    sleeping.store(false, ordering: .relaxed)
                    condition.unlock()
                }
            }
            guard
                state.compareExchange(expected: Worker.posted, desired: Worker.running, ordering: .acquiring)
                    .exchanged
            else { continue }
            pool.drain()
            state.store(Worker.idle, ordering: .releasing)
        }
    }
}
