import Foundation
import GatehouseCore
import GatehouseLocalization
import Hummingbird

/// A person's own second factors: enrolment (`/api/v1/mfa/totp`), devices, recovery codes, the
/// password check that removing one needs, and the My account → Security page.
struct MFAController: Sendable {
    let mfa: MFAService
    let devices: any MFARepository
    let reauthentication: Reauthentication
    let authenticator: SessionAuthenticator
    let csrf: CSRFProtection
    let pages: PageRenderer
    let clock: any WallClock

    func addRoutes(to router: Router<AppRequestContext>) {
        router.post("api/v1/mfa/totp", use: apiEnroll)
        router.post("api/v1/mfa/totp/:id/verify", use: apiVerify)
        router.get("api/v1/mfa/devices", use: apiDevices)
        router.delete("api/v1/mfa/devices/:id", use: apiDelete)
        router.post("api/v1/mfa/recovery-codes", use: apiRecoveryCodes)
        router.post("api/v1/session/reauthenticate", use: apiReauthenticate)
        router.get("account/security", use: page)
        router.post("account/security/totp", use: pageEnroll)
        router.post("account/security/totp/verify", use: pageVerify)
        router.post("account/security/devices/delete", use: pageDelete)
        router.post("account/security/recovery-codes", use: pageRecoveryCodes)
    }

    // MARK: API

    @Sendable func apiEnroll(_ request: Request, context: AppRequestContext) async throws -> Response {
        let current = try await authenticator.require(request)
        var body = try await JSONRequest.read(request, context: context)
        let name = body.string("device_name")
        if !body.errors.isEmpty { throw APIError.validation(body.errors.messages) }
        let started = try await mfa.enroll(current.member, in: current.tenant, name: name)
        return try JSONResponse.make(status: .created, EnrollmentJSON(started, now: clock.now()))
    }

    @Sendable func apiVerify(_ request: Request, context: AppRequestContext) async throws -> Response {
        let current = try await authenticator.require(request)
        var body = try await JSONRequest.read(request, context: context)
        let code = body.string("code")
        var errors = body.errors
        if (code ?? "").isEmpty { errors.add("code", "is required") }
        if !errors.isEmpty { throw APIError.validation(errors.messages) }
        let confirmed = try await mfa.confirm(current.member, in: current.tenant, enrollment: try Self.id(context), code: code!,
                                              clientIP: context.clientIP)
        return try JSONResponse.make(ConfirmedDeviceJSON(device: DeviceJSON(confirmed.device), recoveryCodes: confirmed.recoveryCodes))
    }

    @Sendable func apiDevices(_ request: Request, context: AppRequestContext) async throws -> Response {
        let current = try await authenticator.require(request)
        return try JSONResponse.make(try await deviceList(current.member.user.id))
    }

    @Sendable func apiDelete(_ request: Request, context: AppRequestContext) async throws -> Response {
        let current = try await authenticator.require(request)
        try await requireRecentPassword(current)
        try await deleteDevice(try Self.id(context), current, context)
        return Response(status: .noContent)
    }

    @Sendable func apiRecoveryCodes(_ request: Request, context: AppRequestContext) async throws -> Response {
        let current = try await authenticator.require(request)
        try await requireRecentPassword(current)
        let codes = try await mfa.regenerateRecoveryCodes(for: current.member, in: current.tenant, clientIP: context.clientIP)
        return try JSONResponse.make(RecoveryCodesJSON(recoveryCodes: codes))
    }

    @Sendable func apiReauthenticate(_ request: Request, context: AppRequestContext) async throws -> Response {
        let current = try await authenticator.require(request)
        var body = try await JSONRequest.read(request, context: context)
        let password = body.string("password")
        var errors = body.errors
        if (password ?? "").isEmpty { errors.add("password", "is required") }
        if !errors.isEmpty { throw APIError.validation(errors.messages) }
        do {
            try await reauthentication.confirm(password!, member: current.member, tenant: current.tenant, session: current.session,
                                               clientIP: context.clientIP)
        } catch PasswordChangeError.wrongCurrentPassword {
            // The field here is `password`, not a password change's `current_password`.
            throw APIError(.badRequest, "invalid_current_password", "Your password is not right.", fields: ["password": "is not right"])
        }
        return Response(status: .noContent)
    }

    private func requireRecentPassword(_ current: SessionAuthenticator.Current) async throws {
        guard try await reauthentication.isRecent(current.session) else { throw APIError.reauthenticationRequired }
    }

