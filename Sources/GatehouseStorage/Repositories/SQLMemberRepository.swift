public import Foundation
public import GatehouseCore
import SQLKit

/// Members: `users` (the person) joined with `memberships` (their place in a tenant).
public struct SQLMemberRepository: MemberRepository {
    let database: Database

    public init(database: Database) { self.database = database }

    /// The columns of a member, with the two tables' timestamps told apart.
    static let memberColumns = """
        u.id AS user_id, u.email, u.first_name, u.last_name, u.phone, u.language, u.default_tenant_id,
        u.created_at AS user_created_at, u.updated_at AS user_updated_at, u.microphone_checked_at, u.microphone_check_result,
        m.tenant_id, m.roles, m.agent_id, m.status, m.presence_reason_list_id,
        m.created_at AS member_created_at, m.updated_at AS member_updated_at
        """
    static let memberFrom = "FROM memberships m JOIN users u ON u.id = m.user_id"

    public func create(_ member: Member, password: PasswordHash?, audit: AuditEvent) async throws {
        do {
            try await database.write { db in
                try await Self.insert(member, password: password, into: db, at: member.user.createdAt)
                try await SQLAuditRepository.insert(audit, into: db)
            }
        } catch { throw mapUniqueViolation(error) }
    }

    public func find(tenant: TenantID, user: UserID) async throws -> Member? {
        try await database.read { db in
            try await db.raw("""
                SELECT \(unsafeRaw: Self.memberColumns) \(unsafeRaw: Self.memberFrom)
                WHERE m.tenant_id = \(bind: tenant.description) AND m.user_id = \(bind: user.description)
                """).first().map(Self.member(from:))
        }
    }

    public func find(tenant: TenantID, email: EmailAddress) async throws -> Member? {
        try await database.read { db in
            try await db.raw("""
                SELECT \(unsafeRaw: Self.memberColumns) \(unsafeRaw: Self.memberFrom)
                WHERE m.tenant_id = \(bind: tenant.description) AND u.email_key = \(bind: email.key)
                """).first().map(Self.member(from:))
        }
    }

    public func find(tenant: TenantID, agentID: AgentID) async throws -> Member? {
        try await database.read { db in
            try await db.raw("""
                SELECT \(unsafeRaw: Self.memberColumns) \(unsafeRaw: Self.memberFrom)
                WHERE m.tenant_id = \(bind: tenant.description) AND m.agent_id = \(bind: agentID.value)
                """).first().map(Self.member(from:))
        }
    }

    public func findInDefaultTenant(email: EmailAddress) async throws -> Member? {
        try await database.read { db in
            try await db.raw("""
                SELECT \(unsafeRaw: Self.memberColumns) \(unsafeRaw: Self.memberFrom)
                WHERE u.email_key = \(bind: email.key) AND m.tenant_id = u.default_tenant_id
                """).first().map(Self.member(from:))
        }
    }

    public func tenantHolding(domain: String) async throws -> TenantID? {
        try await database.read { db in
            try await db.raw("""
                SELECT default_tenant_id FROM users WHERE email_domain = \(bind: domain) ORDER BY email_key LIMIT 1
                """).first().flatMap { TenantID(string: try $0.string("default_tenant_id")) }
        }
    }

    public func update(_ member: Member, audit: AuditEvent, outbox: [OutboxEntry]) async throws {
        let user = member.user, membership = member.membership
        do {
            try await database.write { db in
                try await db.update("users")
                    .set("email", to: user.email.value).set("email_key", to: user.email.key).set("email_domain", to: user.email.domain)
                    .set("first_name", to: user.firstName).set("last_name", to: user.lastName)
                    .set("phone", to: user.phone?.value).set("language", to: user.language.value)
                    .set("updated_at", to: user.updatedAt.stored)
                    .where("id", .equal, user.id.description)
                    .run()
                try await db.update("memberships")
                    .set("roles", to: Self.storedRoles(membership.roles)).set("agent_id", to: membership.agentID?.value)
                    .set("status", to: membership.status.rawValue)
                    .set("presence_reason_list_id", to: membership.presenceReasonListID?.stored)
                    .set("updated_at", to: membership.updatedAt.stored)
                    .where("tenant_id", .equal, membership.tenantID.description)
                    .where("user_id", .equal, membership.userID.description)
                    .run()
                try await SQLAuditRepository.insert(audit, into: db)
                try await SQLOutboxRepository.insert(outbox, into: db)
            }
        } catch { throw mapUniqueViolation(error) }
    }

