import Foundation
public import Logging
import NIOCore
import Synchronization
import NIOPosix
import PostgresKit
public import SQLKit
import SQLiteKit
public import ServiceLifecycle

/// The connection pool to SQLite or PostgreSQL, and the two ways repositories use it:
/// ``read(_:)`` for queries and ``write(_:)`` for transactions.
///
/// Write transactions on SQLite start with `BEGIN IMMEDIATE` (taking the write lock up front,
/// so two writers never deadlock upgrading a read lock) and are serialised in-process, so
/// waiting writers queue here rather than polling SQLite's lock.
public final class Database: Sendable {
    public let kind: DatabaseKind
    public let location: DatabaseLocation
    let logger: Logger
    private let pool: Pool
    private let sqliteWriter = AsyncSerialGate()

    // AsyncKit's pool guards its state with a lock but predates Sendable annotations.
    private enum Pool: @unchecked Sendable {
        case sqlite(EventLoopGroupConnectionPool<SQLiteConnectionFactory>)
        case postgres(EventLoopGroupConnectionPool<PostgresConnectionSource>)
    }

    /// Opens a pool. For SQLite it creates the file's directory and switches the file to WAL
    /// mode (a property of the file, so once is enough).
    public init(location: DatabaseLocation, logger: Logger, maxConnectionsPerEventLoop: Int = 4) async throws {
        self.location = location
        self.kind = location.kind
        self.logger = logger
        let group = MultiThreadedEventLoopGroup.singleton
        switch location {
        case .sqlite(let path):
            let directory = (path as NSString).deletingLastPathComponent
            if !directory.isEmpty {
                try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            }
            let pool = EventLoopGroupConnectionPool(source: SQLiteConnectionFactory(path: path),
                                                    maxConnectionsPerEventLoop: maxConnectionsPerEventLoop,
                                                    pruneInterval: nil, logger: logger, on: group)
            self.pool = .sqlite(pool)
            try await read { try await $0.raw("PRAGMA journal_mode = WAL").run() }
        case .postgres(let url):
            // TLS follows the URL's sslmode/tlsmode (libpq's names); without one, TLS is used when the server offers it.
            var configuration = try SQLPostgresConfiguration(url: url)
            // `?search_path=schema` confines Gatehouse to one schema (tests give each run its own).
            configuration.searchPath = URLComponents(string: url)?.queryItems?.first(where: { $0.name == "search_path" })?.value.map { [$0] }
            self.pool = .postgres(EventLoopGroupConnectionPool(source: PostgresConnectionSource(sqlConfiguration: configuration),
                                                               maxConnectionsPerEventLoop: maxConnectionsPerEventLoop,
                                                               pruneInterval: .seconds(60), logger: logger, on: group))
        }
    }

    /// Runs `body` on one pooled connection, outside any transaction.
    public func read<T: Sendable>(_ body: @Sendable (any SQLDatabase) async throws -> T) async throws -> T {
        switch pool {
        case .sqlite(let pool):
            let connection = try await pool.requestConnection().get()
            defer { pool.releaseConnection(connection) }
            return try await body(connection.sql())
        case .postgres(let pool):
            let connection = try await pool.requestConnection().get()
            defer { pool.releaseConnection(connection) }
            return try await body(connection.sql())
        }
    }

    /// Runs `body` in one transaction: committed when it returns, rolled back when it throws.
    public func write<T: Sendable>(_ body: @Sendable (any SQLDatabase) async throws -> T) async throws -> T {
        switch pool {
        case .sqlite:
            return try await sqliteWriter.run {
                try await self.read { database in
                    try await Self.inTransaction(database, begin: "BEGIN IMMEDIATE", body)
                }
            }
        case .postgres:
            return try await read { database in
                try await Self.inTransaction(database, begin: "BEGIN", body)
            }
        }
    }

    private static func inTransaction<T: Sendable>(_ database: any SQLDatabase, begin: String,
                                                   _ body: @Sendable (any SQLDatabase) async throws -> T) async throws -> T {
        try await database.raw(SQLQueryString(begin)).run()
        do {
            let result = try await body(database)
            try await database.raw("COMMIT").run()
            return result
        } catch {
            try? await database.raw("ROLLBACK").run()
            throw error
        }
    }

    /// Whether the database answers a trivial query.
    public func ping() async throws {
        try await read { try await $0.raw("SELECT 1").run() }
    }

    /// Closes every connection.
    public func shutdown() async throws {
        switch pool {
        case .sqlite(let pool): try await pool.shutdownAsync()
        case .postgres(let pool): try await pool.shutdownAsync()
        }
    }
}

extension Database: Service {
    /// Keeps the pool open while the server runs and closes it after the HTTP server has
    /// drained (the service group stops services in reverse order).
    public func run() async throws {
        try? await gracefulShutdown()
        try await shutdown()
    }
}

/// Lets one task at a time through, in arrival order, without blocking threads.
final class AsyncSerialGate: Sendable {
    private let state = Mutex(State())

    private struct State {
        var busy = false
        var waiters: [CheckedContinuation<Void, Never>] = []
    }

    func run<T: Sendable>(_ body: @Sendable () async throws -> T) async throws -> T {
        await enter()
        defer { leave() }
        return try await body()
    }

    private func enter() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let proceed = state.withLock { state -> Bool in
                if state.busy {
                    state.waiters.append(continuation)
                    return false
                }
                state.busy = true
                return true
            }
            if proceed { continuation.resume() }
        }
    }

    private func leave() {
        let next = state.withLock { state -> CheckedContinuation<Void, Never>? in
            if state.waiters.isEmpty {
                state.busy = false
                return nil
            }
            return state.waiters.removeFirst()
        }
        next?.resume()
    }
}
