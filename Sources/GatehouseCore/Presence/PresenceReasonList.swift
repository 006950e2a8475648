public import Foundation

/// A tenant's list of Presence Reasons: why an agent is away (break, lunch, training …), in the
/// order the agent desktop shows them. A member uses the list assigned to them, or else the
/// tenant's default list (at most one per tenant).
public struct PresenceReasonList: Sendable, Equatable {
    public let id: UUID
    public let tenantID: TenantID
    public var name: String
    public var isDefault: Bool
    /// In display order.
    public var reasons: [PresenceReason]
    public let createdAt: Date
    public var updatedAt: Date

    public init(id: UUID = UUID(), tenantID: TenantID, name: String, isDefault: Bool, reasons: [PresenceReason], createdAt: Date,
                updatedAt: Date) {
        self.id = id
        self.tenantID = tenantID
        self.name = name
        self.isDefault = isDefault
        self.reasons = reasons
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }

    /// A new list from a checked draft.
    public static func new(_ draft: PresenceReasonListDraft, in tenant: TenantID, at now: Date) -> PresenceReasonList {
        PresenceReasonList(tenantID: tenant, name: draft.name ?? "", isDefault: draft.isDefault ?? false, reasons: draft.reasons ?? [],
                           createdAt: now, updatedAt: now)
    }

    /// Applies a checked PATCH: fields the draft leaves out stay as they are.
    public mutating func apply(_ draft: PresenceReasonListDraft, at now: Date) {
        if let name = draft.name { self.name = name }
        if let isDefault = draft.isDefault { self.isDefault = isDefault }
        if let reasons = draft.reasons { self.reasons = reasons }
        updatedAt = now
    }

    /// The reason with this id, if the list has it.
    public func reason(_ id: UUID) -> PresenceReason? { reasons.first { $0.id == id } }

    /// What a member's `presence_reason_list_id` that names no list of their tenant is told.
    public static let unknownListMessage = "must be the ID of a Presence Reason list of this tenant, or null"

    /// The case-insensitive form of a name, unique per tenant.
    public static func nameKey(_ name: String) -> String { name.lowercased() }
}

/// One reason of a list. Its id is stable across edits of the list, so agent desktops and
/// reports can keep referring to it.
public struct PresenceReason: Sendable, Equatable {
    public let id: UUID
    public let name: String
    /// A short code for reporting systems (`BRK`, `LUNCH`), if the tenant uses them.
    public let code: String?

    public init(id: UUID = UUID(), name: String, code: String?) {
        self.id = id
        self.name = name
        self.code = code
    }
}

/// A reason as a client sent it, before any checking.
public struct PresenceReasonInput: Sendable {
    public var id: String?
    public var name: String?
    public var code: String?

    public init(id: String? = nil, name: String? = nil, code: String? = nil) {
        self.id = id
        self.name = name
        self.code = code
    }
}

/// A list as a client sent it (`POST`, or the fields of a `PATCH`), checked. For a `PATCH`
/// the fields left out are nil; a new list needs `name` and `reasons`.
public struct PresenceReasonListDraft: Sendable {
    public static let maxNameLength = 100
    public static let maxReasonNameLength = 60
    public static let maxCodeLength = 30
    public static let maxReasons = 50

    public let name: String?
    public let isDefault: Bool?
    public let reasons: [PresenceReason]?

    /// Checks every field and reports all problems together, reasons by index
    /// (`reasons[2].name`). Reasons without an `id` get a new one; given ids are kept.
    /// - Parameter complete: whether this is a new list (name and reasons required).
    public init(name: String?, isDefault: Bool?, reasons: [PresenceReasonInput]?, complete: Bool) throws(FieldErrors) {
        var errors = FieldErrors()
        var checkedName: String?
        if let name {
            checkedName = errors.collect("name") { () throws(InvalidValue) in try DisplayText(name, maxLength: Self.maxNameLength).value }
        } else if complete {
            errors.add("name", "is required")
        }
        var checkedReasons: [PresenceReason]?
        if let reasons {
            checkedReasons = Self.check(reasons, errors: &errors)
        } else if complete {
            errors.add("reasons", "is required: a list of 1 to \(Self.maxReasons) reasons")
        }
        try errors.throwIfAny()
        self.name = checkedName
        self.isDefault = isDefault
        self.reasons = checkedReasons
    }

    private static func check(_ inputs: [PresenceReasonInput], errors: inout FieldErrors) -> [PresenceReason] {
        guard (1...maxReasons).contains(inputs.count) else {
            errors.add("reasons", "must hold 1 to \(maxReasons) reasons")
            return []
        }
        var reasons: [PresenceReason] = []
        var names = Set<String>(), ids = Set<UUID>()
        for (index, input) in inputs.enumerated() {
            let field = "reasons[\(index)]"
            var id = UUID()
            if let text = input.id {
                if let given = UUID(uuidString: text) {
                    id = given
                    if !ids.insert(given).inserted { errors.add("\(field).id", "is used by another reason of this list") }
                } else {
                    errors.add("\(field).id", "must be a UUID (or left out for a new reason)")
                }
            }
            let name = errors.collect("\(field).name") { () throws(InvalidValue) in
                guard let text = input.name else { throw InvalidValue("is required") }
                return try DisplayText(text, maxLength: maxReasonNameLength).value
            }
            if let name, !names.insert(name.lowercased()).inserted {
                errors.add("\(field).name", "is used by another reason of this list")
            }
            let code = errors.collect("\(field).code") { () throws(InvalidValue) -> String? in
                guard let text = input.code?.trimmingCharacters(in: .whitespaces), !text.isEmpty else { return nil }
                return try DisplayText(text, maxLength: maxCodeLength).value
            }
            if let name, let code { reasons.append(PresenceReason(id: id, name: name, code: code)) }
        }
        return reasons
    }
}
