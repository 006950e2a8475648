import GatehouseCore
import Hummingbird

/// Presence Reason lists, presence and the sign-in gate as HTTP answers.
extension APIError {
    /// The sign-in gate's answer, the same for every sign-in path (and the invitation page's text).
    static let presenceReasonListRequired = APIError(.forbidden, "presence_reason_list_required",
                                                     "You need a Presence Reason list. Contact your administrator.")

    static func from(presence error: PresenceError) -> APIError {
        switch error {
        case .nameTaken:
            let message = "This tenant already has a Presence Reason list with this name."
            return APIError(.conflict, "name_taken", message, fields: ["name": message])
        case .listInUse(let members, let isDefault):
            let used = "assigned to \(members) \(members == 1 ? "member" : "members")"
            let what = isDefault ? "is the tenant's default list and is \(used)" : "is \(used)"
            return APIError(.conflict, "presence_reason_list_in_use",
                            "This Presence Reason list \(what). Delete it with ?replace_with={id of another list} to move "
                                + (isDefault ? "its members and the default there." : "its members there."))
        case .listRequired:
            return APIError(.conflict, "presence_reason_list_required", presenceReasonListRequired.message)
        case .unknownReason:
            return APIError(.unprocessableContent, "unknown_reason", "This reason is not on your Presence Reason list.")
        }
    }
}
