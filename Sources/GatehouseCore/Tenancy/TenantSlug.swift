import Foundation

/// The short name of a tenant used in URLs and on the command line (`acme`, `acme-eu`).
/// Lower-case letters, digits and single hyphens; 2 to 63 characters, so it also fits a DNS
/// label should tenants get their own host names.
public struct TenantSlug: Hashable, Sendable, Codable, CustomStringConvertible {
    public let rawValue: String

    public init(_ text: String) throws(InvalidValue) {
        let slug = text.trimmingCharacters(in: .whitespaces)
        guard (2...63).contains(slug.count) else {
            throw InvalidValue("must be 2 to 63 characters long")
        }
        guard slug.allSatisfy({ $0.isASCII && ($0.isLowercase || $0.isNumber || $0 == "-") }) else {
            throw InvalidValue("may contain only lower-case letters, digits and hyphens")
        }
        guard slug.first != "-", slug.last != "-", !slug.contains("--") else {
            throw InvalidValue("must not start or end with a hyphen or contain two in a row")
        }
        self.rawValue = slug
    }

    public var description: String { rawValue }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        do { try self.init(text) } catch {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: error.message))
        }
    }
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }
}
