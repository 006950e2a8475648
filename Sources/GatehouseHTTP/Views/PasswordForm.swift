import GatehouseCore
import GatehouseLocalization
import Hummingbird

/// The values of the set-password page (invitation, reset, temporary password): every rule of
/// the tenant's policy listed, with the data the page's script checks as the person types.
enum PasswordForm {
    static func values(policy: PasswordPolicy, user: User, broken: [PasswordViolation] = [], text: Localizer) -> [String: Any] {
        let brokenCodes = Set(broken.map(\.code).map { $0.hasPrefix("contains_") ? "contains_names" : $0 })
        var rules: [[String: Any]] = [["code": "too_short", "text": text.text("password.rule.too_short", ["count": text.number(policy.minLength)])]]
        if policy.requiredClasses > 0 {
            rules.append(["code": "too_few_character_classes",
                          "text": text.text("password.rule.too_few_character_classes", ["count": text.number(policy.requiredClasses)])])
        }
        if !policy.forbiddenCharacters.isEmpty {
            rules.append(["code": "forbidden_characters",
                          "text": text.text("password.rule.forbidden_characters",
                                            ["characters": policy.forbiddenCharacters.map(String.init).joined(separator: " ")])])
        }
        if policy.disallowNames { rules.append(["code": "contains_names", "text": text.text("password.rule.contains_names")]) }
        if policy.history > 0 {
            rules.append(["code": "reused", "text": text.text("password.rule.reused", ["count": text.number(policy.history)])])
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
    /// `title`, `lead` and `submitLabel` are catalog keys, filled from `textValues`.
    static func page(_ pages: PageRenderer, csrf: CSRFProtection, request: Request, tenant: Tenant, user: User,
                     title: String, lead: String, textValues: [String: String] = [:], action: String, submitLabel: String,
                     error: String?, broken: [PasswordViolation], status: HTTPResponse.Status, extra: [String: Any] = [:]) throws -> Response {
        let text = pages.localizer(for: request)
        var values = values(policy: TenantSettings(document: tenant.settings).password, user: user, broken: broken, text: text)
        values.merge(extra) { $1 }
        values["title"] = text.text(title, textValues)
        values["lead"] = text.text(lead, textValues)
        values["action"] = action
        values["submitLabel"] = text.text(submitLabel)
        if let error { values["error"] = error }
        return try pages.renderForm("set-password", values, csrf: csrf, request: request, status: status)
    }
}
