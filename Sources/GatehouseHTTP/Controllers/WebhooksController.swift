import Foundation
import GatehouseCore
import Hummingbird

/// `/api/v1/tenants/{slug}/webhooks`: where a tenant's linked systems are told about changes.
/// The signing secret is shown only in the answer that created it.
struct WebhooksController<Tokens: APITokenRepository>: Sendable {
    let webhooks: any WebhookRepository
    let access: TenantAccess<Tokens>
    let secrets: SecretBox
    let clock: any WallClock
    let random: any RandomSource

    static var path: RouterPath { "api/v1/tenants/:slug/webhooks" }

    func addRoutes(to group: RouterGroup<AppRequestContext>) {
        group.get(use: list)
            .post(use: create)
            .get(":id", use: show)
            .delete(":id", use: delete)
    }

    @Sendable func list(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try await access.administrator(request, context: context)
        let all = try await webhooks.list(tenant: principal.tenant.id)
        return try JSONResponse.make(["webhooks": all.map { WebhookJSON($0, secret: nil) }])
    }

    @Sendable func create(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try await access.administrator(request, context: context)
        var body = try await JSONRequest.read(request, context: context)
        let url = body.string("url"), events = body.strings("events"), secret = body.string("secret"), publicKey = body.string("public_key")
        let draft = try body.validate { try WebhookDraft(url: url, events: events, secret: secret, publicKey: publicKey) }
        let plainSecret = draft.secret ?? "whsec_" + Base64URL.encode(random.bytes(32))
        let id = UUID(), now = clock.now()
        let webhook = Webhook(id: id, tenantID: principal.tenant.id, url: draft.url, events: draft.events,
                              sealedSecret: secrets.seal(plainSecret, boundTo: Webhook.sealContext(tenant: principal.tenant.id, id: id)),
                              publicKeyPEM: draft.publicKeyPEM, createdAt: now)
        let audit = AuditEvent(at: now, tenant: principal.tenant.id, actor: principal.actor, action: .webhookCreate,
                               target: AuditTarget(kind: "webhook", id: id.uuidString.lowercased()), outcome: .success,
                               clientIP: context.clientIP,
                               detail: ["url": draft.url, "events": webhook.sortedEvents.map(\.rawValue).joined(separator: ","),
                                        "password_encryption": String(draft.publicKeyPEM != nil)])
        try await webhooks.create(webhook, audit: audit)
        // A secret the administrator chose is not echoed; one Gatehouse made is shown this once.
        return try JSONResponse.make(status: .created, WebhookJSON(webhook, secret: draft.secret == nil ? plainSecret : nil),
                                     headers: [.location: "/api/v1/tenants/\(principal.tenant.slug)/webhooks/\(id.uuidString.lowercased())"])
    }

    @Sendable func show(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try await access.administrator(request, context: context)
        guard let webhook = try await webhooks.find(tenant: principal.tenant.id, id: try Self.id(context)) else {
            throw APIError.notFound("No such webhook in this tenant.")
        }
        return try JSONResponse.make(WebhookJSON(webhook, secret: nil))
    }

    @Sendable func delete(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try await access.administrator(request, context: context)
        let id = try Self.id(context), now = clock.now()
        let audit = AuditEvent(at: now, tenant: principal.tenant.id, actor: principal.actor, action: .webhookDelete,
                               target: AuditTarget(kind: "webhook", id: id.uuidString.lowercased()), outcome: .success, clientIP: context.clientIP)
        guard try await webhooks.delete(tenant: principal.tenant.id, id: id, audit: audit, at: now) else {
            throw APIError.notFound("No such webhook in this tenant.")
        }
        return Response(status: .noContent)
    }

    private static func id(_ context: AppRequestContext) throws -> UUID {
        guard let text = context.parameters.get("id"), let id = UUID(uuidString: text) else { throw APIError.notFound("No such webhook in this tenant.") }
        return id
    }
}

struct WebhookJSON: Encodable {
    let id: String
    let url: String
    let events: [String]
    let hasPublicKey: Bool
    @NullWhenAbsent var publicKey: String?
    let createdAt: Date
    /// Only in the answer that created it, and only when Gatehouse made it.
    let secret: String?

    init(_ webhook: Webhook, secret: String?) {
        id = webhook.id.uuidString.lowercased()
        url = webhook.url
        events = webhook.sortedEvents.map(\.rawValue)
        hasPublicKey = webhook.publicKeyPEM != nil
        publicKey = webhook.publicKeyPEM
        createdAt = webhook.createdAt
        self.secret = secret
    }

    enum CodingKeys: String, CodingKey {
        case id, url, events, secret, hasPublicKey = "has_public_key", publicKey = "public_key", createdAt = "created_at"
    }
}
