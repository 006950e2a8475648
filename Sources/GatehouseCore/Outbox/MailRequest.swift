public import Foundation

/// An email to send, as the outbox keeps it: which message, in which language, to whom, and
/// the values its template needs. Rendered only when it is sent (or shown to an
/// administrator), so the outbox holds data rather than markup.
public struct MailRequest: Sendable, Codable, Equatable {
    /// The template's name: `invitation`, `password_reset`, …
    public var template: String
    public var language: String
    public var to: String
    public var toName: String?
    /// Template values; links in them are bearer secrets, which is why payloads are sealed.
    public var values: [String: String]

    public init(template: String, language: String, to: String, toName: String?, values: [String: String]) {
        self.template = template
        self.language = language
        self.to = to
        self.toName = toName
        self.values = values
    }

    /// The outbox entry carrying this request, sealed with `box`.
    public func entry(tenant: TenantID?, at now: Date, position: Int = 0, box: SecretBox) -> OutboxEntry {
        let id = UUID()
        let json = try! JSONEncoder.gatehouseSorted.encode(self)
        return OutboxEntry(id: id, tenantID: tenant, kind: .email, orderingKey: nil, createdAt: now, position: position,
                           summary: "\(template) to \(to)", sealedPayload: box.seal(Array(json), boundTo: OutboxEntry.sealContext(id)))
    }

    /// Opens a sealed email payload.
    public static func open(_ entry: OutboxEntry, box: SecretBox) throws -> MailRequest {
        try JSONDecoder().decode(MailRequest.self, from: Data(box.open(entry.sealedPayload, boundTo: OutboxEntry.sealContext(entry.id))))
    }
}

extension JSONEncoder {
    /// Keys sorted, slashes not escaped: stable text for signing and for storage.
    public static var gatehouseSorted: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }
}
