public import Foundation
public import GatehouseCore
import SQLKit

/// Guess counters in `attempt_counters`: one row per key, updated by a single upsert so that
/// parallel attempts on any number of servers are counted exactly.
public struct SQLAttemptCounterRepository: AttemptCounterRepository {
    let database: Database

    public init(database: Database) { self.database = database }

    public func count(_ key: String, at now: Date, windowSeconds: Int) async throws -> AttemptCount {
        let now = now.stored, windowStart = now - Int64(windowSeconds) * 1_000_000
        // A lock in force freezes the row; an expired lock or window starts a fresh count.
        let row = try await database.write { db in
            try await db.raw("""
                INSERT INTO attempt_counters (counter_key, window_started_at, attempts, locked_until)
                VALUES (\(bind: key), \(bind: now), 1, NULL)
                ON CONFLICT (counter_key) DO UPDATE SET
                attempts = CASE
                    WHEN attempt_counters.locked_until > \(bind: now) THEN attempt_counters.attempts
                    WHEN attempt_counters.window_started_at <= \(bind: windowStart) OR attempt_counters.locked_until IS NOT NULL THEN 1
                    ELSE attempt_counters.attempts + 1 END,
                window_started_at = CASE
                    WHEN attempt_counters.locked_until > \(bind: now) THEN attempt_counters.window_started_at
                    WHEN attempt_counters.window_started_at <= \(bind: windowStart) OR attempt_counters.locked_until IS NOT NULL THEN \(bind: now)
                    ELSE attempt_counters.window_started_at END,
                locked_until = CASE WHEN attempt_counters.locked_until > \(bind: now) THEN attempt_counters.locked_until ELSE NULL END
                RETURNING attempts, locked_until
                """).first()
        }
        guard let row else { throw CorruptRow(description: "the attempt counter upsert returned nothing") }
        return AttemptCount(attempts: Int(try row.decode(column: "attempts", as: Int64.self)),
                            lockedUntil: try row.optionalInstant("locked_until"))
    }

    public func release(_ key: String) async throws {
        try await database.write { db in
            try await db.raw("""
                UPDATE attempt_counters SET attempts = attempts - 1
                WHERE counter_key = \(bind: key) AND attempts > 0 AND locked_until IS NULL
                """).run()
        }
    }

    public func lock(_ key: String, until: Date) async throws {
        try await database.write { db in
            // An upsert: a name whose count a right password just cleared can still be locked
            // (wrong second-factor codes lock every name of the person).
            try await db.raw("""
                INSERT INTO attempt_counters (counter_key, window_started_at, attempts, locked_until)
                VALUES (\(bind: key), \(bind: until.stored), 0, \(bind: until.stored))
                ON CONFLICT (counter_key) DO UPDATE SET locked_until = \(bind: until.stored)
                WHERE attempt_counters.locked_until IS NULL OR attempt_counters.locked_until < \(bind: until.stored)
                """).run()
        }
    }

    public func clear(_ key: String, at now: Date) async throws -> Bool {
        let lockedUntil = try await database.write { try await Self.delete(key, in: $0) }
        return lockedUntil.map { $0 > now } ?? false
    }

    /// Deletes a counter inside a caller's transaction. - Returns: its lock, if it had one.
    static func delete(_ key: String, in db: any SQLDatabase) async throws -> Date? {
        try await db.raw("DELETE FROM attempt_counters WHERE counter_key = \(bind: key) RETURNING locked_until").first()?
            .optionalInstant("locked_until")
    }
}