    public func setLanguage(user: UserID, to language: LanguageTag, at now: Date) async throws {
        try await database.write { db in
            try await db.update("users").set("language", to: language.value).set("updated_at", to: now.stored)
                .where("id", .equal, user.description).run()
        }
    }

    public func delete(tenant: TenantID, user: UserID, audit: AuditEvent) async throws -> Bool {
        try await database.write { db in
            let removed = try await db.raw("""
                DELETE FROM memberships WHERE tenant_id = \(bind: tenant.description) AND user_id = \(bind: user.description)
                RETURNING user_id
                """).first()
            guard removed != nil else { return false }
            // A person with another membership stays, landing in that tenant from now on.
            try await db.raw("""
                UPDATE users SET default_tenant_id = (SELECT MIN(tenant_id) FROM memberships WHERE user_id = \(bind: user.description))
                WHERE id = \(bind: user.description) AND default_tenant_id = \(bind: tenant.description)
                AND EXISTS (SELECT 1 FROM memberships WHERE user_id = \(bind: user.description))
                """).run()
            try await db.raw("""
                DELETE FROM users WHERE id = \(bind: user.description)
                AND NOT EXISTS (SELECT 1 FROM memberships WHERE user_id = \(bind: user.description))
                """).run()
            try await SQLAuditRepository.insert(audit, into: db)
            return true
        }
    }

    public func list(tenant: TenantID, query: MemberQuery) async throws -> MemberPage {
        var sql: SQLQueryString = """
            SELECT \(unsafeRaw: Self.memberColumns) \(unsafeRaw: Self.memberFrom) WHERE m.tenant_id = \(bind: tenant.description)
            """
        if let search = query.search {
            let contains = "%" + Self.escapeLike(search.lowercased()) + "%"
            let prefix = Self.escapeLike(search) + "%"
            sql += """
                 AND (u.email_key LIKE \(bind: contains) ESCAPE '\\' OR LOWER(u.first_name) LIKE \(bind: contains) ESCAPE '\\'
                 OR LOWER(u.last_name) LIKE \(bind: contains) ESCAPE '\\' OR m.agent_id LIKE \(bind: prefix) ESCAPE '\\')
                """
        }
        if let after = query.after {
            sql += " AND u.email_key > \(bind: after)"
        }
        sql += " ORDER BY u.email_key LIMIT \(literal: query.limit + 1)"
        let finalSQL = sql
        let members = try await database.read { db in try await db.raw(finalSQL).all().map(Self.member(from:)) }
        let page = Array(members.prefix(query.limit))
        return MemberPage(members: page, nextCursor: members.count > query.limit ? page.last?.user.email.key : nil)
    }

    /// Inserts person, membership and password inside a caller's transaction.
    static func insert(_ member: Member, password: PasswordHash?, temporaryUntil: Date? = nil, into db: any SQLDatabase,
                       at now: Date) async throws {
        let user = member.user, membership = member.membership
        try await db.insert(into: "users")
            .columns("id", "email", "email_key", "email_domain", "first_name", "last_name", "phone", "language", "default_tenant_id",
                     "created_at", "updated_at")
            .values(SQLBind(user.id.description), SQLBind(user.email.value), SQLBind(user.email.key), SQLBind(user.email.domain),
                    SQLBind(user.firstName),
                    SQLBind(user.lastName), SQLBind(user.phone?.value), SQLBind(user.language.value),
                    SQLBind(user.defaultTenantID.description), SQLBind(user.createdAt.stored), SQLBind(user.updatedAt.stored))
            .run()
        try await db.insert(into: "memberships")
            .columns("tenant_id", "user_id", "roles", "agent_id", "status", "presence_reason_list_id", "created_at", "updated_at")
            .values(SQLBind(membership.tenantID.description), SQLBind(membership.userID.description),
                    SQLBind(storedRoles(membership.roles)), SQLBind(membership.agentID?.value),
                    SQLBind(membership.status.rawValue), SQLBind(membership.presenceReasonListID?.stored),
                    SQLBind(membership.createdAt.stored), SQLBind(membership.updatedAt.stored))
            .run()
        if let password {
            try await db.insert(into: "password_credentials")
                .columns("user_id", "hash", "changed_at", "temporary_until")
                .values(SQLBind(user.id.description), SQLBind(password.phcString), SQLBind(now.stored), SQLBind(temporaryUntil?.stored))
                .run()
        }
    }

