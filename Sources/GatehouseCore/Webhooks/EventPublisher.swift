public import Foundation

/// Something that happened to a person, told to the tenant's webhooks.
public struct AccountEvent: Sendable {
    public let type: WebhookEventType
    public let member: Member
    public let tenant: Tenant
    public let sessionID: UUID?
    public let reason: String?
    /// Only for `user.password_changed`, and only ever leaves Gatehouse encrypted for a
    /// webhook's public key.
    public let newPassword: String?

    public init(_ type: WebhookEventType, member: Member, tenant: Tenant, sessionID: UUID? = nil, reason: String? = nil,
                newPassword: String? = nil) {
        self.type = type
        self.member = member
        self.tenant = tenant
        self.sessionID = sessionID
        self.reason = reason
        self.newPassword = newPassword
    }
}

/// One webhook call as the outbox keeps it: the exact body to sign and send.
public struct WebhookCall: Sendable, Codable, Equatable {
    public let webhookID: UUID
    public let eventID: UUID
    public let eventType: String
    public let body: String

    public static func open(_ entry: OutboxEntry, box: SecretBox) throws -> WebhookCall {
        try JSONDecoder().decode(WebhookCall.self, from: Data(box.open(entry.sealedPayload, boundTo: OutboxEntry.sealContext(entry.id))))
    }
}

/// Turns account events into outbox entries, one per webhook that subscribed. Calls about one
/// person to one webhook share an ordering key, so they arrive in the order they happened.
public struct EventPublisher: Sendable {
    let box: SecretBox
    let random: any RandomSource

    public init(outboxBox: SecretBox, random: any RandomSource) {
        self.box = outboxBox
        self.random = random
    }

    public func entries(for events: [AccountEvent], webhooks: [Webhook], at now: Date, firstPosition: Int = 0) throws -> [OutboxEntry] {
        var entries: [OutboxEntry] = []
        for event in events {
            let eventID = UUID()
            for webhook in webhooks where webhook.events.contains(event.type) && webhook.tenantID == event.tenant.id {
                let body = try Self.body(of: event, id: eventID, at: now, for: webhook, random: random)
                let call = WebhookCall(webhookID: webhook.id, eventID: eventID, eventType: event.type.rawValue, body: body)
                let id = UUID()
                let sealed = box.seal(Array(try JSONEncoder.gatehouseSorted.encode(call)), boundTo: OutboxEntry.sealContext(id))
                entries.append(OutboxEntry(id: id, tenantID: event.tenant.id, kind: .webhook,
                                           orderingKey: Self.orderingKey(webhook: webhook.id, user: event.member.user.id),
                                           createdAt: now, position: firstPosition + entries.count,
                                           summary: "\(event.type.rawValue) for \(event.member.user.email.value)", sealedPayload: sealed))
            }
        }
        return entries
    }

    public static func orderingKey(webhook: UUID, user: UserID) -> String {
        orderingKeyPrefix(webhook: webhook) + user.description
    }

    public static func orderingKeyPrefix(webhook: UUID) -> String { "webhook:\(webhook.uuidString.lowercased()):" }

    /// The JSON body: stable key order, so what is signed is exactly what is sent.
    static func body(of event: AccountEvent, id: UUID, at now: Date, for webhook: Webhook, random: any RandomSource) throws -> String {
        let member = event.member
        var user: [String: JSONValue] = [
            "id": .string(member.user.id.description), "email": .string(member.user.email.value),
            "first_name": .string(member.user.firstName), "last_name": .string(member.user.lastName),
            "agent_id": member.membership.agentID.map { .string($0.value) } ?? .null,
            "status": .string(member.membership.status.rawValue),
        ]
        user["roles"] = .array(member.membership.sortedRoles.map { .string($0.rawValue) })
        var data: [String: JSONValue] = ["user": .object(user)]
        if let session = event.sessionID { data["session_id"] = .string(session.uuidString.lowercased()) }
        if let reason = event.reason { data["reason"] = .string(reason) }
        if event.type == .userPasswordChanged, let password = event.newPassword, let pem = webhook.publicKeyPEM {
            data["new_password_jwe"] = .string(try CompactJWE.encrypt(Array(password.utf8), forPublicKeyPEM: pem,
                                                                      keyID: webhook.id.uuidString.lowercased(), random: random))
        }
        let document: [String: JSONValue] = [
            "id": .string(id.uuidString.lowercased()), "type": .string(event.type.rawValue),
            "created_at": .string(now.iso8601), "tenant": .object(["id": .string(event.tenant.id.description),
                                                                  "slug": .string(event.tenant.slug.rawValue)]),
            "data": .object(data),
        ]
        return String(decoding: try JSONEncoder.gatehouseSorted.encode(document), as: UTF8.self)
    }
}

extension Date {
    /// RFC 3339 in UTC with milliseconds.
    public var iso8601: String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.string(from: self)
    }
}
