import Foundation
import GatehouseCore
import Hummingbird

/// Password sign-in: `POST /api/v1/login` for clients, and the `/login` page for browsers.
struct LoginController: Sendable {
    let login: LoginService
    let authenticator: SessionAuthenticator
    let tenants: any TenantRepository
    let cookies: SessionCookies
    let csrf: CSRFProtection
    let pages: PageRenderer

    func addRoutes(to router: Router<AppRequestContext>) {
        router.post("api/v1/login", use: apiLogin)
        router.post("api/v1/login/:flow/password", use: apiChangePassword)
        router.post("login/password", use: submitPasswordChange)
        addMFARoutes(to: router)
        router.get("login", use: page)
        router.post("login", use: submit)
    }

    // MARK: API

    @Sendable func apiLogin(_ request: Request, context: AppRequestContext) async throws -> Response {
        // Against login CSRF: another site may not sign a browser in to an account of its choosing.
        try authenticator.origins.require(request)
        var body = try await JSONRequest.read(request, context: context)
        let username = body.string("username"), agentID = body.digits("agent_id"), tenant = body.string("tenant")
        let password = body.string("password")
        let rememberMe = body.bool("remember_me"), keepSignedIn = body.bool("keep_signed_in")
        var errors = body.errors
        let hasUsername = !(username ?? "").trimmingCharacters(in: .whitespaces).isEmpty
        if !hasUsername && agentID == nil { errors.add("username", "is required (or agent_id with tenant)") }
        if hasUsername && agentID != nil { errors.add("agent_id", "give either username or agent_id, not both") }
        if agentID == "" { errors.add("agent_id", "must not be empty") }
        if agentID != nil && tenant == nil { errors.add("tenant", "is required with agent_id") }
        if (password ?? "").isEmpty { errors.add("password", "is required") }
        if !errors.isEmpty { throw APIError.validation(errors.messages) }

        let identifier: LoginIdentifier = agentID.map { .agentID($0, tenant: tenant!) } ?? .email(username!, tenant: tenant)
        let outcome = try await signIn(identifier, password: password!, keepSignedIn: keepSignedIn, request, context)
        var response: Response
        switch outcome {
        case .signedIn(let signedIn):
            response = try signedInResponse(signedIn)
        case .stepRequired(let pending):
            response = try JSONResponse.make(PendingLoginJSON(pending))
        }
        if rememberMe, let remembered = hasUsername ? username : agentID { response.setCookie(cookies.rememberedUsername(remembered)) }
        return response
    }

    /// `POST /api/v1/login/{flow_id}/password {"new_password"}`: the step after a temporary password.
    @Sendable func apiChangePassword(_ request: Request, context: AppRequestContext) async throws -> Response {
        try authenticator.origins.require(request)
        var body = try await JSONRequest.read(request, context: context)
        let password = body.string("new_password")
        var errors = body.errors
        if (password ?? "").isEmpty { errors.add("new_password", "is required") }
        if !errors.isEmpty { throw APIError.validation(errors.messages) }
        let flowID = context.parameters.get("flow") ?? ""
        switch try await completePasswordChange(flowID: flowID, password: password!, request, context) {
        case .signedIn(let signedIn): return try signedInResponse(signedIn)
        case .stepRequired(let pending): return try JSONResponse.make(PendingLoginJSON(pending))
        }
    }

    func signedInResponse(_ signedIn: SignedIn) throws -> Response {
        var response = try JSONResponse.make(WhoAmIJSON(status: "signed_in", member: signedIn.member, tenant: signedIn.tenant,
                                                        session: signedIn.session))
        response.setCookie(cookies.session(signedIn))
        return response
    }

    func attempt(_ identifier: LoginIdentifier, password: String, keepSignedIn: Bool, _ request: Request,
                         _ context: AppRequestContext) -> LoginService.Attempt {
        LoginService.Attempt(identifier: identifier, password: password, keepSignedIn: keepSignedIn,
                             clientIP: context.clientIP, userAgent: request.headers[.userAgent],
                             previousSessionDigest: SessionCookies.presentedDigest(in: request))
    }

    private func signIn(_ identifier: LoginIdentifier, password: String, keepSignedIn: Bool, _ request: Request,
                        _ context: AppRequestContext) async throws -> LoginOutcome {
        try await APIError.answering {
            try await login.signIn(attempt(identifier, password: password, keepSignedIn: keepSignedIn, request, context))
        }
    }

    private func completePasswordChange(flowID: String, password: String, _ request: Request,
                                        _ context: AppRequestContext) async throws -> LoginOutcome {
        let continued = attempt(.email("", tenant: nil), password: "", keepSignedIn: false, request, context)
        return try await APIError.answering { try await login.completePasswordChange(flowID: flowID, newPassword: password, attempt: continued) }
    }

    // MARK: Page

