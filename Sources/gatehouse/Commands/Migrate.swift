import ArgumentParser
import GatehouseCore
import GatehouseStorage

/// `gatehouse migrate`: apply pending migrations and say where the schema stands.
struct Migrate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Bring the database schema up to date.")

    @OptionGroup var storage: StorageOptions

    func run() async throws {
        let version = try await storage.withDatabase { database in
            try await Migrator(database: database).currentVersion()
        }
        print("database schema at version \(version)")
    }
}
