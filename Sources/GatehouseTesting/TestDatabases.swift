import Foundation
public import GatehouseStorage
import Logging
import SQLKit

/// The databases every storage and HTTP test runs on: SQLite always, PostgreSQL too when
/// `GATEHOUSE_TEST_POSTGRES_URL` is set (the test script always sets it).
public enum TestDatabases {
    /// The kinds to run tests on.
    public static var kinds: [DatabaseKind] {
        postgresURL == nil ? [.sqlite] : [.sqlite, .postgres]
    }

    static var postgresURL: String? {
        ProcessInfo.processInfo.environment["GATEHOUSE_TEST_POSTGRES_URL"].flatMap { $0.isEmpty ? nil : $0 }
    }

    /// Runs `body` with a fresh, migrated database of `kind`, removed afterwards: a temporary
    /// SQLite file, or a PostgreSQL schema of its own.
    public static func withDatabase<T: Sendable>(_ kind: DatabaseKind, migrate: Bool = true,
                                                 _ body: (Database) async throws -> T) async throws -> T {
        var logger = Logger(label: "test")
        logger.logLevel = .warning
        let name = "t_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(16).lowercased()
        let location: DatabaseLocation
        var cleanup: () async throws -> Void
        switch kind {
        case .sqlite:
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("gatehouse-test-\(name)")
            location = .sqlite(path: directory.appendingPathComponent("gatehouse.sqlite").path)
            cleanup = { try? FileManager.default.removeItem(at: directory) }
        case .postgres:
            guard let url = postgresURL else { throw TestDatabaseError(description: "GATEHOUSE_TEST_POSTGRES_URL is not set") }
            let admin = try await Database(location: .postgres(url: url), logger: logger)
            try await admin.read { try await $0.raw("CREATE SCHEMA \(ident: name)").run() }
            location = .postgres(url: url + (url.contains("?") ? "&" : "?") + "search_path=\(name)")
            cleanup = {
                try await admin.read { try await $0.raw("DROP SCHEMA \(ident: name) CASCADE").run() }
                try await admin.shutdown()
            }
        }
        let database = try await Database(location: location, logger: logger)
        do {
            if migrate { try await Migrator(database: database).migrate(now: 0) }
            let result = try await body(database)
            try await database.shutdown()
            try await cleanup()
            return result
        } catch {
            try? await database.shutdown()
            try? await cleanup()
            throw error
        }
    }
}

struct TestDatabaseError: Error, CustomStringConvertible {
    let description: String
}
