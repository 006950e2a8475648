public import Foundation

/// The stable identity of an entity: a UUID, typed by what it identifies so that a tenant's
/// id can never be passed where a user's is expected.
public struct EntityID<Entity>: Hashable, Sendable, Codable, CustomStringConvertible {
    public let rawValue: UUID

    public init(_ rawValue: UUID = UUID()) { self.rawValue = rawValue }

    public init?(string: String) {
        guard let uuid = UUID(uuidString: string) else { return nil }
        self.rawValue = uuid
    }

    /// Lower-case canonical form, as stored and as shown in JSON.
    public var description: String { rawValue.uuidString.lowercased() }

    public init(from decoder: any Decoder) throws {
        self.rawValue = try UUID(from: decoder)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}

/// Identifies a ``Tenant``.
public typealias TenantID = EntityID<Tenant>
/// Identifies a person (``User``) across every tenant they belong to.
public typealias UserID = EntityID<User>
