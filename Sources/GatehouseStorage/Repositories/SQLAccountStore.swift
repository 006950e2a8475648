public import Foundation
public import GatehouseCore
import SQLKit

/// Account changes that commit together, on either database.
public struct SQLAccountStore: AccountStore {
    let database: Database

    public init(database: Database) { self.database = database }

    public func transaction<T: Sendable>(_ body: @Sendable (any AccountTransaction) async throws -> T) async throws -> T {
        do {
            return try await database.write { db in try await body(SQLAccountTransaction(db: db)) }
        } catch { throw mapUniqueViolation(error) }
    }

    public func link(digest: String) async throws -> OneTimeLink? {
        try await database.read { db in
            try await db.raw("SELECT * FROM one_time_links WHERE secret_digest = \(bind: digest)").first().flatMap(Self.link(from:))
        }
    }

    public func password(of user: UserID) async throws -> StoredPassword? {
        try await database.read { db in
            try await db.raw("SELECT hash, temporary_until FROM password_credentials WHERE user_id = \(bind: user.description)").first()
                .map { StoredPassword(hash: PasswordHash(phcString: try $0.string("hash")), temporaryUntil: try $0.optionalInstant("temporary_until")) }
        }
    }

    public func insertLoginFlow(_ flow: LoginFlow, digest: String) async throws {
        try await database.write { db in
            try await db.insert(into: "login_flows")
                .columns("secret_digest", "tenant_id", "user_id", "step", "keep_signed_in", "created_at", "expires_at")
                .values(SQLBind(digest), SQLBind(flow.tenantID.description), SQLBind(flow.userID.description), SQLBind(flow.step.rawValue),
                        SQLBind(flow.keepSignedIn ? 1 : 0), SQLBind(flow.createdAt.stored), SQLBind(flow.expiresAt.stored))
                .run()
        }
    }

    public func loginFlow(digest: String) async throws -> LoginFlow? {
        try await database.read { db in
            try await db.raw("SELECT * FROM login_flows WHERE secret_digest = \(bind: digest) AND used_at IS NULL").first()
                .flatMap(Self.flow(from:))
        }
    }

    public func recordLoginFlowFailure(digest: String) async throws -> Int? {
        try await database.write { db in
            try await db.raw("""
                UPDATE login_flows SET failures = failures + 1 WHERE secret_digest = \(bind: digest) AND used_at IS NULL RETURNING failures
                """).first()?.decode(column: "failures", as: Int.self)
        }
    }

    public func endLoginFlow(digest: String, at now: Date) async throws {
        try await database.write { db in
            try await db.raw("UPDATE login_flows SET used_at = \(bind: now.stored) WHERE secret_digest = \(bind: digest) AND used_at IS NULL").run()
        }
    }

    static func flow(from row: any SQLRow) throws -> LoginFlow? {
        guard let tenant = TenantID(string: try row.string("tenant_id")), let user = UserID(string: try row.string("user_id")),
              let step = LoginStep(rawValue: try row.string("step")) else { return nil }
        return LoginFlow(tenantID: tenant, userID: user, step: step, keepSignedIn: try row.decode(column: "keep_signed_in", as: Int.self) != 0,
                         createdAt: try row.instant("created_at"), expiresAt: try row.instant("expires_at"))
    }

    static func link(from row: any SQLRow) throws -> OneTimeLink? {
        guard let purpose = LinkPurpose(rawValue: try row.string("purpose")), let tenant = TenantID(string: try row.string("tenant_id")),
              let user = UserID(string: try row.string("user_id")) else { return nil }
        return OneTimeLink(id: try row.uuid("id"), purpose: purpose, tenantID: tenant, userID: user, createdAt: try row.instant("created_at"),
                           expiresAt: try row.instant("expires_at"), usedAt: try row.optionalInstant("used_at"),
                           revokedAt: try row.optionalInstant("revoked_at"))
    }
}

/// The writes of one account transaction, on its connection.
struct SQLAccountTransaction: AccountTransaction {
    let db: any SQLDatabase

    func insertMember(_ member: Member, password: PasswordHash?, temporaryUntil: Date?) async throws {
        try await SQLMemberRepository.insert(member, password: password, temporaryUntil: temporaryUntil, into: db, at: member.user.createdAt)
    }

    func setPassword(_ user: UserID, to hash: PasswordHash, temporaryUntil: Date?, keepHistory: Int, at now: Date) async throws {
        try await SQLPasswordCredentialRepository.replace(user, with: hash, temporaryUntil: temporaryUntil, keepHistory: keepHistory, at: now, in: db)
    }

    func setStatus(_ status: MembershipStatus, tenant: TenantID, user: UserID, at now: Date) async throws {
        try await db.update("memberships").set("status", to: status.rawValue).set("updated_at", to: now.stored)
            .where("tenant_id", .equal, tenant.description).where("user_id", .equal, user.description).run()
    }

