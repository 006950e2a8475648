import Foundation

/// Which database Gatehouse uses: one SQLite file (the default) or a PostgreSQL server.
public enum DatabaseLocation: Sendable, Equatable, CustomStringConvertible {
    case sqlite(path: String)
    case postgres(url: String)

    /// Parses `sqlite:PATH` or `postgres://user:pass@host:port/db` (also `postgresql://`).
    public init(url: String) throws(DatabaseLocationError) {
        if url.hasPrefix("sqlite:") {
            var path = String(url.dropFirst("sqlite:".count))
            if path.hasPrefix("//") { path = String(path.dropFirst(2)) }  // sqlite:///abs/path
            guard !path.isEmpty else { throw DatabaseLocationError("sqlite: needs a file path, as in sqlite:./gatehouse-data/gatehouse.sqlite") }
            self = .sqlite(path: path)
        } else if url.hasPrefix("postgres://") || url.hasPrefix("postgresql://") {
            guard let parsed = URL(string: url), parsed.host != nil else {
                throw DatabaseLocationError("not a valid PostgreSQL URL; use postgres://user:password@host:5432/database")
            }
            self = .postgres(url: url.hasPrefix("postgresql://") ? "postgres://" + url.dropFirst("postgresql://".count) : url)
        } else {
            throw DatabaseLocationError("use sqlite:PATH or postgres://user:password@host:port/database")
        }
    }

    /// The SQLite file inside a data directory.
    public static func defaultSQLite(inDataDirectory directory: String) -> DatabaseLocation {
        .sqlite(path: (directory as NSString).appendingPathComponent("gatehouse.sqlite"))
    }

    public var kind: DatabaseKind {
        switch self {
        case .sqlite: .sqlite
        case .postgres: .postgres
        }
    }

    /// A description safe for logs: the password of a PostgreSQL URL is masked.
    public var description: String {
        switch self {
        case .sqlite(let path): return "sqlite at \(path)"
        case .postgres(let url):
            guard var components = URLComponents(string: url) else { return "postgres" }
            if components.password != nil { components.password = "***" }
            return "postgres at \(components.string ?? "postgres")"
        }
    }
}

/// The two databases Gatehouse runs on, with one schema and one set of queries.
public enum DatabaseKind: String, Sendable {
    case sqlite
    case postgres
}

public struct DatabaseLocationError: Error, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
}
