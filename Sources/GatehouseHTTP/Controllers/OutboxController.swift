import Foundation
import GatehouseCore
import GatehouseDelivery
import Hummingbird

/// `GET /api/v1/tenants/{slug}/outbox`: the tenant's emails as they were (or will be) sent,
/// with their delivery state. Without a mail server configured they wait here, so a first-time
/// administrator can still pass invitation links on by hand.
struct OutboxController<Tokens: APITokenRepository>: Sendable {
    let outbox: any OutboxRepository
    let access: TenantAccess<Tokens>
    let box: SecretBox
    let renderer: MailRenderer

    func addRoutes(to router: Router<AppRequestContext>) {
        router.get("api/v1/tenants/:slug/outbox", use: list)
    }

    @Sendable func list(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try await access.administrator(request, context: context)
        var limit = 50
        if let text = request.uri.queryParameters["limit"] {
            guard let value = Int(String(text)), (1...500).contains(value) else {
                throw APIError.validation(["limit": "must be a whole number from 1 to 500"])
            }
            limit = value
        }
        let records = try await outbox.list(tenant: principal.tenant.id, kind: .email, limit: limit)
        var messages: [OutboxMessageJSON] = []
        for record in records {
            guard let mail = try? MailRequest.open(record.entry, box: box), let rendered = try? renderer.render(mail) else { continue }
            messages.append(OutboxMessageJSON(record: record, mail: mail, rendered: rendered))
        }
        return try JSONResponse.make(OutboxListJSON(messages: messages))
    }
}

struct OutboxListJSON: Encodable {
    let messages: [OutboxMessageJSON]
}

struct OutboxMessageJSON: Encodable {
    let id: String
    let template: String
    let to: String
    let subject: String
    let text: String
    let html: String
    let status: String
    let attempts: Int
    let createdAt: Date
    @NullWhenAbsent var deliveredAt: Date?
    @NullWhenAbsent var nextAttemptAt: Date?
    @NullWhenAbsent var lastError: String?

    init(record: OutboxRecord, mail: MailRequest, rendered: RenderedMail) {
        id = record.entry.id.uuidString.lowercased()
        template = mail.template
        to = mail.to
        subject = rendered.subject
        text = rendered.text
        html = rendered.html
        status = record.status.rawValue
        attempts = record.attempts
        createdAt = record.entry.createdAt
        deliveredAt = record.deliveredAt
        nextAttemptAt = record.status == .pending ? record.nextAttemptAt : nil
        lastError = record.lastError
    }

    enum CodingKeys: String, CodingKey {
        case id, template, to, subject, text, html, status, attempts, createdAt = "created_at", deliveredAt = "delivered_at"
        case nextAttemptAt = "next_attempt_at", lastError = "last_error"
    }
}