    private func deleteDevice(_ id: UUID, _ current: SessionAuthenticator.Current, _ context: AppRequestContext) async throws {
        let audit = AuditEvent(at: clock.now(), tenant: current.tenant.id, actor: .user(current.member.user.id), action: .mfaDeviceDelete,
                               target: .user(current.member.user.id), outcome: .success, clientIP: context.clientIP,
                               detail: ["device": id.uuidString.lowercased()])
        guard try await devices.delete(id, user: current.member.user.id, audit: audit) else { throw APIError.notFound("No such device.") }
    }

    private func deviceList(_ user: UserID) async throws -> DeviceListJSON {
        DeviceListJSON(devices: try await devices.devices(user: user).map(DeviceJSON.init),
                       recoveryCodesLeft: try await devices.unusedRecoveryCodes(user: user))
    }

    private static func id(_ context: AppRequestContext) throws -> UUID {
        guard let text = context.parameters.get("id"), let id = UUID(uuidString: text) else { throw APIError.notFound("No such device.") }
        return id
    }

    // MARK: Pages

    struct Form: Decodable {
        var csrf_token: String?
        var device_name: String?
        var enrollment_id: String?
        var code: String?
        var device_id: String?
        var password: String?
    }

    @Sendable func page(_ request: Request, context: AppRequestContext) async throws -> Response {
        guard case .valid(let current) = try await authenticator.lookup(request) else {
            return .redirect(to: "/login?return_to=/account/security", type: .found)
        }
        return try await renderSecurity(request, current, notice: nil, error: nil, status: .ok)
    }

    /// The signed-in person of a security form, or the sign-in page.
    private func formUser(_ request: Request, _ form: Form) async throws -> SessionAuthenticator.Current? {
        guard case .valid(let current) = try await authenticator.lookup(request), csrf.isValid(request, formValue: form.csrf_token) else {
            return nil
        }
        return current
    }

    @Sendable func pageEnroll(_ request: Request, context: AppRequestContext) async throws -> Response {
        let form = try await FormRequest.read(Form.self, from: request, context: context)
        guard let current = try await formUser(request, form) else { return .redirect(to: "/account/security", type: .found) }
        do {
            let started = try await mfa.enroll(current.member, in: current.tenant, name: form.device_name)
            return try MFAPages.scan(pages: pages, csrf: csrf, request: request, enrollment: started, deviceName: form.device_name ?? "",
                                     action: "/account/security/totp/verify", flowID: nil, returnTo: nil, error: nil)
        } catch is FieldErrors {
            return try await renderSecurity(request, current, notice: nil, error: text(request, current).text(MFAPages.nameErrorKey(form.device_name)),
                                            status: .badRequest)
        } catch is MFADisabled {
            return try await renderSecurity(request, current, notice: nil, error: text(request, current).text("error.mfa_disabled"),
                                            status: .conflict)
        }
    }

    @Sendable func pageVerify(_ request: Request, context: AppRequestContext) async throws -> Response {
        let form = try await FormRequest.read(Form.self, from: request, context: context)
        guard let current = try await formUser(request, form), let id = form.enrollment_id.flatMap(UUID.init(uuidString:)) else {
            return .redirect(to: "/account/security", type: .found)
        }
        do {
            let confirmed = try await mfa.confirm(current.member, in: current.tenant, enrollment: id, code: form.code ?? "",
                                                  clientIP: context.clientIP)
            if let codes = confirmed.recoveryCodes {
                return try MFAPages.recoveryCodes(pages: pages, request: request, user: current.member.user, title: "mfa.recovery.enabled_title",
                                                  codes: codes, continueTo: "/account/security", continueLabel: "common.done")
            }
            return try await renderSecurity(request, current, notice: text(request, current).text("security.device_added", ["deviceName": confirmed.device.name]), error: nil, status: .ok)
        } catch is InvalidMFACode {
            return try await renderSecurity(request, current, notice: nil,
                                            error: text(request, current).text("mfa.scan.wrong_code_account"),
                                            status: .badRequest)
        } catch is NotFound {
            return try await renderSecurity(request, current, notice: nil, error: text(request, current).text("security.enrollment_expired"),
                                            status: .notFound)
        }
    }

    @Sendable func pageDelete(_ request: Request, context: AppRequestContext) async throws -> Response {
        let form = try await FormRequest.read(Form.self, from: request, context: context)
        guard let current = try await formUser(request, form), let id = form.device_id.flatMap(UUID.init(uuidString:)) else {
            return .redirect(to: "/account/security", type: .found)
        }
        if let failure = try await checkPassword(form.password, request, current, context) {
            return try await renderSecurity(request, current, notice: nil, error: failure, status: .badRequest)
        }
        try await deleteDevice(id, current, context)
        return try await renderSecurity(request, current, notice: text(request, current).text("security.device_removed"), error: nil, status: .ok)
    }

