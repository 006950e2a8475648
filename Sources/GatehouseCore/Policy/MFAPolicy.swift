/// When sign-in asks for a second factor (top-level tenant settings `mfa_policy` and
/// `mfa_required_roles`). MFA applies to password sign-in only; single sign-on never prompts.
public struct MFAPolicy: Sendable, Equatable {
    public enum Mode: String, Sendable, CaseIterable {
        /// No second factor: nobody is asked and nobody may enrol.
        case off
        /// People may enrol; those who did are asked at sign-in.
        case optional
        /// Everyone (or everyone with one of `requiredRoles`) must have a device; sign-in
        /// without one goes through enrolment before any session exists.
        case required
    }

    public var mode = Mode.optional
    /// With `required`: only members holding one of these roles must; empty means everyone.
    public var requiredRoles: Set<Role> = []

    public init() {}

    static let fields: Set<String> = ["mfa_policy", "mfa_required_roles"]

    init(_ document: [String: JSONValue], errors: inout FieldErrors) {
        var reader = SettingsReader(topLevel: document, errors: errors)
        mode = reader.choice("mfa_policy", default: mode, Mode.self)
        errors = reader.errors
        if let raw = document["mfa_required_roles"], raw != .null {
            guard case .array(let items) = raw else {
                errors.add("mfa_required_roles", "must be an array of roles")
                return
            }
            var roles = Set<Role>()
            for item in items {
                if case .string(let name) = item, let role = try? Role.parseSet([name]).first { roles.insert(role) }
                else { errors.add("mfa_required_roles", "must list roles: " + Role.allCases.map(\.rawValue).joined(separator: ", ")) }
            }
            requiredRoles = roles
        }
    }

    var json: [String: JSONValue] {
        ["mfa_policy": .string(mode.rawValue),
         "mfa_required_roles": .array(requiredRoles.sorted().map { .string($0.rawValue) })]
    }

    /// Whether `member` must have a second factor.
    public func requires(_ member: Member) -> Bool {
        guard mode == .required else { return false }
        return requiredRoles.isEmpty || !requiredRoles.isDisjoint(with: member.membership.roles)
    }
}
