import Foundation
import GatehouseCore
import GatehouseLocalization
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
        guard try await setup.isUsable(token) else { return try invalidLink(request) }
        return try form(request, values: Form(token: token, region: region.rawValue), errors: FieldErrors(), status: .ok)
    }

    @Sendable func submit(_ request: Request, context: AppRequestContext) async throws -> Response {
        let form = try await FormRequest.read(Form.self, from: request, context: context)
        guard csrf.isValid(request, formValue: form.csrf_token) else {
            return try pages.message(request, status: .forbidden, title: "setup.expired.title", message: "setup.expired.text")
        }
        let secret = form.token ?? ""
        guard try await setup.isUsable(secret) else { return try invalidLink(request) }
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
        guard let (tenant, admin) = created else { return try invalidLink(request) }
        let (_, apiToken) = try await tokens.issue(for: admin, in: tenant, name: "setup", actor: .setupLink, clientIP: context.clientIP)
        return try pages.render("setup-done", [
            "title": pages.localizer(for: request).text("setup.done.title", ["tenantName": tenant.displayName]), "tenantName": tenant.displayName, "tenantSlug": tenant.slug.rawValue,
            "email": admin.user.email.value, "apiToken": apiToken, "baseURL": baseURL(),
        ], request: request)
    }

    private func invalidLink(_ request: Request) throws -> Response {
        try pages.message(request, status: .gone, title: "setup.invalid.title", message: "setup.invalid.text")
    }

    private func form(_ request: Request, values: Form, errors: FieldErrors, status: HTTPResponse.Status) throws -> Response {
        let text = pages.localizer(for: request)
        func field(_ name: String, _ label: String, _ value: String?, type: String = "text", autocomplete: String = "off",
                   hint: String? = nil, required: Bool = true) -> [String: Any] {
            let label = text.text(label)
            var field: [String: Any] = ["name": name, "label": label, "value": value ?? "", "type": type,
                                        "autocomplete": autocomplete, "required": required]
            if let hint { field["hint"] = text.text(hint) }
            if let error = errors.messages[name] { field["error"] = name == "password" ? error : "\(label) \(error)." }
            return field
        }
        var tenantFields = [
            field("tenant_name", "setup.tenant_name", values.tenant_name, autocomplete: "organization"),
            field("tenant_slug", "setup.tenant_slug", values.tenant_slug, hint: "setup.tenant_slug_hint"),
            field("region", "setup.region", values.region, hint: "setup.region_hint", required: false),
        ]
        var adminFields = [
            field("first_name", "setup.first_name", values.first_name, autocomplete: "given-name"),
            field("last_name", "setup.last_name", values.last_name, autocomplete: "family-name"),
            field("email", "setup.email", values.email, type: "email", autocomplete: "email"),
            field("password", "setup.password", nil, type: "password", autocomplete: "new-password", hint: "setup.password_hint"),
        ]
        // Focus goes to the first field with a problem, or to the first field.
        let all = tenantFields.map(\.["name"]) + adminFields.map(\.["name"])
        let firstBad = all.compactMap { $0 as? String }.first { errors.messages[$0] != nil } ?? "tenant_name"
        for index in tenantFields.indices where tenantFields[index]["name"] as? String == firstBad { tenantFields[index]["autofocus"] = true }
        for index in adminFields.indices where adminFields[index]["name"] as? String == firstBad { adminFields[index]["autofocus"] = true }
        var page: [String: Any] = [
            "title": text.text("setup.title"), "token": values.token ?? "",
            "tenantFields": tenantFields, "adminFields": adminFields,
        ]
        if !errors.isEmpty { page["formError"] = text.text("setup.form_error") }
        return try pages.renderForm("setup", page, csrf: csrf, request: request, status: status)
    }
}
