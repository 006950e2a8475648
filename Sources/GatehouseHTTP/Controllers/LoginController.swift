import Foundation
import GatehouseCore
import GatehouseLocalization
import Hummingbird

/// Password sign-in: `POST /api/v1/login` for clients, and the `/login` page for browsers.
struct LoginController: Sendable {
    let login: LoginService
    let authenticator: SessionAuthenticator
    let tenants: any TenantRepository
    let cookies: SessionCookies
    let csrf: CSRFProtection
    let pages: PageRenderer
    let landing: SignInLanding
    let locator: TenantLocator
    let regions: RegionDirectory

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
        // Tenant names are lower case; people type them as they like.
        var form = Form(tenant: query["tenant"].map { $0.trimmingCharacters(in: .whitespaces).lowercased() },
                        return_to: query["return_to"].map(String.init))
        form.username = SessionCookies.rememberedUsername(in: request)
        form.remember_me = form.username == nil ? nil : "on"
        // Another region's login page sent this person here with what they had typed.
        if let typed = query["username"].map(String.init), !typed.isEmpty, typed.count <= 320 { form.username = typed }
        if let elsewhere = try await otherRegionsPage(for: form, request, context) { return elsewhere }
        var notice: String?
        switch try await authenticator.lookup(request) {
        case .valid:
            // Already signed in: straight on.
            return .redirect(to: ReturnPath.orFallback(form.return_to), type: .normal)
        case .ended(.idleTimeout): notice = "login.notice.idle_timeout"
        case .ended(.absoluteTimeout): notice = "login.notice.absolute_timeout"
        case .ended, .none: break
        }
        if query["signed_out"] != nil { notice = "login.notice.signed_out" }
        notice = notice.map { pages.localizer(for: request).text($0) }
        return try await render(request, form: form, error: nil, notice: notice, status: .ok)
    }

    @Sendable func submit(_ request: Request, context: AppRequestContext) async throws -> Response {
        var form = try await FormRequest.read(Form.self, from: request, context: context)
        form.tenant = form.tenant.map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        let text = pages.localizer(for: request)
        guard csrf.isValid(request, formValue: form.csrf_token) else {
            return try await render(request, form: form, error: text.text("login.error.page_expired"), notice: nil, status: .forbidden)
        }
        // A tenant of another region goes there first: its login page asks for the password.
        if let elsewhere = try await otherRegionsPage(for: form, request, context) { return elsewhere }
        let username = (form.username ?? "").trimmingCharacters(in: .whitespaces), password = form.password ?? ""
        guard !username.isEmpty, !password.isEmpty else {
            return try await render(request, form: form, error: text.text("login.error.missing_fields"), notice: nil, status: .badRequest)
        }
        let tenant = form.tenant.flatMap { $0.isEmpty ? nil : $0 }
        let identifier = LoginIdentifier.typed(username, tenant: tenant)
        do {
            let outcome = try await signIn(identifier, password: password, keepSignedIn: form.keep_signed_in != nil, request, context)
            var response: Response
            switch outcome {
            case .signedIn(let signedIn):
                response = try await landing.response(for: signedIn, request: request, returnTo: form.return_to)
            case .stepRequired(let pending):
                response = try renderStep(request, pending: pending, returnTo: form.return_to)
            }
            response.setCookie(form.remember_me != nil ? cookies.rememberedUsername(username) : cookies.forgetUsername())
            return response
        } catch let error as APIError where error.status != .internalServerError {
            var response = try await render(request, form: form, error: text.text(for: error), notice: nil, status: error.status)
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
        let text = pages.localizer(for: request)
        guard csrf.isValid(request, formValue: form.csrf_token) else {
            return try renderPasswordChange(request, pending: pending, returnTo: form.return_to, error: text.text("common.page_expired"),
                                            broken: [], status: .forbidden)
        }
        let password = form.password ?? ""
        guard !password.isEmpty, password == form.password_confirm else {
            return try renderPasswordChange(request, pending: pending, returnTo: form.return_to,
                                            error: text.text(password.isEmpty ? "common.choose_password" : "common.passwords_differ"),
                                            broken: [], status: .badRequest)
        }
        do {
            switch try await completePasswordChange(flowID: flowID, password: password, request, context) {
            case .signedIn(let signedIn):
                return try await landing.response(for: signedIn, request: request, returnTo: form.return_to)
            case .stepRequired(let next):
                return try renderStep(request, pending: next, returnTo: form.return_to)
            }
        } catch let error as APIError where error.code == "password_policy" {
            return try renderPasswordChange(request, pending: pending, returnTo: form.return_to,
                                            error: text.refused(error.violations ?? []),
                                            broken: error.violations ?? [], status: .badRequest)
        } catch let error as APIError where error.status != .internalServerError {
            return try await render(request, form: Form(return_to: form.return_to), error: text.text(for: error), notice: nil, status: error.status)
        }
    }

    /// The page of the step a sign-in waits at.
    func renderStep(_ request: Request, pending: PendingLogin, returnTo: String?, error: String? = nil,
                    status: HTTPResponse.Status = .ok) throws -> Response {
        let text = pages.localizer(for: request)
        switch pending.flow.step {
        case .passwordChange:
            return try renderPasswordChange(request, pending: pending, returnTo: returnTo, error: error, broken: [], status: status)
        case .mfa:
            return try renderFlowPage("mfa-code", request, pending: pending, returnTo: returnTo, error: error, status: status,
                                      extra: ["title": text.text("mfa.code.title"), "tenantName": pending.tenant.displayName])
        case .mfaEnrollment:
            return try renderFlowPage("mfa-name", request, pending: pending, returnTo: returnTo, error: error, status: status, extra: [
                "title": text.text("mfa.setup.title"), "action": "/login/mfa/enroll",
                "lead": text.text("mfa.setup.lead_required", ["tenantName": pending.tenant.displayName])])
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
                                     title: "temporary.title", lead: "temporary.lead",
                                     action: "/login/password", submitLabel: "temporary.submit", error: error, broken: broken,
                                     status: status, extra: extra)
    }

    /// The login page of the region the named tenant lives in, with the tenant and username
    /// filled in (never the password), when that is not this region.
    private func otherRegionsPage(for form: Form, _ request: Request, _ context: AppRequestContext) async throws -> Response? {
        guard let text = form.tenant?.trimmingCharacters(in: .whitespaces).lowercased(), !text.isEmpty, let slug = try? TenantSlug(text),
              case .elsewhere(let region) = try await locator.locate(.tenant(slug), asker: context.clientIP ?? "unknown"), let base = region.baseURL,
              var components = URLComponents(string: base + "/login")
        else { return nil }
        var items = [URLQueryItem(name: "tenant", value: slug.rawValue)]
        if let username = form.username?.trimmingCharacters(in: .whitespaces), !username.isEmpty {
            items.append(URLQueryItem(name: "username", value: username))
        }
        if let chosen = PageRenderer.chosenLanguage(in: request) ?? SessionCookies.rememberedLanguage(in: request) {
            items.append(URLQueryItem(name: "lang", value: chosen.code))
        }
        components.queryItems = items
        return .redirect(to: components.string ?? base + "/login", type: request.method == .post ? .normal : .found)
    }

    /// The region chooser: each region's login page, this one marked. Names of regions the
    /// catalogs know are said in the page's language.
    private func regionChoices(_ text: Localizer, request: Request) -> [[String: Any]] {
        guard regions.regions.count > 1 else { return [] }
        let chosen = PageRenderer.chosenLanguage(in: request) ?? SessionCookies.rememberedLanguage(in: request)
        return regions.regions.map { region in
            let key = "region.\(region.code.rawValue)"
            let base = region.code == regions.local ? "" : (region.baseURL ?? "")
            return ["code": region.code.rawValue, "name": text.has(key) ? text.text(key) : region.name,
                    "href": base + "/login" + (chosen.map { "?lang=\($0.code)" } ?? ""), "current": region.code == regions.local]
        }
    }

    func render(_ request: Request, form: Form, error: String?, notice: String?, status: HTTPResponse.Status) async throws -> Response {
        var tenantName: String?
        if let slug = form.tenant, let parsed = try? TenantSlug(slug) { tenantName = try await tenants.find(slug: parsed)?.displayName }
        let text = pages.localizer(for: request)
        var values: [String: Any] = [
            "title": text.text("login.title"), "username": form.username ?? "",
            // Mustache treats "" as true, so the focus rule needs a real boolean.
            "hasUsername": !(form.username ?? "").isEmpty,
            "usernameLabel": text.text(tenantName == nil ? "login.email" : "login.email_or_agent_id"),
            "usernameType": tenantName == nil ? "email" : "text",
            "rememberMe": form.remember_me != nil, "keepSignedIn": form.keep_signed_in != nil,
        ]
        if let tenantName, let slug = form.tenant {
            values["tenantName"] = tenantName
            values["tenant"] = slug
        } else {
            values["tenantField"] = form.tenant ?? ""
            values["tenantOpen"] = !(form.tenant ?? "").isEmpty
        }
        let regionChoices = regionChoices(text, request: request)
        values["regions"] = regionChoices
        values["hasRegions"] = !regionChoices.isEmpty
        if let returnTo = ReturnPath.validated(form.return_to) { values["returnTo"] = returnTo }
        if let error { values["error"] = error }
        if let notice { values["notice"] = notice }
        var response = try pages.renderForm("login", values, csrf: csrf, request: request, status: status)
        // The form may lead on to another region's login page (a 303 the browser checks against form-action).
        let otherRegions = regions.others.compactMap(\.baseURL)
        if !otherRegions.isEmpty { response.headers[.contentSecurityPolicy] = SecurityHeadersMiddleware.policy(formActions: otherRegions) }
        return response
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
