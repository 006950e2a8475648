import Foundation
import GatehouseCore
import Hummingbird

/// `GET|PUT /api/v1/presence`: the signed-in agent's own presence, available or away for a
/// reason of their Presence Reason list. Session cookie only, like the caller's other routes.
struct PresenceController: Sendable {
    let presence: PresenceService
    let authenticator: SessionAuthenticator

    func addRoutes(to router: Router<AppRequestContext>) {
        router.get("api/v1/presence", use: show)
        router.put("api/v1/presence", use: update)
    }

    @Sendable func show(_ request: Request, context: AppRequestContext) async throws -> Response {
        let current = try await authenticator.require(request)
        return try JSONResponse.make(PresenceJSON(try await presence.current(of: current.member)))
    }

    @Sendable func update(_ request: Request, context: AppRequestContext) async throws -> Response {
        let current = try await authenticator.require(request)
        var body = try await JSONRequest.read(request, context: context)
        let stateText = body.string("state"), reasonID = body.string("reason_id")
        var errors = body.errors
        let state = stateText.flatMap(PresenceState.init(rawValue:))
        if state == nil, errors.messages["state"] == nil {
            errors.add("state", stateText == nil ? "is required: available or away" : "must be available or away")
        }
        if state == .away, reasonID == nil, errors.messages["reason_id"] == nil { errors.add("reason_id", "is required when state is away") }
        if !errors.isEmpty { throw APIError.validation(errors.messages) }
        return try JSONResponse.make(PresenceJSON(try await presence.set(state!, reasonID: reasonID, for: current.member)))
    }
}
