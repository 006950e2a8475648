import Foundation

/// Issues API tokens and turns presented ones into a principal.
public struct APITokenService<Tokens: APITokenRepository>: Sendable {
    let tokens: Tokens
    let clock: any WallClock
    let random: any RandomSource

    public init(tokens: Tokens, clock: any WallClock, random: any RandomSource) {
        self.tokens = tokens
        self.clock = clock
        self.random = random
    }

    /// Creates a token for `member` and returns its secret, which is never available again.
    public func issue(for member: Member, in tenant: Tenant, name: String, actor: AuditActor,
                      clientIP: String? = nil) async throws -> (token: APIToken, secret: String) {
        let secret = SecretToken(prefix: APIToken.secretPrefix, random: random)
        let now = clock.now()
        let token = APIToken(tenantID: tenant.id, userID: member.user.id, name: name,
                             prefix: String(secret.plaintext.prefix(APIToken.visiblePrefixLength)), createdAt: now)
        let audit = AuditEvent(at: now, tenant: tenant.id, actor: actor, action: .apiTokenCreate,
                               target: .user(member.user.id), outcome: .success, clientIP: clientIP,
                               detail: ["token_id": token.id.uuidString.lowercased(), "name": name])
        try await tokens.create(token, secretDigest: secret.digest, audit: audit)
        return (token, secret.plaintext)
    }

    /// The principal a presented secret stands for, or nil when it is unknown, revoked,
    /// expired, or its member may no longer act (disabled, removed).
    public func authenticate(_ presented: String) async throws -> AuthenticatedToken? {
        guard presented.hasPrefix(APIToken.secretPrefix), presented.utf8.count <= 200 else { return nil }
        guard let found = try await tokens.find(secretDigest: SecretToken(presented: presented).digest) else { return nil }
        guard found.token.isUsable(at: clock.now()), found.member.membership.status == .active else { return nil }
        return found
    }
}
