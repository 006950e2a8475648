import SQLKit

/// Brings a database to this build's schema, or says why it cannot.
public struct Migrator: Sendable {
    let database: Database
    let migrations: [Migration]

    public init(database: Database) {
        self.init(database: database, migrations: Migration.all)
    }

    init(database: Database, migrations: [Migration]) {
        self.database = database
        self.migrations = migrations
    }

    /// The newest schema version this build knows.
    public var latestVersion: Int { migrations.last?.version ?? 0 }

    /// Applies every pending migration in one transaction (DDL is transactional on both
    /// databases, so a failed migration leaves nothing half done). On PostgreSQL an advisory
    /// lock makes servers starting together take turns.
    /// - Returns: the versions applied.
    /// - Throws: ``MigrationError/databaseNewer`` when the database was migrated by a newer build.
    @discardableResult
    public func migrate(now: Int64) async throws -> [Int] {
        let kind = database.kind
        let migrations = self.migrations
        let latest = latestVersion
        return try await database.write { db in
            if kind == .postgres {
                // An arbitrary constant naming Gatehouse's migration lock.
                try await db.raw("SELECT pg_advisory_xact_lock(7236498201)").run()
            }
            try await Self.createBookkeeping(db)
            let applied = try await Self.appliedVersions(db)
            if let newest = applied.max(), newest > latest {
                throw MigrationError.databaseNewer(database: newest, binary: latest)
            }
            var done: [Int] = []
            for migration in migrations where !applied.contains(migration.version) {
                for statement in migration.statements(for: kind) {
                    try await db.raw(SQLQueryString(statement)).run()
                }
                try await db.insert(into: "schema_migrations")
                    .columns("version", "name", "applied_at")
                    .values(SQLBind(Int64(migration.version)), SQLBind(migration.name), SQLBind(now))
                    .run()
                done.append(migration.version)
            }
            return done
        }
    }

    /// Checks, without changing anything, that the database is exactly at this build's version.
    public func verifyCurrent() async throws {
        let latest = latestVersion
        let applied = try await database.read { db in
            try await Self.createBookkeeping(db)
            return try await Self.appliedVersions(db)
        }
        let newest = applied.max() ?? 0
        if newest > latest { throw MigrationError.databaseNewer(database: newest, binary: latest) }
        if newest < latest { throw MigrationError.databaseOlder(database: newest, binary: latest) }
    }

    /// The version the database is at (0 when new).
    public func currentVersion() async throws -> Int {
        try await database.read { db in
            try await Self.createBookkeeping(db)
            return try await Self.appliedVersions(db).max() ?? 0
        }
    }

    private static func createBookkeeping(_ db: any SQLDatabase) async throws {
        try await db.raw("""
            CREATE TABLE IF NOT EXISTS schema_migrations (
                version BIGINT PRIMARY KEY,
                name TEXT NOT NULL,
                applied_at BIGINT NOT NULL
            )
            """).run()
    }

    private static func appliedVersions(_ db: any SQLDatabase) async throws -> Set<Int> {
        let rows = try await db.select().column("version").from("schema_migrations").all()
        return Set(try rows.map { Int(try $0.decode(column: "version", as: Int64.self)) })
    }
}

/// Why the schema and this build do not fit.
public enum MigrationError: Error, CustomStringConvertible, Equatable {
    case databaseNewer(database: Int, binary: Int)
    case databaseOlder(database: Int, binary: Int)

    public var description: String {
        switch self {
        case .databaseNewer(let database, let binary):
            return "The database schema is at version \(database), newer than this gatehouse build knows (\(binary)). "
                + "It was migrated by a newer release: run that release, or restore a backup taken before the upgrade."
        case .databaseOlder(let database, let binary):
            return "The database schema is at version \(database) but this build needs \(binary). "
                + "Run `gatehouse migrate` (or start without --no-migrate)."
        }
    }
}
