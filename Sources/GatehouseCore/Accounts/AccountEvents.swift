public import Foundation

/// Everything the account flows share for telling the outside world: the outbox's seal, the
/// tenant's webhooks, and where links point.
public struct AccountMessaging: Sendable {
    let webhooks: any WebhookRepository
    let publisher: EventPublisher
    let outboxBox: SecretBox
    /// The public base URL (`https://login.example.com`), for links in emails.
    let baseURL: @Sendable () -> String

    public init(webhooks: any WebhookRepository, outboxBox: SecretBox, random: any RandomSource, baseURL: @escaping @Sendable () -> String) {
        self.webhooks = webhooks
        self.publisher = EventPublisher(outboxBox: outboxBox, random: random)
        self.outboxBox = outboxBox
        self.baseURL = baseURL
    }

    /// The webhook calls for `events`, positioned after `position` entries of the same transaction.
    public func webhookCalls(_ events: [AccountEvent], at now: Date, after position: Int = 0) async throws -> [OutboxEntry] {
        guard let tenant = events.first?.tenant.id else { return [] }
        let subscribed = try await webhooks.list(tenant: tenant)
        guard !subscribed.isEmpty else { return [] }
        return try publisher.entries(for: events, webhooks: subscribed, at: now, firstPosition: position)
    }

    /// `session.ended` calls for the given sessions of a member.
    public func sessionsEnded(_ ids: [UUID], of member: Member, in tenant: Tenant, reason: SessionEndReason,
                              at now: Date) async throws -> [OutboxEntry] {
        try await webhookCalls(ids.map { AccountEvent(.sessionEnded, member: member, tenant: tenant, sessionID: $0, reason: reason.rawValue) },
                               at: now)
    }

    /// An email to a member, in their language.
    public func mail(_ template: String, to member: Member, tenant: Tenant, values: [String: String], at now: Date) -> OutboxEntry {
        var all = values
        all["first_name"] = member.user.firstName
        all["last_name"] = member.user.lastName
        all["tenant_name"] = tenant.displayName
        all["email"] = member.user.email.value
        return MailRequest(template: template, language: member.user.language.value, to: member.user.email.value,
                           toName: "\(member.user.firstName) \(member.user.lastName)", values: all)
            .entry(tenant: tenant.id, at: now, box: outboxBox)
    }

    public func link(_ path: String) -> String {
        var base = baseURL()
        while base.hasSuffix("/") { base.removeLast() }
        return base + path
    }
}
