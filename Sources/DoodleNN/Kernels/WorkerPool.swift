import Foundation
import Synchronization

/// Persistent threads that pick up `parallelFor` chunks within a microsecond.
///
/// Worker `w` runs chunk `w + 1` of each job it is posted; the caller runs chunk 0, then waits for
/// the workers it posted to. A worker spins for `spinTime` after each job, so the back-to-back
/// kernels of a forward pass dispatch without a system call, then sleeps on its condition.
final class WorkerPool: Sendable {
    static let shared = WorkerPool(workers: max(1, ProcessInfo.processInfo.activeProcessorCount) - 1)

    /// How long an idle worker keeps polling before it sleeps.
    static let spinTime: UInt64 = 100_000  // nanoseconds

    private let workers: [Worker]
    private let busy = Atomic<Bool>(false)

    init(workers count: Int) {
        workers = (0..<count).map { _ in Worker() }
        for (index, worker) in workers.enumerated() {
            let thread = Thread { worker.loop(chunk: index + 1) }
            thread.name = "doodle-worker-\(index + 1)"
            thread.start()
        }
    }

    /// Runs `job(0)` here and `job(t)` for `t` in `1..<chunks` on workers, returning when all are done.
    ///
    /// - Returns: `false`, having run nothing, when the pool is in use or too small.
    func run(chunks: Int, _ job: @escaping @Sendable (Int) -> Void) -> Bool {
        guard chunks - 1 <= workers.count,
            busy.compareExchange(expected: false, desired: true, ordering: .acquiring).exchanged
        else { return false }
        let posted = workers[0..<(chunks - 1)]
        for worker in posted { worker.post(job) }
        job(0)
        for worker in posted { worker.waitUntilFinished() }
        busy.store(false, ordering: .releasing)
        return true
    }
}

/// One persistent thread's mailbox.
///
/// `job` is written by the posting thread before it bumps `posted` (release) and read by the worker
/// after it sees the bump (acquire); the poster does not touch it again until `finished` catches
/// up, so the two never access it at the same time. That hand-off is why this is `@unchecked`.
private final class Worker: @unchecked Sendable {
    private let posted = Atomic<Int>(0)
    private let finished = Atomic<Int>(0)
    private let sleeping = Atomic<Bool>(false)
    private let condition = NSCondition()
    private var job: (@Sendable (Int) -> Void)?

    func post(_ job: @escaping @Sendable (Int) -> Void) {
        self.job = job
        posted.add(1, ordering: .sequentiallyConsistent)
        if sleeping.load(ordering: .sequentiallyConsistent) {
            condition.lock()
            condition.signal()
            condition.unlock()
        }
    }

    func waitUntilFinished() {
        let target = posted.load(ordering: .relaxed)
        var spins = 0
        while finished.load(ordering: .acquiring) != target {
            spins += 1
            if spins & 1023 == 0 { sched_yield() }
        }
        job = nil
    }

    func loop(chunk: Int) -> Never {
        var seen = 0
        while true {
            let deadline = DispatchTime.now().uptimeNanoseconds + WorkerPool.spinTime
            var spins = 0
            while posted.load(ordering: .acquiring) == seen {
                spins += 1
                if spins & 255 == 0 && DispatchTime.now().uptimeNanoseconds > deadline {
                    condition.lock()
                    sleeping.store(true, ordering: .sequentiallyConsistent)
                    while posted.load(ordering: .sequentiallyConsistent) == seen { condition.wait() }
                    sleeping.store(false, ordering: .relaxed)
                    condition.unlock()
                }
            }
            seen = posted.load(ordering: .acquiring)
            job?(chunk)
            finished.store(seen, ordering: .releasing)
        }
    }
}
