import GatehouseCore
import GatehouseLocalization

/// What pages say about errors and password rules, in the page's language. The API's own
/// `message` stays English; pages never show it when the catalog has words for the code.
extension Localizer {
    /// A refused step, for the page that shows it.
    func text(for error: APIError) -> String {
        switch error.code {
        case "too_many_attempts", "too_many_requests":
            let seconds = error.headers[.retryAfter].flatMap { Int($0) } ?? 60
            return text("error.\(error.code)", ["duration": duration(seconds: seconds)])
        case "session_limit_reached", "invalid_code":
            return text("error.\(error.code)", count: error.count ?? 0)
        case "password_policy":
            return refused(error.violations ?? [])
        case "invalid_credentials", "busy", "temporary_password_expired", "flow_expired", "too_many_codes",
             "presence_reason_list_required", "mfa_disabled":
            return text("error.\(error.code)")
        default:
            return error.status.code >= 500 ? text("error.generic") : error.message
        }
    }

    /// "The password does not meet the rules: Use at least 8 characters. …"
    func refused(_ violations: [PasswordViolation]) -> String {
        ([text("password.refused")] + violations.map(text(for:))).joined(separator: " ")
    }

    func text(for violation: PasswordViolation) -> String {
        switch violation.code {
        case "too_short", "too_long", "too_few_character_classes", "reused":
            return text("password.violation.\(violation.code)", ["count": violation.argument])
        case "forbidden_characters":
            return text("password.violation.forbidden_characters", ["characters": violation.argument])
        case "contains_first_name", "contains_last_name", "contains_username":
            return text("password.violation.\(violation.code)")
        default:
            return violation.message
        }
    }
}