    /// What the form posts.
    struct Form: Decodable {
        var username: String?
        var password: String?
        var tenant: String?
        var return_to: String?
        var remember_me: String?
        var keep_signed_in: String?
        var csrf_token: String?
    }

    @Sendable func page(_ request: Request, context: AppRequestContext) async throws -> Response {
        let query = request.uri.queryParameters
        var form = Form(tenant: query["tenant"].map(String.init), return_to: query["return_to"].map(String.init))
        form.username = SessionCookies.rememberedUsername(in: request)
        form.remember_me = form.username == nil ? nil : "on"
        var notice: String?
        switch try await authenticator.lookup(request) {
        case .valid:
            // Already signed in: straight on.
            return .redirect(to: ReturnPath.orFallback(form.return_to), type: .normal)
        case .ended(.idleTimeout): notice = "You were signed out after a period without activity. Sign in to continue where you were."
        case .ended(.absoluteTimeout): notice = "Your session reached its time limit. Sign in again to continue."
        case .ended, .none: break
        }
        if query["signed_out"] != nil { notice = "You are signed out." }
        return try await render(request, form: form, error: nil, notice: notice, status: .ok)
    }

    @Sendable func submit(_ request: Request, context: AppRequestContext) async throws -> Response {
        let form = try await FormRequest.read(Form.self, from: request, context: context)
        guard csrf.isValid(request, formValue: form.csrf_token) else {
            return try await render(request, form: form, error: "This page had expired. Please sign in again.", notice: nil,
                                    status: .forbidden)
        }
        let username = (form.username ?? "").trimmingCharacters(in: .whitespaces), password = form.password ?? ""
        guard !username.isEmpty, !password.isEmpty else {
            return try await render(request, form: form, error: "Enter your username and your password.", notice: nil, status: .badRequest)
        }
        let tenant = form.tenant.flatMap { $0.isEmpty ? nil : $0 }
        let identifier = LoginIdentifier.typed(username, tenant: tenant)
        do {
            let outcome = try await signIn(identifier, password: password, keepSignedIn: form.keep_signed_in != nil, request, context)
            var response: Response
            switch outcome {
            case .signedIn(let signedIn):
                response = Response.redirect(to: ReturnPath.orFallback(form.return_to), type: .found)
                response.setCookie(cookies.session(signedIn))
            case .stepRequired(let pending):
                response = try renderStep(request, pending: pending, returnTo: form.return_to)
            }
            response.setCookie(form.remember_me != nil ? cookies.rememberedUsername(username) : cookies.forgetUsername())
            return response
        } catch let error as APIError where error.status != .internalServerError {
            var response = try await render(request, form: form, error: error.message, notice: nil, status: error.status)
            response.headers.append(contentsOf: error.headers.filter { $0.name == .retryAfter })
            return response
        }
    }

    struct PasswordChangeForm: Decodable {
        var csrf_token: String?
        var flow_id: String?
        var return_to: String?
        var password: String?
        var password_confirm: String?
    }

    /// The page step after a temporary password: choose your own before any session exists.
    @Sendable func submitPasswordChange(_ request: Request, context: AppRequestContext) async throws -> Response {
        let form = try await FormRequest.read(PasswordChangeForm.self, from: request, context: context)
        let flowID = form.flow_id ?? ""
        guard let pending = try await pendingFlow(flowID) else { return try await flowEnded(request, returnTo: form.return_to) }
        guard csrf.isValid(request, formValue: form.csrf_token) else {
            return try renderPasswordChange(request, pending: pending, returnTo: form.return_to, error: "This page had expired. Please try again.",
                                            broken: [], status: .forbidden)
        }
        let password = form.password ?? ""
        guard !password.isEmpty, password == form.password_confirm else {
            return try renderPasswordChange(request, pending: pending, returnTo: form.return_to,
                                            error: password.isEmpty ? "Choose a password." : "The two passwords are not the same.",
                                            broken: [], status: .badRequest)
        }
        do {
            switch try await completePasswordChange(flowID: flowID, password: password, request, context) {
            case .signedIn(let signedIn):
                var response = Response.redirect(to: ReturnPath.orFallback(form.return_to), type: .found)
                response.setCookie(cookies.session(signedIn))
                return response
            case .stepRequired(let next):
                return try renderStep(request, pending: next, returnTo: form.return_to)
            }
        } catch let error as APIError where error.code == "password_policy" {
            return try renderPasswordChange(request, pending: pending, returnTo: form.return_to,
                                            error: "The password does not meet the rules: " + (error.violations ?? []).map(\.message).joined(separator: " "),
                                            broken: error.violations ?? [], status: .badRequest)
        } catch let error as APIError where error.status != .internalServerError {
            return try await render(request, form: Form(return_to: form.return_to), error: error.message, notice: nil, status: error.status)
        }
    }

