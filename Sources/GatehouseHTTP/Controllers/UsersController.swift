import Foundation
import GatehouseCore
import Hummingbird

/// `/api/v1/tenants/{slug}/users`: the administrator's API over a tenant's members.
struct UsersController<Members: MemberRepository, Tokens: APITokenRepository>: Sendable {
    let directory: MemberDirectory<Members>
    let access: TenantAccess<Tokens>
    let sessions: any SessionRepository
    let attempts: any AttemptCounterRepository
    let passwords: PasswordChangeService
    let provisioning: AccountProvisioning
    let messaging: AccountMessaging
    let mfaDevices: any MFARepository
    let presenceLists: any PresenceReasonListRepository
    let clock: any WallClock

    static var path: RouterPath { "api/v1/tenants/:slug/users" }

    func addRoutes(to group: RouterGroup<AppRequestContext>) {
        group.get(use: list)
            .post(use: create)
            .get(":id", use: show)
            .patch(":id", use: update)
            .delete(":id", use: delete)
            .get(":id/sessions", use: listSessions)
            .delete(":id/sessions", use: endSessions)
            .delete(":id/sessions/:session", use: endSession)
            .post(":id/unlock", use: unlock)
            .post(":id/invitation", use: resendInvitation)
            .post(":id/temporary-password", use: issueTemporaryPassword)
            .post(":id/mfa/reset", use: resetMFA)
    }

    @Sendable func list(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try await access.administrator(request, context: context)
        let query = try Self.query(from: request)
        let page = try await directory.list(in: principal.tenant.id, query: query)
        return try JSONResponse.make(UserListJSON(users: page.members.map { UserJSON($0, tenant: principal.tenant) },
                                                  nextCursor: page.nextCursor.map { Base64URL.encode(Array($0.utf8)) }))
    }

    @Sendable func create(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try await access.administrator(request, context: context)
        var body = try await JSONRequest.read(request, context: context)
        let input = body.newMember()
        try await checkPresenceReasonList(input.presenceReasonListID, in: principal.tenant.id, &body)
        let password = body.string("password")
        let invite = body.bool("invite"), temporary = body.bool("temporary_password")
        var choices = 0
        for chosen in [password != nil, invite, temporary] where chosen { choices += 1 }
        if choices > 1 {
            let message = "choose one of password, invite and temporary_password"
            if invite { body.reject("invite", message) }
            if temporary { body.reject("temporary_password", message) }
            if password != nil { body.reject("password", message) }
        }
        let draft = try body.validate { try MemberDraft(input, defaultStatus: invite ? .invited : .active) }
        var firstSignIn = FirstSignIn.none
        if let password {
            // An administrator may set the first password; the tenant's rules apply to it too.
            let person = User(email: draft.email, firstName: draft.firstName, lastName: draft.lastName, phone: nil,
                              language: draft.language, defaultTenantID: principal.tenant.id, createdAt: clock.now(), updatedAt: clock.now())
            firstSignIn = .password(try await passwords.checkedHash(password, for: person,
                                                                     policy: TenantSettings(document: principal.tenant.settings).password))
        } else if invite {
            firstSignIn = .invitation
        } else if temporary {
            firstSignIn = .temporaryPassword
        }
        let created = try await provisioning.create(in: principal.tenant, input, firstSignIn: firstSignIn,
                                                    context: ActorContext(actor: principal.actor, clientIP: context.clientIP))
        let location = "/api/v1/tenants/\(principal.tenant.slug)/users/\(created.member.user.id)"
        return try JSONResponse.make(status: .created, CreatedUserJSON(user: UserJSON(created.member, tenant: principal.tenant),
                                                                       temporaryPassword: created.temporaryPassword,
                                                                       invitationExpiresAt: created.invitationExpiresAt),
                                     headers: [.location: location])
    }

    /// Sends a new invitation email; the earlier link stops working.
    @Sendable func resendInvitation(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try await access.administrator(request, context: context)
        let member = try await directory.find(in: principal.tenant.id, id: try Self.userID(context))
        let expiresAt = try await provisioning.resendInvitation(to: member, in: principal.tenant,
                                                                context: ActorContext(actor: principal.actor, clientIP: context.clientIP))
        return try JSONResponse.make(status: .accepted, InvitationSentJSON(invitationExpiresAt: expiresAt))
    }

