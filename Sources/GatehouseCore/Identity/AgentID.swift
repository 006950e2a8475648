import Foundation

/// The numeric ID an agent types instead of an email on their tenant's login page.
/// Digits only, 1 to 20 of them; unique within a tenant, not across tenants. Leading zeros
/// are significant ("0042" is not "42"), as badge numbers often have them.
public struct AgentID: Hashable, Sendable, CustomStringConvertible {
    public let value: String

    public init(_ text: String) throws(InvalidValue) {
        let digits = text.trimmingCharacters(in: .whitespaces)
        guard !digits.isEmpty, digits.count <= 20, digits.unicodeScalars.allSatisfy({ ("0"..."9").contains($0) }) else {
            throw InvalidValue("must be 1 to 20 digits (0-9)")
        }
        self.value = digits
    }

    public var description: String { value }
}
