import Foundation
import GatehouseCore
import Hummingbird

/// `GET|PUT /api/v1/account/microphone-check`: the result of the browser's microphone check
/// after sign-in, kept on the person so administrators (and the next sign-in) see it.
struct MicrophoneCheckController: Sendable {
    let members: any MemberRepository
    let authenticator: SessionAuthenticator
    let clock: any WallClock

    func addRoutes(to router: Router<AppRequestContext>) {
        router.get("api/v1/account/microphone-check", use: show)
        router.put("api/v1/account/microphone-check", use: record)
    }

    @Sendable func show(_ request: Request, context: AppRequestContext) async throws -> Response {
        let current = try await authenticator.require(request)
        return try JSONResponse.make(MicrophoneCheckJSON(current.member.user.microphoneCheck))
    }

    @Sendable func record(_ request: Request, context: AppRequestContext) async throws -> Response {
        let current = try await authenticator.require(request)
        var body = try await JSONRequest.read(request, context: context)
        let text = body.string("result")
        var errors = body.errors
        let result = text.flatMap(MicrophoneCheckResult.init(rawValue:))
        if result == nil, errors.messages["result"] == nil {
            errors.add("result", (text == nil ? "is required: " : "must be one of ") + MicrophoneCheckResult.allCases.map(\.rawValue).joined(separator: ", "))
        }
        if !errors.isEmpty { throw APIError.validation(errors.messages) }
        let check = MicrophoneCheck(result: result!, checkedAt: clock.now())
        let member = current.member
        let audit = AuditEvent(at: check.checkedAt, tenant: current.tenant.id, actor: .user(member.user.id), action: .microphoneChecked,
                               target: .user(member.user.id), outcome: .success, clientIP: context.clientIP,
                               detail: ["result": check.result.rawValue])
        guard try await members.recordMicrophoneCheck(tenant: current.tenant.id, user: member.user.id, check, audit: audit) else {
            throw APIError.notSignedIn
        }
        return try JSONResponse.make(MicrophoneCheckJSON(check))
    }
}