    /// Replaces the user's password with a temporary one, shown once in the answer.
    @Sendable func issueTemporaryPassword(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try await access.administrator(request, context: context)
        let member = try await directory.find(in: principal.tenant.id, id: try Self.userID(context))
        let issued = try await provisioning.issueTemporaryPassword(to: member, in: principal.tenant,
                                                                   context: ActorContext(actor: principal.actor, clientIP: context.clientIP))
        return try JSONResponse.make(status: .created, TemporaryPasswordJSON(issued))
    }

    @Sendable func show(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try await access.administrator(request, context: context)
        let member = try await directory.find(in: principal.tenant.id, id: try Self.userID(context))
        return try JSONResponse.make(UserJSON(member, tenant: principal.tenant))
    }

    @Sendable func update(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try await access.administrator(request, context: context)
        let id = try Self.userID(context)
        var body = try await JSONRequest.read(request, context: context)
        let input = body.memberChanges()
        if case .set(let list) = input.presenceReasonListID { try await checkPresenceReasonList(list, in: principal.tenant.id, &body) }
        if !body.errors.isEmpty {
            // Wrongly typed fields: report them with the domain's verdict on the rest, save nothing.
            var preview = try await directory.find(in: principal.tenant.id, id: id)
            try body.validate { try preview.apply(input, at: preview.user.updatedAt) }
        }
        let tenant = principal.tenant, messaging = messaging, now = clock.now()
        let updated = try await directory.update(in: tenant.id, id: id, input, context: auditContext(principal, context)) { before, after in
            guard before.membership.status != .disabled, after.membership.status == .disabled else { return [] }
            return try await messaging.webhookCalls([AccountEvent(.userDisabled, member: after, tenant: tenant)], at: now)
        }
        return try JSONResponse.make(UserJSON(updated, tenant: principal.tenant))
    }

    @Sendable func delete(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try await access.administrator(request, context: context)
        try await directory.delete(in: principal.tenant.id, id: try Self.userID(context), context: auditContext(principal, context))
        return Response(status: .noContent)
    }

    @Sendable func listSessions(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try await access.administrator(request, context: context)
        let member = try await directory.find(in: principal.tenant.id, id: try Self.userID(context))
        let active = try await sessions.active(user: member.user.id, tenant: principal.tenant.id, at: clock.now())
        return try JSONResponse.make(SessionListJSON(sessions: active.map { SessionJSON($0) }))
    }

    @Sendable func endSessions(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try await access.administrator(request, context: context)
        let member = try await directory.find(in: principal.tenant.id, id: try Self.userID(context))
        let now = clock.now()
        let active = try await sessions.active(user: member.user.id, tenant: principal.tenant.id, at: now)
        let calls = try await messaging.sessionsEnded(active.map(\.id), of: member, in: principal.tenant, reason: .endedByAdministrator, at: now)
        _ = try await sessions.endAll(user: member.user.id, tenant: principal.tenant.id, except: nil, reason: .endedByAdministrator, at: now,
                                     
                                      audit: AuditEvent(at: now, tenant: principal.tenant.id, actor: principal.actor, action: .sessionEndAll,
                                                        target: .user(member.user.id), outcome: .success, clientIP: context.clientIP), outbox: calls)
        return Response(status: .noContent)
    }

    @Sendable func endSession(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try await access.administrator(request, context: context)
        let member = try await directory.find(in: principal.tenant.id, id: try Self.userID(context))
        guard let text = context.parameters.get("session"), let id = UUID(uuidString: text) else { throw APIError.notFound("No such session.") }
        let now = clock.now()
        let audit = AuditEvent(at: now, tenant: principal.tenant.id, actor: principal.actor, action: .sessionEnd, target: .session(id),
                               outcome: .success, clientIP: context.clientIP, detail: ["reason": SessionEndReason.endedByAdministrator.rawValue])
        let calls = try await messaging.sessionsEnded([id], of: member, in: principal.tenant, reason: .endedByAdministrator, at: now)
        guard try await sessions.end(id, user: member.user.id, tenant: principal.tenant.id, reason: .endedByAdministrator, at: now, audit: audit,
                                     outbox: calls) else {
            throw APIError.notFound("No such session.")
        }
        return Response(status: .noContent)
    }