    /// Roles as stored: comma-separated in their fixed order, e.g. `administrator,agent`.
    static func storedRoles(_ roles: Set<Role>) -> String {
        roles.sorted().map(\.rawValue).joined(separator: ",")
    }

    static func member(from row: any SQLRow) throws -> Member {
        let userID = try row.parsed("user_id") { text throws(InvalidValue) in
            guard let id = UserID(string: text) else { throw InvalidValue("not a UUID") }
            return id
        }
        let tenantID = try row.parsed("tenant_id") { text throws(InvalidValue) in
            guard let id = TenantID(string: text) else { throw InvalidValue("not a UUID") }
            return id
        }
        let user = User(id: userID,
                        email: try row.parsed("email", EmailAddress.init),
                        firstName: try row.string("first_name"),
                        lastName: try row.string("last_name"),
                        phone: try row.optionalParsed("phone", PhoneNumber.init),
                        language: try row.parsed("language", LanguageTag.init),
                        defaultTenantID: try row.parsed("default_tenant_id") { text throws(InvalidValue) in
                            guard let id = TenantID(string: text) else { throw InvalidValue("not a UUID") }
                            return id
                        },
                        microphoneCheck: try microphoneCheck(from: row),
                        createdAt: try row.instant("user_created_at"),
                        updatedAt: try row.instant("user_updated_at"))
        let roles = try row.parsed("roles") { text throws(InvalidValue) in try Role.parseSet(text.split(separator: ",").map(String.init)) }
        let membership = Membership(tenantID: tenantID, userID: userID, roles: roles,
                                    agentID: try row.optionalParsed("agent_id", AgentID.init),
                                    status: try row.parsed("status", MembershipStatus.parse),
                                    presenceReasonListID: try row.optionalString("presence_reason_list_id").map { text in
                                        guard let id = UUID(uuidString: text) else {
                                            throw CorruptRow(description: "presence_reason_list_id '\(text)' is not a UUID")
                                        }
                                        return id
                                    },
                                    createdAt: try row.instant("member_created_at"),
                                    updatedAt: try row.instant("member_updated_at"))
        return Member(user: user, membership: membership)
    }

    static func microphoneCheck(from row: any SQLRow) throws -> MicrophoneCheck? {
        guard let at = try row.optionalInstant("microphone_checked_at") else { return nil }
        let result = try row.parsed("microphone_check_result") { text throws(InvalidValue) in
            guard let result = MicrophoneCheckResult(rawValue: text) else { throw InvalidValue("not a microphone check result") }
            return result
        }
        return MicrophoneCheck(result: result, checkedAt: at)
    }

    public func recordMicrophoneCheck(tenant: TenantID, user: UserID, _ check: MicrophoneCheck, audit: AuditEvent) async throws -> Bool {
        try await database.write { db in
            let updated = try await db.raw("""
                UPDATE users SET microphone_checked_at = \(bind: check.checkedAt.stored), microphone_check_result = \(bind: check.result.rawValue)
                WHERE id = \(bind: user.description)
                AND EXISTS (SELECT 1 FROM memberships WHERE tenant_id = \(bind: tenant.description) AND user_id = \(bind: user.description))
                RETURNING id
                """).first()
            guard updated != nil else { return false }
            try await SQLAuditRepository.insert(audit, into: db)
            return true
        }
    }

    /// Escapes LIKE's wildcards so a search for `50%` or `a_b` matches those characters.
    static func escapeLike(_ text: String) -> String {
        text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "%", with: "\\%")
            .replacingOccurrences(of: "_", with: "\\_")
    }
}
