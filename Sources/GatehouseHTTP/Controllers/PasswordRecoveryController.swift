import Foundation
import GatehouseCore
import GatehouseLocalization
import Hummingbird

/// Forgot password: `/password/forgot` (name the account), the confirm step with the masked
/// address, the emailed `/password/reset/{token}` page; and the same steps as JSON under
/// `/api/v1/password-recovery` and `/api/v1/password-reset/{token}`.
struct PasswordRecoveryController: Sendable {
    let recovery: PasswordRecovery
    let csrf: CSRFProtection
    let pages: PageRenderer

    func addRoutes(to router: Router<AppRequestContext>) {
        router.post("api/v1/password-recovery", use: apiStart)
        router.post("api/v1/password-recovery/:id/confirm", use: apiConfirm)
        router.post("api/v1/password-reset/:token", use: apiReset)
        router.get("password/forgot", use: forgotPage)
        router.post("password/forgot", use: forgotSubmit)
        router.post("password/forgot/confirm", use: confirmSubmit)
        router.get("password/reset/:token", use: resetPage)
        router.post("password/reset/:token", use: resetSubmit)
    }

    // MARK: API

    struct StartedJSON: Encodable {
        let recoveryId: String
        let maskedEmail: String
        enum CodingKeys: String, CodingKey { case recoveryId = "recovery_id", maskedEmail = "masked_email" }
    }

    @Sendable func apiStart(_ request: Request, context: AppRequestContext) async throws -> Response {
        var body = try await JSONRequest.read(request, context: context)
        let username = body.string("username"), agentID = body.digits("agent_id"), tenant = body.string("tenant")
        var errors = body.errors
        let hasUsername = !(username ?? "").trimmingCharacters(in: .whitespaces).isEmpty
        if !hasUsername && agentID == nil { errors.add("username", "is required (or agent_id with tenant)") }
        if hasUsername && agentID != nil { errors.add("agent_id", "give either username or agent_id, not both") }
        if agentID == "" { errors.add("agent_id", "must not be empty") }
        if agentID != nil && tenant == nil { errors.add("tenant", "is required with agent_id") }
        if !errors.isEmpty { throw APIError.validation(errors.messages) }
        let identifier: LoginIdentifier = agentID.map { .agentID($0, tenant: tenant!) }
            ?? .email(username!.trimmingCharacters(in: .whitespaces), tenant: tenant)
        let started = try await recovery.start(identifier, clientIP: context.clientIP)
        return try JSONResponse.make(StartedJSON(recoveryId: started.recoveryID, maskedEmail: started.maskedEmail))
    }

    @Sendable func apiConfirm(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await recovery.confirm(recoveryID: try parameter("id", context), clientIP: context.clientIP)
        return try JSONResponse.make(status: .accepted, ["status": "sent_if_the_account_exists"])
    }

    @Sendable func apiReset(_ request: Request, context: AppRequestContext) async throws -> Response {
        var body = try await JSONRequest.read(request, context: context)
        let password = body.string("new_password")
        var errors = body.errors
        if (password ?? "").isEmpty { errors.add("new_password", "is required") }
        if !errors.isEmpty { throw APIError.validation(errors.messages) }
        try await recovery.reset(secret: try parameter("token", context), newPassword: password!, clientIP: context.clientIP)
        return Response(status: .noContent)
    }

    // MARK: Pages

    struct ForgotForm: Decodable {
        var csrf_token: String?
        var username: String?
        var tenant: String?
    }

    @Sendable func forgotPage(_ request: Request, context: AppRequestContext) async throws -> Response {
        let tenant = request.uri.queryParameters["tenant"].map(String.init).flatMap { (try? TenantSlug($0))?.rawValue }
        return try renderForgot(request, form: ForgotForm(tenant: tenant), error: nil, status: .ok)
    }

    @Sendable func forgotSubmit(_ request: Request, context: AppRequestContext) async throws -> Response {
        let form = try await FormRequest.read(ForgotForm.self, from: request, context: context)
        let text = pages.localizer(for: request)
        guard csrf.isValid(request, formValue: form.csrf_token) else {
            return try renderForgot(request, form: form, error: text.text("common.page_expired"), status: .forbidden)
        }
        let username = (form.username ?? "").trimmingCharacters(in: .whitespaces)
        guard !username.isEmpty else {
            return try renderForgot(request, form: form, error: text.text("forgot.error.missing_username"), status: .badRequest)
        }
        let tenant = form.tenant.flatMap { $0.isEmpty ? nil : $0 }
        let identifier = LoginIdentifier.typed(username, tenant: tenant)
        do {
            let started = try await recovery.start(identifier, clientIP: context.clientIP)
            var values: [String: Any] = ["title": text.text("forgot.confirm.title"), "maskedEmail": started.maskedEmail, "recoveryID": started.recoveryID]
            if let tenant { values["tenant"] = tenant }
            return try pages.renderForm("forgot-confirm", values, csrf: csrf, request: request)
        } catch let limited as RecoveryRateLimited {
            var response = try renderForgot(request, form: form, error: text.text(for: APIError.from(domain: limited)!),
                                        status: .tooManyRequests)
            response.headers[.retryAfter] = String(limited.retryAfterSeconds)
            return response
        }
    }

