public import Foundation

/// How a PATCH treats one field: leave it, clear it (JSON `null`), or set it.
public enum FieldUpdate<Value: Sendable>: Sendable {
    case keep
    case clear
    case set(Value)
}

/// A new member as a client sent it, before any checking. Every field is optional here so
/// that a missing one is reported with the others, not as a decoding failure.
public struct NewMemberInput: Sendable {
    public var email: String?
    public var firstName: String?
    public var lastName: String?
    public var phone: String?
    public var agentID: String?
    public var roles: [String]?
    public var language: String?
    public var status: String?
    public var presenceReasonListID: String?

    public init(email: String? = nil, firstName: String? = nil, lastName: String? = nil, phone: String? = nil,
                agentID: String? = nil, roles: [String]? = nil, language: String? = nil, status: String? = nil,
                presenceReasonListID: String? = nil) {
        self.email = email
        self.firstName = firstName
        self.lastName = lastName
        self.phone = phone
        self.agentID = agentID
        self.roles = roles
        self.language = language
        self.status = status
        self.presenceReasonListID = presenceReasonListID
    }
}

/// Changes to a member as a client sent them. `nil` leaves a field as it is.
public struct MemberChangesInput: Sendable {
    public var email: String?
    public var firstName: String?
    public var lastName: String?
    public var phone: FieldUpdate<String> = .keep
    public var agentID: FieldUpdate<String> = .keep
    public var roles: [String]?
    public var language: String?
    public var status: String?
    public var presenceReasonListID: FieldUpdate<String> = .keep

    public init() {}
}

/// A new member whose every field has been checked.
public struct MemberDraft: Sendable {
    public let email: EmailAddress
    public let firstName: String
    public let lastName: String
    public let phone: PhoneNumber?
    public let agentID: AgentID?
    public let roles: Set<Role>
    public let language: LanguageTag
    public let status: MembershipStatus
    public let presenceReasonListID: UUID?

    /// Checks every field and reports all problems together.
    public init(_ input: NewMemberInput, defaultStatus: MembershipStatus = .active) throws(FieldErrors) {
        var errors = FieldErrors()
        let email = errors.collect("email") { () throws(InvalidValue) in try EmailAddress(Self.required(input.email)) }
        let first = errors.collect("first_name") { () throws(InvalidValue) in try DisplayText(Self.required(input.firstName)).value }
        let last = errors.collect("last_name") { () throws(InvalidValue) in try DisplayText(Self.required(input.lastName)).value }
        let phone = errors.collect("phone") { () throws(InvalidValue) in try Self.optional(input.phone).map(PhoneNumber.init) }
        let agentID = errors.collect("agent_id") { () throws(InvalidValue) in try Self.optional(input.agentID).map(AgentID.init) }
        let roles = errors.collect("roles") { () throws(InvalidValue) in try Role.parseSet(input.roles ?? []) }
        let language = errors.collect("language") { () throws(InvalidValue) in try input.language.map(LanguageTag.init) ?? .english }
        let status = errors.collect("status") { () throws(InvalidValue) in try input.status.map(MembershipStatus.parse) ?? defaultStatus }
        let list = errors.collect("presence_reason_list_id") { () throws(InvalidValue) in
            try Self.optional(input.presenceReasonListID).map(Self.presenceReasonListID)
        }
        try errors.throwIfAny()
        self.email = email!
        self.firstName = first!
        self.lastName = last!
        self.phone = phone!
        self.agentID = agentID!
        self.roles = roles!
        self.language = language!
        self.status = status!
        self.presenceReasonListID = list!
    }

    /// Whether it names a list at all; that it is one of the tenant's is checked where lists are known.
    static func presenceReasonListID(_ text: String) throws(InvalidValue) -> UUID {
        guard let id = UUID(uuidString: text.trimmingCharacters(in: .whitespaces)) else { throw InvalidValue(PresenceReasonList.unknownListMessage) }
        return id
    }

    static func required(_ value: String?) throws(InvalidValue) -> String {
        guard let value, !value.trimmingCharacters(in: .whitespaces).isEmpty else { throw InvalidValue("is required") }
        return value
    }

    /// An empty string is the same as no value for optional text fields.
    static func optional(_ value: String?) -> String? {
        guard let value, !value.trimmingCharacters(in: .whitespaces).isEmpty else { return nil }
        return value
    }
}

extension Member {
    /// Applies checked changes; every bad field is reported together and nothing changes
    /// unless all are good.
    public mutating func apply(_ input: MemberChangesInput, at now: Date) throws(FieldErrors) {
        var errors = FieldErrors()
        var changed = self
        if let email = input.email, let value = errors.collect("email", { () throws(InvalidValue) in try EmailAddress(email) }) {
            changed.user.email = value
        }
        if let first = input.firstName, let value = errors.collect("first_name", { () throws(InvalidValue) in try DisplayText(first).value }) {
            changed.user.firstName = value
        }
        if let last = input.lastName, let value = errors.collect("last_name", { () throws(InvalidValue) in try DisplayText(last).value }) {
            changed.user.lastName = value
        }
        switch input.phone {
        case .keep: break
        case .clear: changed.user.phone = nil
        case .set(let text):
            if let value = errors.collect("phone", { () throws(InvalidValue) in try MemberDraft.optional(text).map(PhoneNumber.init) }) {
                changed.user.phone = value
            }
        }
        switch input.agentID {
        case .keep: break
        case .clear: changed.membership.agentID = nil
        case .set(let text):
            if let value = errors.collect("agent_id", { () throws(InvalidValue) in try MemberDraft.optional(text).map(AgentID.init) }) {
                changed.membership.agentID = value
            }
        }
        if let roles = input.roles, let value = errors.collect("roles", { () throws(InvalidValue) in try Role.parseSet(roles) }) {
            changed.membership.roles = value
        }
        if let language = input.language, let value = errors.collect("language", { () throws(InvalidValue) in try LanguageTag(language) }) {
            changed.user.language = value
        }
        if let status = input.status, let value = errors.collect("status", { () throws(InvalidValue) in try MembershipStatus.parse(status) }) {
            changed.membership.status = value
        }
        switch input.presenceReasonListID {
        case .keep: break
        case .clear: changed.membership.presenceReasonListID = nil
        case .set(let text):
            if let value = errors.collect("presence_reason_list_id", { () throws(InvalidValue) in
                try MemberDraft.optional(text).map(MemberDraft.presenceReasonListID)
            }) {
                changed.membership.presenceReasonListID = value
            }
        }
        try errors.throwIfAny()
        changed.user.updatedAt = now
        changed.membership.updatedAt = now
        self = changed
    }
}