    /// Removes the member's authenticator apps and recovery codes (they lost their phone); the
    /// member is told by email. Their next password sign-in asks for no code (or enrols again
    /// when the tenant requires MFA).
    @Sendable func resetMFA(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try await access.administrator(request, context: context)
        let member = try await directory.find(in: principal.tenant.id, id: try Self.userID(context))
        let now = clock.now()
        var values: [String: String] = [:]
        if TenantSettings(document: principal.tenant.settings).mfa.requires(member) { values["required"] = "true" }
        // Told only when there was something to remove.
        let hadDevices = try await !mfaDevices.devices(user: member.user.id).isEmpty
        let mail = hadDevices ? [messaging.mail("mfa_reset", to: member, tenant: principal.tenant, values: values, at: now)] : []
        let removed = try await mfaDevices.reset(user: member.user.id,
                                                 audit: AuditEvent(at: now, tenant: principal.tenant.id, actor: principal.actor, action: .mfaReset,
                                                                   target: .user(member.user.id), outcome: .success, clientIP: context.clientIP),
                                                 outbox: mail)
        return try JSONResponse.make(["devices_removed": removed])
    }

    /// Lifts a lockout: the guess counters for every name the member signs in with.
    @Sendable func unlock(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try await access.administrator(request, context: context)
        let member = try await directory.find(in: principal.tenant.id, id: try Self.userID(context))
        let now = clock.now()
        var wasLocked = false
        for key in AttemptKey.all(for: member, in: principal.tenant.slug) { wasLocked = try await attempts.clear(key, at: now) || wasLocked }
        try await access.audit.append(AuditEvent(at: now, tenant: principal.tenant.id, actor: principal.actor, action: .accountUnlock,
                                                 target: .user(member.user.id), outcome: .success, clientIP: context.clientIP,
                                                 detail: ["was_locked": String(wasLocked)]))
        return Response(status: .noContent)
    }

    /// A well-formed list ID that names no list of this tenant (another tenant's, or none) is
    /// reported with the other fields; the database refuses it too, should one slip past.
    private func checkPresenceReasonList(_ text: String?, in tenant: TenantID, _ body: inout JSONRequest) async throws {
        guard let text, let id = UUID(uuidString: text.trimmingCharacters(in: .whitespaces)) else { return }
        if try await presenceLists.find(tenant: tenant, id: id) == nil {
            body.reject("presence_reason_list_id", PresenceReasonList.unknownListMessage)
        }
    }

    private func auditContext(_ principal: Principal, _ context: AppRequestContext) -> MemberDirectory<Members>.Context {
        .init(actor: principal.actor, clientIP: context.clientIP)
    }

    /// A malformed id cannot name a member: 404, like an unknown one.
    private static func userID(_ context: AppRequestContext) throws -> UserID {
        guard let text = context.parameters.get("id"), let id = UserID(string: text) else {
            throw APIError.notFound("No such user in this tenant.")
        }
        return id
    }

    private static func query(from request: Request) throws -> MemberQuery {
        let parameters = request.uri.queryParameters
        var errors = FieldErrors()
        var limit = MemberQuery.defaultLimit
        if let text = parameters["limit"] {
            if let value = Int(String(text)), (1...MemberQuery.maxLimit).contains(value) { limit = value }
            else { errors.add("limit", "must be a whole number from 1 to \(MemberQuery.maxLimit)") }
        }
        var after: String?
        if let cursor = parameters["cursor"], !cursor.isEmpty {
            if let bytes = Base64URL.decode(String(cursor)), let key = String(bytes: bytes, encoding: .utf8) { after = key }
            else { errors.add("cursor", "is not a cursor this server returned") }
        }
        if !errors.isEmpty { throw APIError.validation(errors.messages) }
        return MemberQuery(search: parameters["q"].map(String.init), limit: limit, after: after)
    }
}
