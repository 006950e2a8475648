public import Foundation

/// Counters of guesses per key (an account, a client address), kept in the database so that
/// every server sharing it counts together and parallel attempts cannot slip past the limit.
public protocol AttemptCounterRepository: Sendable {
    /// Counts one attempt for `key` in a fixed window of `windowSeconds` and returns the state
    /// after it. A key that is locked is not counted again. An expired lock or window starts
    /// a fresh count. One atomic statement.
    func count(_ key: String, at now: Date, windowSeconds: Int) async throws -> AttemptCount
    /// Takes back one attempt that was counted but never judged (the server was too busy to
    /// check the password), so that the person is not punished for the server's load.
    func release(_ key: String) async throws
    /// Locks `key` until `until` (unless a later lock is already set).
    func lock(_ key: String, until: Date) async throws
    /// Forgets `key` (after a successful sign-in, or an administrator's unlock).
    /// - Returns: whether it was locked at `now`.
    @discardableResult func clear(_ key: String, at now: Date) async throws -> Bool
}

/// Attempts counted in the current window, and the lock if one is in force.
public struct AttemptCount: Sendable, Equatable {
    public let attempts: Int
    public let lockedUntil: Date?

    public init(attempts: Int, lockedUntil: Date?) {
        self.attempts = attempts
        self.lockedUntil = lockedUntil
    }

    public func isLocked(at now: Date) -> Bool { lockedUntil.map { $0 > now } ?? false }
}