    func endSessions(user: UserID, tenant: TenantID?, except: UUID?, reason: SessionEndReason, at now: Date) async throws -> [UUID] {
        try await SQLSessionRepository.endAll(user: user, tenant: tenant, except: except, reason: reason, at: now, in: db)
    }

    func insertLink(_ link: OneTimeLink, digest: String, at now: Date) async throws {
        try await revokeLinks(user: link.userID, purpose: link.purpose, at: now)
        try await db.insert(into: "one_time_links")
            .columns("id", "secret_digest", "purpose", "tenant_id", "user_id", "created_at", "expires_at")
            .values(SQLBind(link.id.stored), SQLBind(digest), SQLBind(link.purpose.rawValue), SQLBind(link.tenantID.description),
                    SQLBind(link.userID.description), SQLBind(link.createdAt.stored), SQLBind(link.expiresAt.stored))
            .run()
    }

    func useLink(digest: String, purpose: LinkPurpose, at now: Date) async throws -> Result<OneTimeLink, LinkUnusable> {
        if let row = try await db.raw("""
            UPDATE one_time_links SET used_at = \(bind: now.stored)
            WHERE secret_digest = \(bind: digest) AND purpose = \(bind: purpose.rawValue) AND used_at IS NULL AND revoked_at IS NULL
            AND expires_at > \(bind: now.stored)
            RETURNING *
            """).first(), let link = try SQLAccountStore.link(from: row) {
            return .success(link)
        }
        // Not usable: say why.
        let row = try await db.raw("SELECT * FROM one_time_links WHERE secret_digest = \(bind: digest)").first()
        guard let link = try row.flatMap(SQLAccountStore.link(from:)), link.purpose == purpose else {
            return .failure(LinkUnusable(purpose, .unknown))
        }
        return .failure(LinkUnusable(purpose, link.state(at: now) == .valid ? .used : link.state(at: now)))
    }

    func revokeLinks(user: UserID, purpose: LinkPurpose, at now: Date) async throws {
        try await db.raw("""
            UPDATE one_time_links SET revoked_at = \(bind: now.stored)
            WHERE user_id = \(bind: user.description) AND purpose = \(bind: purpose.rawValue) AND used_at IS NULL AND revoked_at IS NULL
            """).run()
    }

    func clearAttempts(_ keys: [String]) async throws {
        for key in keys { _ = try await SQLAttemptCounterRepository.delete(key, in: db) }
    }

    func confirmRecovery(digest: String, at now: Date) async throws -> Bool {
        try await db.raw("""
            UPDATE recovery_requests SET confirmed_at = \(bind: now.stored)
            WHERE secret_digest = \(bind: digest) AND confirmed_at IS NULL AND expires_at > \(bind: now.stored)
            RETURNING secret_digest
            """).first() != nil
    }

    func useLoginFlow(digest: String, at now: Date) async throws -> LoginFlow? {
        try await db.raw("""
            UPDATE login_flows SET used_at = \(bind: now.stored)
            WHERE secret_digest = \(bind: digest) AND used_at IS NULL AND expires_at > \(bind: now.stored)
            RETURNING *
            """).first().flatMap(SQLAccountStore.flow(from:))
    }

    func enqueue(_ entries: [OutboxEntry]) async throws {
        try await SQLOutboxRepository.insert(entries, into: db)
    }

    func append(_ events: [AuditEvent]) async throws {
        try await SQLAuditRepository.insert(events, into: db)
    }
}

/// Forgot-password requests in `recovery_requests`.
public struct SQLRecoveryRequestRepository: RecoveryRequestRepository {
    let database: Database

    public init(database: Database) { self.database = database }

    public func insert(_ request: RecoveryRequest, digest: String, audit: AuditEvent) async throws {
        try await database.write { db in
            try await db.insert(into: "recovery_requests")
                .columns("secret_digest", "tenant_id", "user_id", "masked_email", "created_at", "expires_at")
                .values(SQLBind(digest), SQLBind(request.tenantID?.description), SQLBind(request.userID?.description),
                        SQLBind(request.maskedEmail), SQLBind(request.createdAt.stored), SQLBind(request.expiresAt.stored))
                .run()
            try await SQLAuditRepository.insert(audit, into: db)
        }
    }

    public func find(digest: String) async throws -> RecoveryRequest? {
        try await database.read { db in
            try await db.raw("SELECT * FROM recovery_requests WHERE secret_digest = \(bind: digest)").first().map { row in
                RecoveryRequest(tenantID: try row.optionalString("tenant_id").flatMap(TenantID.init(string:)),
                                userID: try row.optionalString("user_id").flatMap(UserID.init(string:)),
                                maskedEmail: try row.string("masked_email"), createdAt: try row.instant("created_at"),
                                expiresAt: try row.instant("expires_at"), confirmedAt: try row.optionalInstant("confirmed_at"))
            }
        }
    }
}