    struct ConfirmForm: Decodable {
        var csrf_token: String?
        var recovery_id: String?
    }

    @Sendable func confirmSubmit(_ request: Request, context: AppRequestContext) async throws -> Response {
        let form = try await FormRequest.read(ConfirmForm.self, from: request, context: context)
        guard csrf.isValid(request, formValue: form.csrf_token), let id = form.recovery_id, !id.isEmpty, id.utf8.count <= 200 else {
            return try pages.message(request, status: .forbidden, title: "forgot.start_again.title", message: "forgot.start_again.expired",
                                     loginLink: true)
        }
        do {
            try await recovery.confirm(recoveryID: id, clientIP: context.clientIP)
        } catch is NotFound {
            return try pages.message(request, status: .notFound, title: "forgot.start_again.title", message: "forgot.start_again.request_expired",
                                     loginLink: true)
        }
        return try pages.message(request, status: .accepted, title: "forgot.sent.title", message: "forgot.sent.text", loginLink: true)
    }

    struct ResetForm: Decodable {
        var csrf_token: String?
        var password: String?
        var password_confirm: String?
    }

    @Sendable func resetPage(_ request: Request, context: AppRequestContext) async throws -> Response {
        do {
            let (member, tenant) = try await recovery.checkResetLink(try parameter("token", context))
            return try renderReset(request, member: member, tenant: tenant, error: nil, broken: [], status: .ok)
        } catch let unusable as LinkUnusable {
            return try LinkPages.unusable(unusable, pages: pages, request: request)
        }
    }

    @Sendable func resetSubmit(_ request: Request, context: AppRequestContext) async throws -> Response {
        let form = try await FormRequest.read(ResetForm.self, from: request, context: context)
        let secret = try parameter("token", context)
        let member: Member, tenant: Tenant
        do { (member, tenant) = try await recovery.checkResetLink(secret) } catch let unusable as LinkUnusable {
            return try LinkPages.unusable(unusable, pages: pages, request: request)
        }
        let text = pages.localizer(for: request)
        guard csrf.isValid(request, formValue: form.csrf_token) else {
            return try renderReset(request, member: member, tenant: tenant, error: text.text("common.page_expired"), broken: [],
                                   status: .forbidden)
        }
        let password = form.password ?? ""
        guard !password.isEmpty, password == form.password_confirm else {
            return try renderReset(request, member: member, tenant: tenant,
                                   error: text.text(password.isEmpty ? "common.choose_password" : "common.passwords_differ"), broken: [],
                                   status: .badRequest)
        }
        do {
            try await recovery.reset(secret: secret, newPassword: password, clientIP: context.clientIP)
        } catch let violation as PasswordPolicyViolation {
            return try renderReset(request, member: member, tenant: tenant, error: text.refused(violation.violations),
                                   broken: violation.violations, status: .badRequest)
        } catch let unusable as LinkUnusable {
            return try LinkPages.unusable(unusable, pages: pages, request: request)
        }
        return try pages.message(request, status: .ok, title: "reset.done.title", message: "reset.done.text", loginLink: true)
    }

    private func renderForgot(_ request: Request, form: ForgotForm, error: String?, status: HTTPResponse.Status) throws -> Response {
        let text = pages.localizer(for: request)
        var values: [String: Any] = ["title": text.text("forgot.title"), "username": form.username ?? "",
                                     "usernameLabel": text.text(form.tenant == nil ? "forgot.username" : "forgot.username_or_agent_id")]
        if let tenant = form.tenant, !tenant.isEmpty { values["tenant"] = tenant }
        if let error { values["error"] = error }
        return try pages.renderForm("forgot", values, csrf: csrf, request: request, status: status)
    }

    private func renderReset(_ request: Request, member: Member, tenant: Tenant, error: String?, broken: [PasswordViolation],
                             status: HTTPResponse.Status) throws -> Response {
        try PasswordForm.page(pages, csrf: csrf, request: request, tenant: tenant, user: member.user, title: "reset.title",
                              lead: "reset.lead", textValues: ["email": member.user.email.value], action: request.uri.path,
                              submitLabel: "reset.submit", error: error, broken: broken, status: status)
    }

    private func parameter(_ name: String, _ context: AppRequestContext) throws -> String {
        guard let value = context.parameters.get(name), !value.isEmpty, value.utf8.count <= 200 else {
            throw name == "token" ? APIError.from(link: LinkUnusable(.passwordReset, .unknown)) as any Error
                : NotFound("This password reset request has expired. Start again.")
        }
        return value
    }
}