    @Sendable func pageRecoveryCodes(_ request: Request, context: AppRequestContext) async throws -> Response {
        let form = try await FormRequest.read(Form.self, from: request, context: context)
        guard let current = try await formUser(request, form) else { return .redirect(to: "/account/security", type: .found) }
        if let failure = try await checkPassword(form.password, request, current, context) {
            return try await renderSecurity(request, current, notice: nil, error: failure, status: .badRequest)
        }
        let codes = try await mfa.regenerateRecoveryCodes(for: current.member, in: current.tenant, clientIP: context.clientIP)
        return try MFAPages.recoveryCodes(pages: pages, request: request, user: current.member.user, title: "mfa.recovery.new_title",
                                          codes: codes, continueTo: "/account/security", continueLabel: "common.done")
    }

    /// The page forms carry the password themselves; nil when it is right.
    private func checkPassword(_ password: String?, _ request: Request, _ current: SessionAuthenticator.Current,
                               _ context: AppRequestContext) async throws -> String? {
        let text = text(request, current)
        guard let password, !password.isEmpty else { return text.text("security.password_missing") }
        do {
            try await reauthentication.confirm(password, member: current.member, tenant: current.tenant, session: current.session,
                                               clientIP: context.clientIP)
            return nil
        } catch PasswordChangeError.wrongCurrentPassword {
            return text.text("security.password_wrong")
        } catch PasswordChangeError.tooManyAttempts(let seconds) {
            return text.text(for: APIError.tooManyAttempts(retryAfter: seconds))
        }
    }

    private func renderSecurity(_ request: Request, _ current: SessionAuthenticator.Current, notice: String?, error: String?,
                                status: HTTPResponse.Status) async throws -> Response {
        let list = try await devices.devices(user: current.member.user.id)
        let settings = TenantSettings(document: current.tenant.settings)
        let text = text(request, current)
        var values: [String: Any] = [
            "title": text.text("security.title"), "email": current.member.user.email.value, "tenantName": current.tenant.displayName,
            "required": settings.mfa.requires(current.member), "hasDevices": !list.isEmpty, "canEnroll": settings.mfa.mode != .off,
            "devices": list.map { ["id": $0.id.uuidString.lowercased(), "name": $0.name, "added": text.text("security.added", ["date": text.date($0.confirmedAt ?? $0.createdAt)])] },
            "recoveryCodesLeft": text.text("security.codes_left", count: try await devices.unusedRecoveryCodes(user: current.member.user.id)),
        ]
        if let notice { values["notice"] = notice }
        if let error { values["error"] = error }
        return try pages.renderForm("security", values, csrf: csrf, request: request, user: current.member.user, status: status)
    }

    /// The texts of a signed-in person's page.
    private func text(_ request: Request, _ current: SessionAuthenticator.Current) -> Localizer {
        pages.localizer(for: request, user: current.member.user)
    }
}

/// Pages the account and the sign-in flow share.
enum MFAPages {
    static func scan(pages: PageRenderer, csrf: CSRFProtection, request: Request, enrollment: MFAService.Enrollment, deviceName: String,
                     action: String, flowID: String?, returnTo: String?, error: String?) throws -> Response {
        // In groups of four, for typing by hand.
        let key = Array(enrollment.secret)
        var values: [String: Any] = [
            "title": pages.localizer(for: request).text("mfa.scan.title"), "qrSVG": enrollment.qrSVG, "deviceName": deviceName,
            "secretGrouped": stride(from: 0, to: key.count, by: 4).map { String(key[$0..<min($0 + 4, key.count)]) }.joined(separator: " "),
            "enrollmentID": enrollment.id.uuidString.lowercased(), "action": action,
        ]
        if let flowID { values["flowID"] = flowID }
        if let returnTo = ReturnPath.validated(returnTo) { values["returnTo"] = returnTo }
        if let error { values["error"] = error }
        return try pages.renderForm("mfa-scan", values, csrf: csrf, request: request)
    }

    /// `title` and `continueLabel` are catalog keys.
    static func recoveryCodes(pages: PageRenderer, request: Request, user: User? = nil, title: String, codes: [String], continueTo: String,
                              continueLabel: String, headers: HTTPFields = [:]) throws -> Response {
        let text = pages.localizer(for: request, user: user)
        return try pages.render("recovery-codes", ["title": text.text(title), "codes": codes, "continueTo": continueTo,
                                                   "continueLabel": text.text(continueLabel)],
                                request: request, user: user, headers: headers)
    }

    /// What the page says about a device name the service refused.
    static func nameErrorKey(_ name: String?) -> String {
        (name ?? "").trimmingCharacters(in: .whitespaces).isEmpty ? "mfa.name.error_required" : "mfa.name.error_invalid"
    }
}
