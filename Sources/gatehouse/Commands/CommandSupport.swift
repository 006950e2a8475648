import ArgumentParser
import Foundation
import GatehouseCore
import GatehouseStorage
import Logging

/// A command that failed for a reason the user can act on: printed without a stack trace.
struct CommandFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

extension StorageOptions {
    /// Opens the configured database, brings it to the current schema, runs `body`, closes it.
    func withDatabase<T: Sendable>(_ body: (Database) async throws -> T) async throws -> T {
        let loader = ConfigurationLoader(storage: self)
        let configuration = try await loader.serverConfiguration()
        var logger = try await loader.logger()
        // Commands print their result on stdout; at the default level only problems are logged.
        if logger.logLevel == .info || logger.logLevel == .notice { logger.logLevel = .warning }
        let database = try await Database(location: configuration.database, logger: logger)
        do {
            try await Migrator(database: database).migrate(now: SystemWallClock().now().microsecondsSince1970)
            let result = try await body(database)
            try await database.shutdown()
            return result
        } catch {
            try? await database.shutdown()
            throw Self.readable(error)
        }
    }

    /// Domain errors in words that name the command-line flags.
    static func readable(_ error: any Error) -> any Error {
        switch error {
        case let error as FieldErrors:
            let lines = error.messages.sorted { $0.key < $1.key }.map { "--\($0.key.replacingOccurrences(of: "_", with: "-")) \($0.value)" }
            return CommandFailure(lines.joined(separator: "\n"))
        case let error as Conflict: return CommandFailure(error.message)
        case let error as NotFound: return CommandFailure(error.message)
        case let error as CommandFailure: return error
        case let error as ConfigurationProblems: return CommandFailure(error.description)
        case let error as MigrationError: return CommandFailure(error.description)
        default: return error
        }
    }

    /// The tenant named by `--tenant`.
    static func tenant(_ slug: String, in database: Database) async throws -> Tenant {
        let parsed: TenantSlug
        do { parsed = try TenantSlug(slug) } catch { throw CommandFailure("--tenant \(error.message)") }
        guard let tenant = try await SQLTenantRepository(database: database).find(slug: parsed) else {
            throw CommandFailure("There is no tenant '\(slug)'. Create it with: gatehouse tenant create --slug \(slug) --name \"…\"")
        }
        return tenant
    }
}
