public import Foundation

/// The administrator's operations on a tenant's Presence Reason lists, each recorded in the
/// audit log in the same transaction as the change.
public struct PresenceReasonListService: Sendable {
    let lists: any PresenceReasonListRepository
    let clock: any WallClock

    public init(lists: any PresenceReasonListRepository, clock: any WallClock) {
        self.lists = lists
        self.clock = clock
    }

    /// - Throws: ``PresenceError/nameTaken``.
    public func create(in tenant: TenantID, _ draft: PresenceReasonListDraft, context: ActorContext) async throws -> PresenceReasonList {
        let list = PresenceReasonList.new(draft, in: tenant, at: clock.now())
        try await lists.create(list, audit: audit(.presenceReasonListCreate, list, context, detail: Self.describe(list)))
        return list
    }

    public func find(in tenant: TenantID, id: UUID) async throws -> PresenceReasonList {
        guard let list = try await lists.find(tenant: tenant, id: id) else { throw Self.notFound }
        return list
    }

    /// Applies the fields the draft carries; the reasons, when given, replace the old ones.
    /// - Throws: ``NotFound``, ``PresenceError/nameTaken``.
    public func update(in tenant: TenantID, id: UUID, _ draft: PresenceReasonListDraft, context: ActorContext) async throws -> PresenceReasonList {
        var list = try await find(in: tenant, id: id)
        list.apply(draft, at: clock.now())
        guard try await lists.update(list, audit: audit(.presenceReasonListUpdate, list, context, detail: Self.describe(list))) else {
            throw Self.notFound
        }
        return list
    }

    /// Deletes a list. One in use (assigned to members, or the default) needs a replacement:
    /// its members move there, and the replacement becomes the default if this list was.
    /// - Throws: ``NotFound``; ``FieldErrors`` for `replace_with` when the replacement is not
    ///   another list of the tenant; ``PresenceError/listInUse(members:isDefault:)``.
    public func delete(in tenant: TenantID, id: UUID, replaceWith replacement: String?, context: ActorContext) async throws {
        var replacementID: UUID?
        if let replacement {
            guard let parsed = UUID(uuidString: replacement), parsed != id, try await lists.find(tenant: tenant, id: parsed) != nil else {
                throw FieldErrors("replace_with", "must be the ID of another Presence Reason list of this tenant")
            }
            replacementID = parsed
        }
        var detail: [String: String] = [:]
        if let replacementID { detail["replaced_with"] = replacementID.uuidString.lowercased() }
        let event = AuditEvent(at: clock.now(), tenant: tenant, actor: context.actor, action: .presenceReasonListDelete,
                               target: Self.target(id), outcome: .success, clientIP: context.clientIP, detail: detail)
        guard try await lists.delete(tenant: tenant, id: id, replacement: replacementID, audit: event) else { throw Self.notFound }
    }

    static let notFound = NotFound("No such Presence Reason list in this tenant.")

    static func target(_ id: UUID) -> AuditTarget { AuditTarget(kind: "presence_reason_list", id: id.uuidString.lowercased()) }

    private func audit(_ action: AuditAction, _ list: PresenceReasonList, _ context: ActorContext, detail: [String: String]) -> AuditEvent {
        AuditEvent(at: list.updatedAt, tenant: list.tenantID, actor: context.actor, action: action, target: Self.target(list.id),
                   outcome: .success, clientIP: context.clientIP, detail: detail)
    }

    private static func describe(_ list: PresenceReasonList) -> [String: String] {
        ["name": list.name, "is_default": String(list.isDefault), "reasons": String(list.reasons.count)]
    }
}
