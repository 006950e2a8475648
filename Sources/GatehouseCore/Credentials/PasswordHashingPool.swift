import Foundation
import Synchronization

/// Runs password hashing on a few dedicated threads, never on the event loops, with a bounded
/// queue: when sign-ins arrive faster than the cores can hash, callers beyond the queue get
/// ``PasswordHashingBusy`` at once (answered 503 with Retry-After) instead of every request
/// slowing down until all of them time out.
public final class PasswordHashingPool: Sendable {
    private struct Job {
        let work: @Sendable () -> Void
    }

    private struct State {
        var queue: [Job] = []
        var head = 0
        var running = true
        var pending: Int { queue.count - head }
    }

    private let state = Mutex(State())
    private let condition = NSCondition()
    /// Jobs allowed to wait; more are refused.
    public let queueLimit: Int
    /// Threads hashing at once.
    public let workers: Int

    /// - Parameters:
    ///   - workers: threads; default one per core.
    ///   - queueLimit: jobs allowed to wait; default 1000 (about 15 s of work on two cores at 30 ms each).
    public init(workers: Int? = nil, queueLimit: Int = 1000) {
        self.workers = max(1, workers ?? ProcessInfo.processInfo.activeProcessorCount)
        self.queueLimit = max(1, queueLimit)
        for index in 0..<self.workers {
            let thread = Thread { [self] in self.runWorker() }
            thread.name = "gatehouse-hash-\(index)"
            thread.start()
        }
    }

    /// Runs `work` on a pool thread.
    /// - Throws: ``PasswordHashingBusy`` when the queue is full.
    public func run<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
            let job = Job { continuation.resume(with: Result { try work() }) }
            condition.lock()
            let accepted = state.withLock { state -> Bool in
                guard state.running, state.pending < queueLimit else { return false }
                state.queue.append(job)
                return true
            }
            condition.signal()
            condition.unlock()
            if !accepted { continuation.resume(throwing: PasswordHashingBusy(retryAfterSeconds: retryAfterSeconds)) }
        }
    }

    /// Jobs waiting now.
    public var pending: Int { state.withLock { $0.pending } }

    /// A hint for clients refused because the queue is full: roughly how long the queue takes to drain.
    private var retryAfterSeconds: Int { max(1, min(30, queueLimit / (workers * 30))) }

    /// Stops the threads once the queue is empty.
    public func shutdown() {
        condition.lock()
        state.withLock { $0.running = false }
        condition.broadcast()
        condition.unlock()
    }

    private func runWorker() {
        while true {
            condition.lock()
            var job: Job?
            while job == nil {
                let (next, stop) = state.withLock { state -> (Job?, Bool) in
                    guard state.pending > 0 else { return (nil, !state.running) }
                    let job = state.queue[state.head]
                    state.head += 1
                    if state.head > 1024, state.head * 2 > state.queue.count {
                        state.queue.removeFirst(state.head)
                        state.head = 0
                    }
                    return (job, false)
                }
                if stop {
                    condition.unlock()
                    return
                }
                job = next
                if job == nil { condition.wait() }
            }
            condition.unlock()
            job!.work()
        }
    }
}

/// Refused because the hashing queue is full.
public struct PasswordHashingBusy: Error, Sendable, Equatable {
    public let retryAfterSeconds: Int
    public init(retryAfterSeconds: Int) { self.retryAfterSeconds = retryAfterSeconds }
}
