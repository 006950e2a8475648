import GatehouseCore
import Hummingbird

/// The values of the set-password page (invitation, reset, temporary password): every rule of
/// the tenant's policy listed, with the data the page's script checks as the person types.
enum PasswordForm {
    static func values(policy: PasswordPolicy, user: User, broken: [PasswordViolation] = []) -> [String: Any] {
        let brokenCodes = Set(broken.map(\.code).map { $0.hasPrefix("contains_") ? "contains_names" : $0 })
        var rules: [[String: Any]] = [["code": "too_short", "text": "be at least \(policy.minLength) characters long"]]
        if policy.requiredClasses > 0 {
            rules.append(["code": "too_few_character_classes",
                          "text": "use at least \(policy.requiredClasses) of: upper-case letters, lower-case letters, digits, special characters"])
        }
        if !policy.forbiddenCharacters.isEmpty {
            rules.append(["code": "forbidden_characters",
                          "text": "not contain " + policy.forbiddenCharacters.map(String.init).joined(separator: " ")])
        }
        if policy.disallowNames { rules.append(["code": "contains_names", "text": "not contain your first name, last name or username"]) }
        if policy.history > 0 {
            rules.append(["code": "reused", "text": "not be one of your last \(policy.history) passwords"])
        }
        for index in rules.indices { rules[index]["broken"] = brokenCodes.contains(rules[index]["code"] as! String) }
        let names = [user.firstName, user.lastName, user.email.localPart].map { $0.lowercased() }
        return [
            "rules": rules,
            "policy": ["minLength": policy.minLength, "requiredClasses": policy.requiredClasses,
                       "forbidden": policy.forbiddenCharacters, "names": policy.disallowNames ? names.joined(separator: "|") : ""],
            "email": user.email.value,
        ]
    }

    /// The set-password page: the tenant's rules for `user`, with those in `broken` marked.
    static func page(_ pages: PageRenderer, csrf: CSRFProtection, request: Request, tenant: Tenant, user: User,
                     title: String, lead: String, action: String, submitLabel: String, error: String?, broken: [PasswordViolation],
                     status: HTTPResponse.Status, extra: [String: Any] = [:]) throws -> Response {
        var values = values(policy: TenantSettings(document: tenant.settings).password, user: user, broken: broken)
        values.merge(extra) { $1 }
        values["title"] = title
        values["lead"] = lead
        values["action"] = action
        values["submitLabel"] = submitLabel
        if let error { values["error"] = error }
        return try pages.renderForm("set-password", values, csrf: csrf, request: request, status: status)
    }

    /// What the page says above the form for a refused password.
    static func message(for violation: PasswordPolicyViolation) -> String {
        "The password does not meet the rules: " + violation.violations.map(\.message).joined(separator: " ")
    }
}
