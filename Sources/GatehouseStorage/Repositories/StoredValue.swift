import Foundation
import GatehouseCore
import PostgresKit
import SQLKit
import SQLiteKit

/// A row holds a value that the domain refuses: the database was edited by hand or by a
/// newer build. Reported, never papered over.
struct CorruptRow: Error, CustomStringConvertible {
    let description: String
}

extension SQLRow {
    func string(_ column: String) throws -> String { try decode(column: column, as: String.self) }
    func optionalString(_ column: String) throws -> String? { try decode(column: column, as: String?.self) }
    func instant(_ column: String) throws -> Date { Date(microsecondsSince1970: try decode(column: column, as: Int64.self)) }
    func optionalInstant(_ column: String) throws -> Date? {
        try decode(column: column, as: Int64?.self).map(Date.init(microsecondsSince1970:))
    }

    /// Parses a stored value with a domain initialiser, reporting the column when it fails.
    func parsed<T>(_ column: String, _ parse: (String) throws(InvalidValue) -> T) throws -> T {
        let text = try string(column)
        do { return try parse(text) } catch { throw CorruptRow(description: "\(column) '\(text)': \(error.message)") }
    }

    func optionalParsed<T>(_ column: String, _ parse: (String) throws(InvalidValue) -> T) throws -> T? {
        guard let text = try optionalString(column) else { return nil }
        do { return try parse(text) } catch { throw CorruptRow(description: "\(column) '\(text)': \(error.message)") }
    }

    func uuid(_ column: String) throws -> UUID {
        let text = try string(column)
        guard let id = UUID(uuidString: text) else { throw CorruptRow(description: "\(column) '\(text)' is not a UUID") }
        return id
    }
}

extension Date {
    /// The bind value storage uses for an instant.
    var stored: Int64 { microsecondsSince1970 }
}

extension UUID {
    /// Canonical lower-case text, as stored.
    var stored: String { uuidString.lowercased() }
}

/// Turns a unique-constraint violation from either database into the domain's ``Conflict``
/// (or, for Presence Reason list names, ``PresenceError/nameTaken``), by the constraint names
/// the migrations give them. Other errors pass through.
func mapUniqueViolation(_ error: any Error) -> any Error {
    let constraint: String
    if let error = error as? PSQLError, error.serverInfo?[.sqlState] == "23505" {
        constraint = error.serverInfo?[.constraintName] ?? ""
    } else if let error = error as? SQLiteError, error.message.hasPrefix("UNIQUE constraint failed") {
        // SQLite names the columns, not the constraint: "UNIQUE constraint failed: users.email_key".
        constraint = error.message
    } else {
        return error
    }
    if constraint.contains("users_email_key") || constraint.contains("users.email_key") { return Conflict.email }
    if constraint.contains("memberships_agent_id") || constraint.contains("memberships.agent_id") { return Conflict.agentID }
    if constraint.contains("tenants_slug") || constraint.contains("tenants.slug") { return Conflict.slug }
    if constraint.contains("presence_reason_lists_name") || constraint.contains("presence_reason_lists.name_key") {
        return PresenceError.nameTaken
    }
    return error
}

/// A view of a joined row whose columns for one table carry a prefix (`s_id`, `t_slug`), so the
/// table's own row mapping can read it with plain column names.
struct PrefixedRow: SQLRow {
    let row: any SQLRow
    let prefix: String

    var allColumns: [String] { row.allColumns.filter { $0.hasPrefix(prefix) }.map { String($0.dropFirst(prefix.count)) } }
    func contains(column: String) -> Bool { row.contains(column: prefix + column) }
    func decodeNil(column: String) throws -> Bool { try row.decodeNil(column: prefix + column) }
    func decode<D: Decodable>(column: String, as type: D.Type) throws -> D { try row.decode(column: prefix + column, as: type) }
}
