import Foundation
import GatehouseCore

/// One reason of a list.
struct PresenceReasonJSON: Encodable {
    let id: String
    let name: String
    @NullWhenAbsent var code: String?

    init(_ reason: PresenceReason) {
        id = reason.id.uuidString.lowercased()
        name = reason.name
        code = reason.code
    }
}

/// A Presence Reason list as the admin API shows it.
struct PresenceReasonListJSON: Encodable {
    let id: String
    let name: String
    let isDefault: Bool
    let reasons: [PresenceReasonJSON]
    let createdAt: Date
    let updatedAt: Date
    /// How many members have it assigned (members using it as the default are not counted).
    let memberCount: Int

    init(_ list: PresenceReasonList, memberCount: Int) {
        id = list.id.uuidString.lowercased()
        name = list.name
        isDefault = list.isDefault
        reasons = list.reasons.map(PresenceReasonJSON.init)
        createdAt = list.createdAt
        updatedAt = list.updatedAt
        self.memberCount = memberCount
    }

    enum CodingKeys: String, CodingKey {
        case id, name, reasons, isDefault = "is_default", createdAt = "created_at", updatedAt = "updated_at", memberCount = "member_count"
    }
}

/// The list an agent reports their presence with, as the agent sees it.
struct EffectivePresenceReasonListJSON: Encodable {
    let id: String
    let name: String
    let isDefault: Bool
    let reasons: [PresenceReasonJSON]

    init(_ list: PresenceReasonList) {
        id = list.id.uuidString.lowercased()
        name = list.name
        isDefault = list.isDefault
        reasons = list.reasons.map(PresenceReasonJSON.init)
    }

    enum CodingKeys: String, CodingKey {
        case id, name, reasons, isDefault = "is_default"
    }
}

/// `GET|PUT /api/v1/presence`.
struct PresenceJSON: Encodable {
    let state: String
    @NullWhenAbsent var reasonId: String?
    @NullWhenAbsent var reason: PresenceReasonJSON?
    @NullWhenAbsent var updatedAt: Date?
    @NullWhenAbsent var presenceReasonList: EffectivePresenceReasonListJSON?

    init(_ current: PresenceService.Current) {
        state = current.state.rawValue
        reasonId = current.reason?.id.uuidString.lowercased()
        reason = current.reason.map(PresenceReasonJSON.init)
        updatedAt = current.updatedAt
        presenceReasonList = current.list.map(EffectivePresenceReasonListJSON.init)
    }

    enum CodingKeys: String, CodingKey {
        case state, reason, reasonId = "reason_id", updatedAt = "updated_at", presenceReasonList = "presence_reason_list"
    }
}

/// `GET|PUT /api/v1/account/microphone-check`.
struct MicrophoneCheckJSON: Encodable {
    @NullWhenAbsent var result: String?
    @NullWhenAbsent var checkedAt: Date?

    init(_ check: MicrophoneCheck?) {
        result = check?.result.rawValue
        checkedAt = check?.checkedAt
    }

    enum CodingKeys: String, CodingKey {
        case result, checkedAt = "checked_at"
    }
}

extension JSONRequest {
    /// A boolean that may be left out: absent or null gives nil (PATCH keeps the value).
    mutating func optionalBool(_ key: String) -> Bool? {
        guard let value = object[key], value != .null else { return nil }
        return bool(key)
    }

    /// A whole number; absent or null gives nil.
    mutating func integer(_ key: String) -> Int? {
        switch object[key] {
        case nil, .null?: return nil
        case .number(let number)? where number == number.rounded() && abs(number) < 1e15: return Int(number)
        default:
            reject(key, "must be a whole number")
            return nil
        }
    }

    /// The `reasons` of a Presence Reason list: an array of objects with `id`, `name` and
    /// `code`. Wrongly typed values are reported by index (`reasons[1].name`).
    mutating func presenceReasons(_ key: String = "reasons") -> [PresenceReasonInput]? {
        switch object[key] {
        case nil, .null?: return nil
        case .array(let items)?:
            var reasons: [PresenceReasonInput] = []
            for (index, item) in items.enumerated() {
                guard case .object(let fields) = item else {
                    reject("\(key)[\(index)]", "must be an object with a name (and optionally an id and a code)")
                    reasons.append(PresenceReasonInput())   // keeps the indexes of the others
                    continue
                }
                var reason = JSONRequest(values: fields)
                let input = PresenceReasonInput(id: reason.string("id"), name: reason.string("name"), code: reason.string("code"))
                for (field, message) in reason.errors.messages { reject("\(key)[\(index)].\(field)", message) }
                reasons.append(input)
            }
            return reasons
        default:
            reject(key, "must be an array of reasons")
            return nil
        }
    }
}
