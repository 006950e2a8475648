import Foundation
import GatehouseCore
import GatehouseLocalization
import Hummingbird

/// The second-factor steps of sign-in: the code (`/api/v1/login/{flow_id}/mfa`, `/login/mfa`)
/// and, when the tenant requires a device the person lacks, enrolment inside the flow.
extension LoginController {
    func addMFARoutes(to router: Router<AppRequestContext>) {
        router.post("api/v1/login/:flow/mfa", use: apiMFA)
        router.post("api/v1/login/:flow/mfa/totp", use: apiMFAEnroll)
        router.post("api/v1/login/:flow/mfa/totp/:enrollment/verify", use: apiMFAEnrollVerify)
        router.post("login/mfa", use: pageMFA)
        router.post("login/mfa/enroll", use: pageMFAEnroll)
        router.post("login/mfa/enroll/verify", use: pageMFAEnrollVerify)
    }

    private func continued(_ request: Request, _ context: AppRequestContext) -> LoginService.Attempt {
        attempt(.email("", tenant: nil), password: "", keepSignedIn: false, request, context)
    }

    @Sendable func apiMFA(_ request: Request, context: AppRequestContext) async throws -> Response {
        try authenticator.origins.require(request)
        var body = try await JSONRequest.read(request, context: context)
        let code = body.string("code"), recovery = body.string("recovery_code")
        var errors = body.errors
        if (code ?? "").isEmpty && (recovery ?? "").isEmpty { errors.add("code", "is required (or recovery_code)") }
        if code != nil && recovery != nil { errors.add("recovery_code", "give either code or recovery_code, not both") }
        if !errors.isEmpty { throw APIError.validation(errors.messages) }
        let flowID = context.parameters.get("flow") ?? ""
        let outcome = try await APIError.answering { try await login.completeMFA(flowID: flowID, code: code, recoveryCode: recovery,
                                                                   attempt: continued(request, context)) }
        switch outcome {
        case .signedIn(let signedIn): return try signedInResponse(signedIn)
        case .stepRequired(let pending): return try JSONResponse.make(PendingLoginJSON(pending))
        }
    }

    @Sendable func apiMFAEnroll(_ request: Request, context: AppRequestContext) async throws -> Response {
        try authenticator.origins.require(request)
        var body = try await JSONRequest.read(request, context: context)
        let name = body.string("device_name")
        if !body.errors.isEmpty { throw APIError.validation(body.errors.messages) }
        let flowID = context.parameters.get("flow") ?? ""
        let enrollment = try await APIError.answering { try await login.startMFAEnrollment(flowID: flowID, deviceName: name) }
        return try JSONResponse.make(status: .created, EnrollmentJSON(enrollment, now: Date()))
    }

    @Sendable func apiMFAEnrollVerify(_ request: Request, context: AppRequestContext) async throws -> Response {
        try authenticator.origins.require(request)
        var body = try await JSONRequest.read(request, context: context)
        let code = body.string("code")
        var errors = body.errors
        if (code ?? "").isEmpty { errors.add("code", "is required") }
        if !errors.isEmpty { throw APIError.validation(errors.messages) }
        guard let enrollment = context.parameters.get("enrollment").flatMap(UUID.init(uuidString:)) else {
            throw APIError.notFound("This enrolment has expired or does not exist. Start again.")
        }
        let flowID = context.parameters.get("flow") ?? ""
        let result = try await APIError.answering { try await login.completeMFAEnrollment(flowID: flowID, enrollment: enrollment, code: code!,
                                                                            attempt: continued(request, context)) }
        guard case .signedIn(let signedIn) = result.outcome else { throw APIError.internalError }
        var response = try JSONResponse.make(SignedInWithCodesJSON(signedIn: WhoAmIJSON(status: "signed_in", member: signedIn.member,
                                                                                         tenant: signedIn.tenant, session: signedIn.session),
                                                                   recoveryCodes: result.recoveryCodes))
        response.setCookie(cookies.session(signedIn))
        return response
    }

    // MARK: Pages

    struct MFAForm: Decodable {
        var csrf_token: String?
        var flow_id: String?
        var return_to: String?
        var code: String?
        var recovery_code: String?
        var use_recovery: String?
        var device_name: String?
        var enrollment_id: String?
    }

    /// The pending flow of a step page; nil when it ended (the caller shows ``flowEnded(_:returnTo:)``).
    func pendingFlow(_ flowID: String?) async throws -> PendingLogin? {
        do {
            return try await login.pending(flowID: flowID ?? "")
        } catch .unavailable(let error) {
            throw error
        } catch {
            return nil
        }
    }

    /// The sign-in page, saying the flow of a step page has ended.
    func flowEnded(_ request: Request, returnTo: String?) async throws -> Response {
        try await render(request, form: Form(return_to: returnTo), error: pages.localizer(for: request).text("error.flow_expired"),
                         notice: nil, status: .gone)
    }

