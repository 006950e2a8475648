import Foundation
import GatehouseCore
import Hummingbird

/// Finds the session behind a request's cookie, checks that it is still valid, and records the
/// activity that keeps it alive.
struct SessionAuthenticator: Sendable {
    let sessions: any SessionRepository
    let members: any MemberRepository
    let origins: OriginCheck
    let clock: any WallClock

    /// A valid session and who it belongs to.
    struct Current: Sendable {
        let session: Session
        let member: Member
        let tenant: Tenant
    }

    /// What the cookie amounts to.
    enum Lookup: Sendable {
        case none
        /// The browser had a session that is over (the login page says why).
        case ended(SessionEndReason)
        case valid(Current)
    }

    func lookup(_ request: Request) async throws -> Lookup {
        guard let digest = SessionCookies.presentedDigest(in: request) else { return .none }
        guard let owner = try await sessions.findWithOwner(secretDigest: digest) else { return .none }
        var session = owner.session
        var member = owner.member
        let tenant = owner.tenant
        let now = clock.now()
        if let reason = session.endReason(at: now) { return .ended(reason) }
        guard member.membership.status == .active else { return .ended(.endedByAdministrator) }
        if session.needsTouch(at: now) {
            session.lastSeenAt = now
            session.idleExpiresAt = now.addingTimeInterval(TimeInterval(session.idleTimeoutSeconds))
            try await sessions.touch(session.id, lastSeenAt: now, idleExpiresAt: session.idleExpiresAt)
        }
        // A language picked from a page's menu while signed in is the person's from now on.
        if let chosen = PageRenderer.chosenLanguage(in: request), chosen.code != member.user.language.value,
           let tag = try? LanguageTag(chosen.code) {
            try await members.setLanguage(user: member.user.id, to: tag, at: now)
            member.user.language = tag
        }
        return .valid(Current(session: session, member: member, tenant: tenant))
    }

    /// The valid session, or 401 for the API; 403 for a state change another site asked for.
    func require(_ request: Request) async throws -> Current {
        guard case .valid(let current) = try await lookup(request) else { throw APIError.notSignedIn }
        try origins.require(request)
        return current
    }
}
