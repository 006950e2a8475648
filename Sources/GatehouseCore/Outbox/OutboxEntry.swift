public import Foundation

/// One message waiting to leave Gatehouse: an email or a webhook call. Written in the same
/// transaction as the change that caused it, so a change is never committed without its
/// message nor a message sent for a change that was rolled back.
///
/// The payload is sealed with the outbox key (it can hold invitation and reset links, which
/// are bearer secrets), bound to the entry's id.
public struct OutboxEntry: Sendable, Equatable {
    public let id: UUID
    public let tenantID: TenantID?
    public let kind: OutboxKind
    /// Entries with the same key are delivered one at a time in the order they were written
    /// (a webhook's events about one person). `nil`: no ordering.
    public let orderingKey: String?
    public let createdAt: Date
    /// Orders entries written in the same instant (one transaction writes several).
    public let position: Int
    /// A short description for administrators and logs, never secret (`invitation to ana@…`).
    public let summary: String
    public let sealedPayload: String

    public init(id: UUID = UUID(), tenantID: TenantID?, kind: OutboxKind, orderingKey: String?, createdAt: Date, position: Int = 0,
                summary: String, sealedPayload: String) {
        self.id = id
        self.tenantID = tenantID
        self.kind = kind
        self.orderingKey = orderingKey
        self.createdAt = createdAt
        self.position = position
        self.summary = summary
        self.sealedPayload = sealedPayload
    }

    /// What the seal binds a payload to: moving it to another entry makes it unreadable.
    public static func sealContext(_ id: UUID) -> String { "outbox:" + id.uuidString.lowercased() }
}

public enum OutboxKind: String, Sendable, Codable, CaseIterable {
    case email
    case webhook
}

/// Where an entry stands.
public enum OutboxStatus: String, Sendable, Codable, CaseIterable {
    /// Not delivered yet; tried again at `next_attempt_at`.
    case pending
    /// Accepted by the mail server or the webhook receiver.
    case delivered
    /// Given up on: a permanent refusal, or too many attempts.
    case failed
}

/// An entry as stored, with its delivery state.
public struct OutboxRecord: Sendable {
    public let entry: OutboxEntry
    public let status: OutboxStatus
    public let attempts: Int
    public let nextAttemptAt: Date?
    public let deliveredAt: Date?
    public let lastError: String?

    public init(entry: OutboxEntry, status: OutboxStatus, attempts: Int, nextAttemptAt: Date?, deliveredAt: Date?, lastError: String?) {
        self.entry = entry
        self.status = status
        self.attempts = attempts
        self.nextAttemptAt = nextAttemptAt
        self.deliveredAt = deliveredAt
        self.lastError = lastError
    }
}

/// The outbox table, as the delivery service and administrators use it. Entries are written by
/// the repositories of the changes that cause them, inside their transactions.
public protocol OutboxRepository: Sendable {
    /// Writes entries in a transaction of their own (changes that have no other write).
    func enqueue(_ entries: [OutboxEntry]) async throws
    /// Leases up to `limit` due entries to `owner` until `until`: pending, due, not leased by
    /// anyone else, and first in line for their ordering key. Two servers never lease the same
    /// entry at once.
    func lease(due now: Date, kinds: Set<OutboxKind>, limit: Int, owner: String, until: Date) async throws -> [OutboxRecord]
    /// Records a delivery. Only the holder of the lease can.
    func markDelivered(_ id: UUID, owner: String, at now: Date) async throws
    /// Records a failed attempt: tried again at `retryAt`, or failed for good when `nil`.
    func markAttemptFailed(_ id: UUID, owner: String, error: String, retryAt: Date?, at now: Date) async throws
    /// A tenant's entries of one kind, newest first.
    func list(tenant: TenantID, kind: OutboxKind, limit: Int) async throws -> [OutboxRecord]
}

/// When to try again after a failed delivery: exponential backoff from `baseSeconds`, capped
/// at `maxDelaySeconds`, with jitter so that a receiver coming back is not hit by every server
/// at once; after `maxAttempts` the entry fails for good.
public struct RetrySchedule: Sendable, Equatable {
    public var baseSeconds: Double
    public var maxDelaySeconds: Double
    public var maxAttempts: Int

    /// Defaults: 5 s doubling to at most an hour, 30 attempts (about 20 hours in all).
    public init(baseSeconds: Double = 5, maxDelaySeconds: Double = 3600, maxAttempts: Int = 30) {
        self.baseSeconds = baseSeconds
        self.maxDelaySeconds = maxDelaySeconds
        self.maxAttempts = maxAttempts
    }

    /// The next attempt after `attempts` failures, or `nil` when it is time to give up.
    public func nextAttempt(after attempts: Int, at now: Date, jitter: Double) -> Date? {
        guard attempts < maxAttempts else { return nil }
        let delay = min(maxDelaySeconds, baseSeconds * pow(2, Double(max(0, attempts - 1))))
        return now.addingTimeInterval(delay * (0.9 + 0.2 * min(max(jitter, 0), 1)))
    }
}