    /// The page of the step a sign-in waits at.
    func renderStep(_ request: Request, pending: PendingLogin, returnTo: String?, error: String? = nil,
                    status: HTTPResponse.Status = .ok) throws -> Response {
        switch pending.flow.step {
        case .passwordChange:
            return try renderPasswordChange(request, pending: pending, returnTo: returnTo, error: error, broken: [], status: status)
        case .mfa:
            return try renderFlowPage("mfa-code", request, pending: pending, returnTo: returnTo, error: error, status: status,
                                      extra: ["title": "Enter your code", "tenantName": pending.tenant.displayName])
        case .mfaEnrollment:
            return try renderFlowPage("mfa-name", request, pending: pending, returnTo: returnTo, error: error, status: status, extra: [
                "title": "Set up two-step verification", "action": "/login/mfa/enroll",
                "lead": "\(pending.tenant.displayName) asks for a second step at sign-in: a code from an authenticator app on your phone. Set it up now; it takes a minute."])
        }
    }

    func renderFlowPage(_ template: String, _ request: Request, pending: PendingLogin, returnTo: String?, error: String?,
                        status: HTTPResponse.Status, extra: [String: Any]) throws -> Response {
        var values = extra
        values["flowID"] = pending.flowID
        if let returnTo = ReturnPath.validated(returnTo) { values["returnTo"] = returnTo }
        if let error { values["error"] = error }
        return try pages.renderForm(template, values, csrf: csrf, request: request, status: status)
    }

    private func renderPasswordChange(_ request: Request, pending: PendingLogin, returnTo: String?, error: String?,
                                      broken: [PasswordViolation], status: HTTPResponse.Status) throws -> Response {
        var extra: [String: Any] = ["flowID": pending.flowID]
        if let returnTo = ReturnPath.validated(returnTo) { extra["returnTo"] = returnTo }
        return try PasswordForm.page(pages, csrf: csrf, request: request, tenant: pending.tenant, user: pending.member.user,
                                     title: "Choose your own password",
                                     lead: "You signed in with a temporary password. Choose your own password to continue.",
                                     action: "/login/password", submitLabel: "Change password and continue", error: error, broken: broken,
                                     status: status, extra: extra)
    }

    func render(_ request: Request, form: Form, error: String?, notice: String?, status: HTTPResponse.Status) async throws -> Response {
        var tenantName: String?
        if let slug = form.tenant, let parsed = try? TenantSlug(slug) { tenantName = try await tenants.find(slug: parsed)?.displayName }
        var values: [String: Any] = [
            "title": "Sign in", "username": form.username ?? "",
            // Mustache treats "" as true, so the focus rule needs a real boolean.
            "hasUsername": !(form.username ?? "").isEmpty,
            "usernameLabel": tenantName == nil ? "Email" : "Email or agent ID",
            "usernameType": tenantName == nil ? "email" : "text",
            "rememberMe": form.remember_me != nil, "keepSignedIn": form.keep_signed_in != nil,
        ]
        if let tenantName, let slug = form.tenant { values["tenantName"] = tenantName; values["tenant"] = slug }
        if let returnTo = ReturnPath.validated(form.return_to) { values["returnTo"] = returnTo }
        if let error { values["error"] = error }
        if let notice { values["notice"] = notice }
        return try pages.renderForm("login", values, csrf: csrf, request: request, status: status)
    }
}

/// A sign-in waiting at a step: `{"status":"password_change_required","flow_id",…}`.
struct PendingLoginJSON: Encodable {
    let status: String
    let flowId: String
    let expiresAt: Date
    let passwordPolicy: PasswordPolicyJSON?

    init(_ pending: PendingLogin) {
        switch pending.flow.step {
        case .passwordChange:
            status = "password_change_required"
            passwordPolicy = PasswordPolicyJSON(TenantSettings(document: pending.tenant.settings).password)
        case .mfa:
            status = "mfa_required"
            passwordPolicy = nil
        case .mfaEnrollment:
            status = "mfa_enrollment_required"
            passwordPolicy = nil
        }
        flowId = pending.flowID
        expiresAt = pending.flow.expiresAt
    }

    enum CodingKeys: String, CodingKey {
        case status, flowId = "flow_id", expiresAt = "expires_at", passwordPolicy = "password_policy"
    }
}

/// The rules a new password must meet, for clients that show them.
struct PasswordPolicyJSON: Encodable {
    let minLength: Int
    let requiredClasses: Int
    let forbiddenCharacters: String
    let history: Int
    let disallowNames: Bool

    init(_ policy: PasswordPolicy) {
        minLength = policy.minLength
        requiredClasses = policy.requiredClasses
        forbiddenCharacters = policy.forbiddenCharacters
        history = policy.history
        disallowNames = policy.disallowNames
    }

    enum CodingKeys: String, CodingKey {
        case minLength = "min_length", requiredClasses = "required_classes", forbiddenCharacters = "forbidden_characters"
        case history, disallowNames = "disallow_names"
    }
}
