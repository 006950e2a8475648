import GatehouseCore
@testable import GatehouseStorage
import GatehouseTesting
import SQLKit
import Testing

@Suite struct MigratorTests {
    @Test(arguments: TestDatabases.kinds)
    func migrate_appliesOnce_andRecordsTheVersion(_ kind: DatabaseKind) async throws {
        try await TestDatabases.withDatabase(kind, migrate: false) { database in
            let migrator = Migrator(database: database)
            #expect(try await migrator.currentVersion() == 0)
            await #expect(throws: MigrationError.databaseOlder(database: 0, binary: migrator.latestVersion)) {
                try await migrator.verifyCurrent()
            }
            #expect(try await migrator.migrate(now: 1) == Migration.all.map(\.version))
            #expect(try await migrator.migrate(now: 2) == [])
            #expect(try await migrator.currentVersion() == migrator.latestVersion)
            try await migrator.verifyCurrent()
        }
    }

    @Test(arguments: TestDatabases.kinds)
    func databaseNewerThanTheBinary_isRefused(_ kind: DatabaseKind) async throws {
        try await TestDatabases.withDatabase(kind) { database in
            let latest = Migrator(database: database).latestVersion
            try await database.write { db in
                try await db.raw("INSERT INTO schema_migrations (version, name, applied_at) VALUES (\(bind: Int64(latest + 1)), 'future', 0)").run()
            }
            let newer = MigrationError.databaseNewer(database: latest + 1, binary: latest)
            await #expect(throws: newer) { try await Migrator(database: database).migrate(now: 3) }
            await #expect(throws: newer) { try await Migrator(database: database).verifyCurrent() }
            #expect(newer.description.contains("newer"))
        }
    }

    @Test(arguments: TestDatabases.kinds)
    func failedMigration_leavesNothingBehind(_ kind: DatabaseKind) async throws {
        try await TestDatabases.withDatabase(kind) { database in
            let broken = Migration(99, "broken", common: ["CREATE TABLE half_done (id TEXT)", "THIS IS NOT SQL"])
            await #expect(throws: (any Error).self) {
                try await Migrator(database: database, migrations: Migration.all + [broken]).migrate(now: 4)
            }
            #expect(try await Migrator(database: database).currentVersion() == Migrator(database: database).latestVersion)
            // The table created before the failure was rolled back with it.
            try await database.write { try await $0.raw("CREATE TABLE half_done (id TEXT)").run() }
        }
    }
}
