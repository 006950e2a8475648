import Foundation
import GatehouseCore
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
        guard csrf.isValid(request, formValue: form.csrf_token) else {
            return try renderForgot(request, form: form, error: "This page had expired. Please try again.", status: .forbidden)
        }
        let username = (form.username ?? "").trimmingCharacters(in: .whitespaces)
        guard !username.isEmpty else {
            return try renderForgot(request, form: form, error: "Enter your username.", status: .badRequest)
        }
        let tenant = form.tenant.flatMap { $0.isEmpty ? nil : $0 }
        let identifier = LoginIdentifier.typed(username, tenant: tenant)
        do {
            let started = try await recovery.start(identifier, clientIP: context.clientIP)
            var values: [String: Any] = ["title": "Confirm your email", "maskedEmail": started.maskedEmail, "recoveryID": started.recoveryID]
            if let tenant { values["tenant"] = tenant }
            return try pages.renderForm("forgot-confirm", values, csrf: csrf, request: request)
        } catch let limited as RecoveryRateLimited {
            var response = try renderForgot(request, form: form, error: APIError.from(domain: limited)!.message, status: .tooManyRequests)
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
            return try pages.render("message", ["title": "Please start again",
                                                "message": "This page had expired. Go back to the sign-in page and choose “Forgot your password?” again.",
                                                "loginLink": true], status: .forbidden)
        }
        do {
            try await recovery.confirm(recoveryID: id, clientIP: context.clientIP)
        } catch let notFound as NotFound {
            return try pages.render("message", ["title": "Please start again", "message": notFound.message, "loginLink": true],
                                    status: .notFound)
        }
        return try pages.render("message", [
            "title": "Check your email",
            "message": "If an account matches, we have sent a link to reset your password to the address you confirmed. The link works once and for a limited time.",
            "loginLink": true], status: .accepted)
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
            return try LinkPages.unusable(unusable, pages: pages)
        }
    }

    @Sendable func resetSubmit(_ request: Request, context: AppRequestContext) async throws -> Response {
        let form = try await FormRequest.read(ResetForm.self, from: request, context: context)
        let secret = try parameter("token", context)
        let member: Member, tenant: Tenant
        do { (member, tenant) = try await recovery.checkResetLink(secret) } catch let unusable as LinkUnusable {
            return try LinkPages.unusable(unusable, pages: pages)
        }
        guard csrf.isValid(request, formValue: form.csrf_token) else {
            return try renderReset(request, member: member, tenant: tenant, error: "This page had expired. Please try again.", broken: [],
                                   status: .forbidden)
        }
        let password = form.password ?? ""
        guard !password.isEmpty, password == form.password_confirm else {
            return try renderReset(request, member: member, tenant: tenant,
                                   error: password.isEmpty ? "Choose a password." : "The two passwords are not the same.", broken: [],
                                   status: .badRequest)
        }
        do {
            try await recovery.reset(secret: secret, newPassword: password, clientIP: context.clientIP)
        } catch let violation as PasswordPolicyViolation {
            return try renderReset(request, member: member, tenant: tenant, error: PasswordForm.message(for: violation),
                                   broken: violation.violations, status: .badRequest)
        } catch let unusable as LinkUnusable {
            return try LinkPages.unusable(unusable, pages: pages)
        }
        return try pages.render("message", ["title": "Your password has been changed",
                                            "message": "You have been signed out everywhere. Sign in with your new password.",
                                            "loginLink": true])
    }

    private func renderForgot(_ request: Request, form: ForgotForm, error: String?, status: HTTPResponse.Status) throws -> Response {
        var values: [String: Any] = ["title": "Forgot your password?", "username": form.username ?? "",
                                     "usernameLabel": form.tenant == nil ? "Username (your email)" : "Username or agent ID"]
        if let tenant = form.tenant, !tenant.isEmpty { values["tenant"] = tenant }
        if let error { values["error"] = error }
        return try pages.renderForm("forgot", values, csrf: csrf, request: request, status: status)
    }

    private func renderReset(_ request: Request, member: Member, tenant: Tenant, error: String?, broken: [PasswordViolation],
                             status: HTTPResponse.Status) throws -> Response {
        try PasswordForm.page(pages, csrf: csrf, request: request, tenant: tenant, user: member.user, title: "Choose a new password",
                              lead: "For \(member.user.email.value). You will be signed out everywhere.", action: request.uri.path,
                              submitLabel: "Change password", error: error, broken: broken, status: status)
    }

    private func parameter(_ name: String, _ context: AppRequestContext) throws -> String {
        guard let value = context.parameters.get(name), !value.isEmpty, value.utf8.count <= 200 else {
            throw name == "token" ? APIError.from(link: LinkUnusable(.passwordReset, .unknown)) as any Error
                : NotFound("This password reset request has expired. Start again.")
        }
        return value
    }
}
