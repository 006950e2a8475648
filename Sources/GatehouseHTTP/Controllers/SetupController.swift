import Foundation
import GatehouseCore
import Hummingbird

/// `/setup`: the first-run page where a person with the logged link creates the first
/// tenant and its administrator, and receives an API token for them.
struct SetupController<Tenants: TenantRepository, Setup: SetupRepository, Tokens: APITokenRepository>: Sendable {
    let setup: FirstRunSetup<Tenants, Setup>
    let tokens: APITokenService<Tokens>
    let passwords: PasswordService
    let csrf: CSRFProtection
    let pages: PageRenderer
    let region: RegionCode
    let baseURL: @Sendable () -> String

    func addRoutes(to router: Router<AppRequestContext>) {
        router.get("setup", use: show)
        router.post("setup", use: submit)
    }

    /// The fields of the form, as posted.
    struct Form: Decodable {
        var token: String?
        var csrf_token: String?
        var tenant_slug: String?
        var tenant_name: String?
        var region: String?
        var email: String?
        var first_name: String?
        var last_name: String?
        var password: String?
    }

    @Sendable func show(_ request: Request, context: AppRequestContext) async throws -> Response {
        let token = request.uri.queryParameters["token"].map(String.init) ?? ""
        guard try await setup.isUsable(token) else { return try invalidLink() }
        return try form(request, values: Form(token: token, region: region.rawValue), errors: FieldErrors(), status: .ok)
    }

    @Sendable func submit(_ request: Request, context: AppRequestContext) async throws -> Response {
        let form = try await FormRequest.read(Form.self, from: request, context: context)
        guard csrf.isValid(request, formValue: form.csrf_token) else {
            return try pages.message(status: .forbidden, title: "This form has expired",
                                     message: "Open the set-up link from the server log again and submit the form from there.")
        }
        let secret = form.token ?? ""
        guard try await setup.isUsable(secret) else { return try invalidLink() }
        let fields = FirstRunSetup<Tenants, Setup>.Form(
            tenantSlug: form.tenant_slug ?? "", tenantName: form.tenant_name ?? "", region: form.region.flatMap { $0.isEmpty ? nil : $0 },
            email: form.email ?? "", firstName: form.first_name ?? "", lastName: form.last_name ?? "", password: form.password ?? "")
        let tenantDraft: TenantDraft, adminDraft: MemberDraft
        do { (tenantDraft, adminDraft) = try setup.validate(fields, defaultRegion: region) } catch {
            return try self.form(request, values: form, errors: error, status: .badRequest)
        }
        let hash = try await passwords.hash(fields.password)
        let created: (Tenant, Member)?
        do {
            created = try await setup.complete(secret: secret, tenant: tenantDraft, administrator: adminDraft,
                                               password: hash, clientIP: context.clientIP)
        } catch let conflict as Conflict {
            return try self.form(request, values: form, errors: FieldErrors(conflict.field == "slug" ? "tenant_slug" : conflict.field, conflict.message),
                                 status: .conflict)
        }
        guard let (tenant, admin) = created else { return try invalidLink() }
        let (_, apiToken) = try await tokens.issue(for: admin, in: tenant, name: "setup", actor: .setupLink, clientIP: context.clientIP)
        return try pages.render("setup-done", [
            "title": "\(tenant.displayName) is ready", "tenantName": tenant.displayName, "tenantSlug": tenant.slug.rawValue,
            "email": admin.user.email.value, "apiToken": apiToken, "baseURL": baseURL(),
        ])
    }

    private func invalidLink() throws -> Response {
        try pages.message(status: .gone, title: "This set-up link is not valid",
                          message: "It was already used, or a newer link replaced it. If Gatehouse is already set up, sign in instead; otherwise restart the server and use the link it prints.")
    }

    private func form(_ request: Request, values: Form, errors: FieldErrors, status: HTTPResponse.Status) throws -> Response {
        func field(_ name: String, _ label: String, _ value: String?, type: String = "text", autocomplete: String = "off",
                   hint: String? = nil, required: Bool = true) -> [String: Any] {
            var field: [String: Any] = ["name": name, "label": label, "value": value ?? "", "type": type,
                                        "autocomplete": autocomplete, "required": required]
            if let hint { field["hint"] = hint }
            if let error = errors.messages[name] { field["error"] = name == "password" ? error : "\(label) \(error)." }
            return field
        }
        var tenantFields = [
            field("tenant_name", "Organisation name", values.tenant_name, autocomplete: "organization"),
            field("tenant_slug", "Short name", values.tenant_slug, hint: "Used in links, e.g. acme. Lower-case letters, digits and hyphens."),
            field("region", "Region", values.region, hint: "Where your data lives, e.g. na or eu.", required: false),
        ]
        var adminFields = [
            field("first_name", "First name", values.first_name, autocomplete: "given-name"),
            field("last_name", "Last name", values.last_name, autocomplete: "family-name"),
            field("email", "Email", values.email, type: "email", autocomplete: "email"),
            field("password", "Password", nil, type: "password", autocomplete: "new-password",
                  hint: "At least 8 characters with three of: upper case, lower case, digits, special characters. Not your name, and none of # $ * / @."),
        ]
        // Focus goes to the first field with a problem, or to the first field.
        let all = tenantFields.map(\.["name"]) + adminFields.map(\.["name"])
        let firstBad = all.compactMap { $0 as? String }.first { errors.messages[$0] != nil } ?? "tenant_name"
        for index in tenantFields.indices where tenantFields[index]["name"] as? String == firstBad { tenantFields[index]["autofocus"] = true }
        for index in adminFields.indices where adminFields[index]["name"] as? String == firstBad { adminFields[index]["autofocus"] = true }
        var page: [String: Any] = [
            "title": "Set up Gatehouse", "token": values.token ?? "",
            "tenantFields": tenantFields, "adminFields": adminFields,
        ]
        if !errors.isEmpty { page["formError"] = "Please correct the highlighted fields." }
        return try pages.renderForm("setup", page, csrf: csrf, request: request, status: status)
    }
}
