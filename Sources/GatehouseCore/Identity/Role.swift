import Foundation

/// What a member may do in a tenant. The permission matrix of a later issue gives each its
/// rights; for now administrators manage users and everyone else only signs in.
public enum Role: String, Sendable, CaseIterable, Codable, Comparable {
    case administrator
    case supervisor
    case manager
    case agent

    /// The fixed order used when roles are listed or stored, most powerful first.
    private var rank: Int { Role.allCases.firstIndex(of: self)! }
    public static func < (lhs: Role, rhs: Role) -> Bool { lhs.rank < rhs.rank }

    /// Parses a list of role names; an empty list or an unknown name is refused.
    public static func parseSet(_ names: [String]) throws(InvalidValue) -> Set<Role> {
        guard !names.isEmpty else { throw InvalidValue("must name at least one role") }
        var roles = Set<Role>()
        for name in names {
            guard let role = Role(rawValue: name.trimmingCharacters(in: .whitespaces).lowercased()) else {
                throw InvalidValue("'\(name)' is not a role; use administrator, supervisor, manager or agent")
            }
            roles.insert(role)
        }
        return roles
    }
}
