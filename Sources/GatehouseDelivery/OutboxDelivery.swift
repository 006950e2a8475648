import Foundation
public import GatehouseCore
public import Logging
public import ServiceLifecycle

/// How the outbox is worked off.
public struct DeliverySettings: Sendable {
    /// The sender of every email, e.g. `no-reply@example.com`, and its display name.
    public var fromAddress: String
    public var fromName: String?
    /// The right-hand side of Message-IDs (the public host name).
    public var messageIDDomain: String
    public var retry: RetrySchedule
    /// How often the table is looked at for due entries.
    public var pollInterval: Duration
    /// Entries leased at once.
    public var batchSize: Int
    /// How long a lease lasts: a server that dies mid-delivery holds entries no longer than this.
    public var leaseSeconds: Int

    public init(fromAddress: String, fromName: String? = "Gatehouse", messageIDDomain: String, retry: RetrySchedule = RetrySchedule(),
                pollInterval: Duration = .milliseconds(500), batchSize: Int = 20, leaseSeconds: Int = 120) {
        self.fromAddress = fromAddress
        self.fromName = fromName
        self.messageIDDomain = messageIDDomain
        self.retry = retry
        self.pollInterval = pollInterval
        self.batchSize = batchSize
        self.leaseSeconds = leaseSeconds
    }
}

/// The background service that sends what the outbox holds: emails over the mail transport
/// (when one is configured; otherwise they wait, readable by administrators) and webhook calls,
/// each signed at sending time. Failures are retried with backoff; an entry is marked delivered
/// as soon as the receiver accepted it, so it is never sent again.
public final class OutboxDelivery: Service {
    let outbox: any OutboxRepository
    let webhooks: any WebhookRepository
    let outboxBox: SecretBox
    let webhookSecrets: SecretBox
    let mail: (any MailTransport)?
    let webhookTransport: any WebhookTransport
    let renderer: MailRenderer
    let settings: DeliverySettings
    let clock: any WallClock
    let logger: Logger
    /// Names this server's leases.
    let owner = UUID().uuidString.lowercased()

    public init(outbox: any OutboxRepository, webhooks: any WebhookRepository, outboxBox: SecretBox, webhookSecrets: SecretBox,
                mail: (any MailTransport)?, webhookTransport: any WebhookTransport, renderer: MailRenderer, settings: DeliverySettings,
                clock: any WallClock, logger: Logger) {
        self.outbox = outbox
        self.webhooks = webhooks
        self.outboxBox = outboxBox
        self.webhookSecrets = webhookSecrets
        self.mail = mail
        self.webhookTransport = webhookTransport
        self.renderer = renderer
        self.settings = settings
        self.clock = clock
        self.logger = logger
    }

    var kinds: Set<OutboxKind> { mail == nil ? [.webhook] : [.email, .webhook] }

    public func run() async throws {
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            let delivered: Int
            do {
                delivered = try await deliverDue()
            } catch {
                logger.error("outbox delivery failed", metadata: ["error": "\(error)"])
                delivered = 0
            }
            if delivered == 0 {
                // Sleep, but wake at once for a shutdown.
                try? await cancelWhenGracefulShutdown { try await Task.sleep(for: self.settings.pollInterval) }
            }
        }
        await webhookTransport.shutdown()
    }

    /// Leases the due entries and delivers them; returns how many were tried.
    @discardableResult
    public func deliverDue() async throws -> Int {
        let now = clock.now()
        let leased = try await outbox.lease(due: now, kinds: kinds, limit: settings.batchSize, owner: owner,
                                            until: now.addingTimeInterval(TimeInterval(settings.leaseSeconds)))
        await withTaskGroup(of: Void.self) { group in
            for record in leased { group.addTask { await self.deliver(record) } }
        }
        return leased.count
    }

    func deliver(_ record: OutboxRecord) async {
        let entry = record.entry
        do {
            switch entry.kind {
            case .email: try await sendMail(entry)
            case .webhook: try await callWebhook(entry)
            }
            try await outbox.markDelivered(entry.id, owner: owner, at: clock.now())
            logger.info("outbox entry delivered", metadata: ["id": "\(entry.id)", "summary": "\(entry.summary)"])
        } catch {
            let failure = error as? DeliveryFailure ?? DeliveryFailure(permanent: false, "\(error)")
            let now = clock.now()
            let retryAt = failure.isPermanent ? nil
                : settings.retry.nextAttempt(after: record.attempts + 1, at: now, jitter: Double.random(in: 0...1))
            logger.warning("outbox delivery attempt failed", metadata: [
                "id": "\(entry.id)", "summary": "\(entry.summary)", "error": "\(failure.message)",
                "retry_at": "\(retryAt.map { $0.iso8601 } ?? "never")"])
            do {
                try await outbox.markAttemptFailed(entry.id, owner: owner, error: failure.message, retryAt: retryAt, at: now)
            } catch {
                // The lease runs out and the entry is tried again.
                logger.error("could not record a failed delivery", metadata: ["id": "\(entry.id)", "error": "\(error)"])
            }
        }
    }

    func sendMail(_ entry: OutboxEntry) async throws {
        guard let mail else { throw DeliveryFailure(permanent: false, "mail is not configured") }
        let request: MailRequest
        do { request = try MailRequest.open(entry, box: outboxBox) } catch {
            throw DeliveryFailure(permanent: true, "the entry could not be opened: \(error)")
        }
        let rendered = try renderer.render(request)
        try await mail.send(OutgoingMail(
            fromAddress: settings.fromAddress, fromName: settings.fromName, toAddress: request.to, toName: request.toName,
            subject: rendered.subject, text: rendered.text, html: rendered.html,
            messageID: "<\(entry.id.uuidString.lowercased())@\(settings.messageIDDomain)>", date: clock.now()))
    }

    func callWebhook(_ entry: OutboxEntry) async throws {
        let call: WebhookCall
        do { call = try WebhookCall.open(entry, box: outboxBox) } catch {
            throw DeliveryFailure(permanent: true, "the entry could not be opened: \(error)")
        }
        guard let tenant = entry.tenantID, let webhook = try await webhooks.find(tenant: tenant, id: call.webhookID) else {
            throw DeliveryFailure(permanent: true, "the webhook was deleted")
        }
        let secret = try webhookSecrets.open(webhook.sealedSecret, boundTo: Webhook.sealContext(tenant: tenant, id: webhook.id))
        let body = Array(call.body.utf8)
        let timestamp = Int(clock.now().timeIntervalSince1970)
        try await webhookTransport.post(url: webhook.url, body: body, headers: [
            ("Content-Type", "application/json"),
            ("User-Agent", "Gatehouse-Webhooks/1"),
            (WebhookSignature.headerName, WebhookSignature.header(secret: secret, timestamp: timestamp, body: body)),
            ("Gatehouse-Event", call.eventType),
            ("Gatehouse-Event-Id", call.eventID.uuidString.lowercased()),
            ("Gatehouse-Delivery", entry.id.uuidString.lowercased()),
        ])
    }
}
