public import Foundation

/// Where Presence Reason lists are kept, with their reasons in order. Every write is one
/// transaction with its audit record; a list that becomes the default takes over from the
/// previous default in the same transaction, so a tenant never has two.
public protocol PresenceReasonListRepository: Sendable {
    /// - Throws: ``PresenceError/nameTaken`` when the tenant has a list of that name (any case).
    func create(_ list: PresenceReasonList, audit: AuditEvent) async throws
    /// The tenant's lists, by name.
    func list(tenant: TenantID) async throws -> [PresenceReasonList]
    func find(tenant: TenantID, id: UUID) async throws -> PresenceReasonList?
    /// The list a member uses: `assigned` when given, else the tenant's default; nil when neither.
    func effective(tenant: TenantID, assigned: UUID?) async throws -> PresenceReasonList?
    /// How many members of the tenant each list is assigned to; lists nobody uses are absent.
    func memberCounts(tenant: TenantID) async throws -> [UUID: Int]
    /// Saves name, default and reasons.
    /// - Returns: false when there is no such list.
    /// - Throws: ``PresenceError/nameTaken``.
    func update(_ list: PresenceReasonList, audit: AuditEvent) async throws -> Bool
    /// Deletes the list. With a `replacement`, the members using it move to the replacement
    /// first, and the replacement becomes the default if the deleted list was.
    /// - Returns: false when there is no such list.
    /// - Throws: ``PresenceError/listInUse(members:isDefault:)`` when, without a replacement,
    ///   members use the list or it is the default.
    func delete(tenant: TenantID, id: UUID, replacement: UUID?, audit: AuditEvent) async throws -> Bool
}