    @Sendable func pageMFA(_ request: Request, context: AppRequestContext) async throws -> Response {
        let form = try await FormRequest.read(MFAForm.self, from: request, context: context)
        guard let pending = try await pendingFlow(form.flow_id) else { return try await flowEnded(request, returnTo: form.return_to) }
        guard csrf.isValid(request, formValue: form.csrf_token) else {
            return try renderStep(request, pending: pending, returnTo: form.return_to, error: pages.localizer(for: request).text("common.page_expired"),
                                  status: .forbidden)
        }
        let useRecovery = form.use_recovery != nil || ((form.code ?? "").isEmpty && !(form.recovery_code ?? "").isEmpty)
        do {
            let outcome = try await APIError.answering {
                try await login.completeMFA(flowID: pending.flowID, code: useRecovery ? nil : (form.code ?? ""),
                                            recoveryCode: useRecovery ? (form.recovery_code ?? "") : nil, attempt: continued(request, context))
            }
            return try await finish(outcome, request: request, returnTo: form.return_to)
        } catch let error as APIError where error.code == "invalid_code" {
            return try renderStep(request, pending: pending, returnTo: form.return_to, error: pages.localizer(for: request).text(for: error),
                                  status: .unauthorized)
        } catch let error as APIError where error.status != .internalServerError {
            return try await render(request, form: Form(return_to: form.return_to), error: pages.localizer(for: request).text(for: error),
                                    notice: nil, status: error.status)
        }
    }

    @Sendable func pageMFAEnroll(_ request: Request, context: AppRequestContext) async throws -> Response {
        let form = try await FormRequest.read(MFAForm.self, from: request, context: context)
        guard let pending = try await pendingFlow(form.flow_id) else { return try await flowEnded(request, returnTo: form.return_to) }
        guard csrf.isValid(request, formValue: form.csrf_token) else {
            return try renderStep(request, pending: pending, returnTo: form.return_to, error: pages.localizer(for: request).text("common.page_expired"),
                                  status: .forbidden)
        }
        do {
            let enrollment = try await APIError.answering { try await login.startMFAEnrollment(flowID: pending.flowID, deviceName: form.device_name) }
            return try MFAPages.scan(pages: pages, csrf: csrf, request: request, enrollment: enrollment, deviceName: form.device_name ?? "",
                                     action: "/login/mfa/enroll/verify", flowID: pending.flowID, returnTo: form.return_to, error: nil)
        } catch is FieldErrors {
            return try renderStep(request, pending: pending, returnTo: form.return_to,
                                  error: pages.localizer(for: request).text(MFAPages.nameErrorKey(form.device_name)), status: .badRequest)
        }
    }

    @Sendable func pageMFAEnrollVerify(_ request: Request, context: AppRequestContext) async throws -> Response {
        let form = try await FormRequest.read(MFAForm.self, from: request, context: context)
        guard let pending = try await pendingFlow(form.flow_id) else { return try await flowEnded(request, returnTo: form.return_to) }
        guard csrf.isValid(request, formValue: form.csrf_token), let enrollment = form.enrollment_id.flatMap(UUID.init(uuidString:)) else {
            return try renderStep(request, pending: pending, returnTo: form.return_to, error: pages.localizer(for: request).text("common.page_expired"),
                                  status: .forbidden)
        }
        do {
            let result = try await APIError.answering {
                try await login.completeMFAEnrollment(flowID: pending.flowID, enrollment: enrollment, code: form.code ?? "",
                                                      attempt: continued(request, context))
            }
            guard case .signedIn(let signedIn) = result.outcome else { return try await finish(result.outcome, request: request, returnTo: form.return_to) }
            guard let codes = result.recoveryCodes else { return try await finish(result.outcome, request: request, returnTo: form.return_to) }
            try await landing.adoptLanguage(of: request, for: signedIn.member)
            let target = try await landing.target(for: signedIn, returnTo: form.return_to)
            var headers: HTTPFields = [:]
            headers[.setCookie] = cookies.session(signedIn).description
            return try MFAPages.recoveryCodes(pages: pages, request: request, title: "mfa.recovery.enabled_title", codes: codes,
                                              continueTo: target, continueLabel: "mfa.recovery.continue", headers: headers)
        } catch let error as APIError where error.code == "invalid_code" {
            return try renderStep(request, pending: pending, returnTo: form.return_to,
                                  error: pages.localizer(for: request).text("mfa.scan.wrong_code_signin"),
                                  status: .badRequest)
        } catch let error as APIError where error.status != .internalServerError {
            // Refused at the end (no Presence Reason list, too many sessions): the sign-in page says why.
            return try await render(request, form: Form(return_to: form.return_to), error: pages.localizer(for: request).text(for: error),
                                    notice: nil, status: error.status)
        }
    }

    private func finish(_ outcome: LoginOutcome, request: Request, returnTo: String?) async throws -> Response {
        switch outcome {
        case .signedIn(let signedIn):
            return try await landing.response(for: signedIn, request: request, returnTo: returnTo)
        case .stepRequired(let next):
            return try renderStep(request, pending: next, returnTo: returnTo)
        }
    }
}

/// Signed in after enrolling inside the sign-in flow: the session, and the recovery codes once.
struct SignedInWithCodesJSON: Encodable {
    let signedIn: WhoAmIJSON
    let recoveryCodes: [String]?

    enum CodingKeys: String, CodingKey { case recoveryCodes = "recovery_codes" }

    func encode(to encoder: any Encoder) throws {
        try signedIn.encode(to: encoder)
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encodeIfPresent(recoveryCodes, forKey: .recoveryCodes)
    }
}
