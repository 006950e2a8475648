/// Who needs a Presence Reason list to sign in (top-level tenant setting
/// `presence_gate_roles`, default `["agent"]`; `[]` gates nobody).
public struct PresencePolicy: Sendable, Equatable {
    /// Members holding any of these roles get no session without an effective list.
    public var gateRoles: Set<Role> = [.agent]

    public init() {}

    static let fields: Set<String> = ["presence_gate_roles"]

    init(_ document: [String: JSONValue], errors: inout FieldErrors) {
        var reader = SettingsReader(topLevel: document, errors: errors)
        gateRoles = reader.roles("presence_gate_roles", default: gateRoles)
        errors = reader.errors
    }

    var json: [String: JSONValue] {
        ["presence_gate_roles": .array(gateRoles.sorted().map { .string($0.rawValue) })]
    }

    /// Whether `member` needs a Presence Reason list to sign in.
    public func gates(_ member: Member) -> Bool {
        !gateRoles.isDisjoint(with: member.membership.roles)
    }
}
