import Foundation

/// Where a member stands in a tenant.
public enum MembershipStatus: String, Sendable, CaseIterable, Codable {
    /// Created and asked to set a password; cannot sign in yet.
    case invited
    /// May sign in.
    case active
    /// Kept for the record but refused at sign-in.
    case disabled

    public static func parse(_ text: String) throws(InvalidValue) -> MembershipStatus {
        guard let status = MembershipStatus(rawValue: text.trimmingCharacters(in: .whitespaces).lowercased()) else {
            throw InvalidValue("must be invited, active or disabled")
        }
        return status
    }
}
