import Foundation
import GatehouseCore
import GatehouseLocalization
import Hummingbird

/// Invitation links: the page that sets the first password (`/invitations/{token}`) and the
/// JSON equivalent (`POST /api/v1/invitations/{token}/accept`). Accepting signs the person in.
struct InvitationController: Sendable {
    let invitations: InvitationAcceptance
    let login: LoginService
    let origins: OriginCheck
    let cookies: SessionCookies
    let csrf: CSRFProtection
    let pages: PageRenderer
    let landing: SignInLanding
    /// The sign-in page of a step (two-step verification set-up when the tenant requires it).
    let stepPage: @Sendable (Request, PendingLogin, String?) throws -> Response

    func addRoutes(to router: Router<AppRequestContext>) {
        router.get("invitations/:token", use: page)
        router.post("invitations/:token", use: submit)
        router.post("api/v1/invitations/:token/accept", use: accept)
    }

    @Sendable func accept(_ request: Request, context: AppRequestContext) async throws -> Response {
        // It signs the browser in, so another site may not submit it (login CSRF).
        try origins.require(request)
        var body = try await JSONRequest.read(request, context: context)
        let password = body.string("password")
        var errors = body.errors
        if (password ?? "").isEmpty { errors.add("password", "is required") }
        if !errors.isEmpty { throw APIError.validation(errors.messages) }
        let (member, tenant) = try await invitations.accept(secret: token(context), password: password!, clientIP: context.clientIP)
        switch try await continueSignIn(member, tenant, request, context) {
        case .signedIn(let signedIn):
            var response = try JSONResponse.make(WhoAmIJSON(status: "signed_in", member: signedIn.member, tenant: signedIn.tenant,
                                                            session: signedIn.session))
            response.setCookie(cookies.session(signedIn))
            return response
        case .stepRequired(let pending):
            return try JSONResponse.make(PendingLoginJSON(pending))
        }
    }

    @Sendable func page(_ request: Request, context: AppRequestContext) async throws -> Response {
        do {
            let pending = try await invitations.pending(secret: token(context))
            return try render(request, pending: pending, error: nil, broken: [], status: .ok)
        } catch let unusable as LinkUnusable {
            return try LinkPages.unusable(unusable, pages: pages, request: request)
        }
    }

    struct Form: Decodable {
        var csrf_token: String?
        var password: String?
        var password_confirm: String?
    }

    @Sendable func submit(_ request: Request, context: AppRequestContext) async throws -> Response {
        let form = try await FormRequest.read(Form.self, from: request, context: context)
        let secret = try token(context)
        let pending: InvitationAcceptance.Pending
        do { pending = try await invitations.pending(secret: secret) } catch let unusable as LinkUnusable {
            return try LinkPages.unusable(unusable, pages: pages, request: request)
        }
        let text = pages.localizer(for: request)
        guard csrf.isValid(request, formValue: form.csrf_token) else {
            return try render(request, pending: pending, error: text.text("common.page_expired"), broken: [], status: .forbidden)
        }
        let password = form.password ?? ""
        guard !password.isEmpty else {
            return try render(request, pending: pending, error: text.text("common.choose_password"), broken: [], status: .badRequest)
        }
        guard password == form.password_confirm else {
            return try render(request, pending: pending, error: text.text("common.passwords_differ"), broken: [], status: .badRequest)
        }
        do {
            let (member, tenant) = try await invitations.accept(secret: secret, password: password, clientIP: context.clientIP)
            switch try await continueSignIn(member, tenant, request, context) {
            case .signedIn(let signedIn):
                return try await landing.response(for: signedIn, request: request, returnTo: nil)
            case .stepRequired(let pending):
                return try stepPage(request, pending, nil)
            }
        } catch let violation as PasswordPolicyViolation {
            return try render(request, pending: pending, error: text.refused(violation.violations), broken: violation.violations,
                              status: .badRequest)
        } catch let unusable as LinkUnusable {
            return try LinkPages.unusable(unusable, pages: pages, request: request)
        } catch let refused as APIError where refused.code == APIError.presenceReasonListRequired.code {
            // The password is set and the member active; only the session is refused.
            return try pages.message(request, status: refused.status, title: "signin_refused.title",
                                     message: "error.presence_reason_list_required", loginLink: true)
        }
    }

    private func continueSignIn(_ member: Member, _ tenant: Tenant, _ request: Request, _ context: AppRequestContext) async throws -> LoginOutcome {
        let attempt = LoginService.Attempt(identifier: .email(member.user.email.value, tenant: nil), password: "", keepSignedIn: false,
                                           clientIP: context.clientIP, userAgent: request.headers[.userAgent],
                                           previousSessionDigest: SessionCookies.presentedDigest(in: request))
        return try await APIError.answering { try await login.continueAfterPassword(for: member, in: tenant, attempt: attempt) }
    }

    private func render(_ request: Request, pending: InvitationAcceptance.Pending, error: String?, broken: [PasswordViolation],
                        status: HTTPResponse.Status) throws -> Response {
        try PasswordForm.page(pages, csrf: csrf, request: request, tenant: pending.tenant, user: pending.member.user,
                              title: "invitation.title", lead: "invitation.lead",
                              textValues: ["firstName": pending.member.user.firstName, "tenantName": pending.tenant.displayName,
                                           "email": pending.member.user.email.value],
                              action: request.uri.path, submitLabel: "invitation.submit", error: error, broken: broken, status: status)
    }

    private func token(_ context: AppRequestContext) throws -> String {
        guard let token = context.parameters.get("token"), !token.isEmpty, token.utf8.count <= 200 else {
            throw LinkUnusable(.invitation, .unknown)
        }
        return token
    }
}

/// The pages for links that no longer work.
enum LinkPages {
    static func unusable(_ error: LinkUnusable, pages: PageRenderer, request: Request) throws -> Response {
        let answer = APIError.from(link: error)
        let noun = error.purpose == .invitation ? "invitation" : "reset"
        let state = switch error.state {
        case .expired: "expired"
        case .used: "used"
        case .replaced: "replaced"
        case .valid, .unknown: "unknown"
        }
        return try pages.message(request, status: answer.status, title: "link.\(noun)_\(state).title", message: "link.\(noun)_\(state).text",
                                 loginLink: true)
    }
}
