import Foundation
import GatehouseCore
import GatehouseDelivery
import GatehouseLocalization
import GatehouseStorage
import GatehouseTesting
import Logging
import Synchronization
import Testing

/// The delivery service against the real outbox table, with in-memory transports: what is
/// sent, what is retried and when, and the order of calls about one person.
@Suite struct OutboxDeliveryTests {
    final class RecordingMail: MailTransport {
        let sent = Mutex<[OutgoingMail]>([])
        let failures = Mutex<[DeliveryFailure]>([])
        func send(_ mail: OutgoingMail) async throws(DeliveryFailure) {
            if let failure = failures.withLock({ $0.isEmpty ? nil : $0.removeFirst() }) { throw failure }
            sent.withLock { $0.append(mail) }
        }
    }

    final class RecordingWebhooks: WebhookTransport {
        let calls = Mutex<[(url: String, body: String, headers: [(String, String)])]>([])
        let down = Mutex(false)
        func post(url: String, body: [UInt8], headers: [(String, String)]) async throws(DeliveryFailure) {
            if down.withLock({ $0 }) { throw DeliveryFailure(permanent: false, "connection refused") }
            calls.withLock { $0.append((url, String(decoding: body, as: UTF8.self), headers)) }
        }
    }

    static let box = MasterKey.testKey.box(for: "outbox")
    static let secrets = MasterKey.testKey.box(for: "webhook-secret")

    static func service(_ database: Database, mail: (any MailTransport)?, webhooks: any WebhookTransport, clock: FixedClock) async throws -> OutboxDelivery {
        OutboxDelivery(outbox: SQLOutboxRepository(database: database), webhooks: SQLWebhookRepository(database: database),
                       outboxBox: box, webhookSecrets: secrets, mail: mail, webhookTransport: webhooks,
                       renderer: try await MailRenderer.load(catalogs: try Catalogs.bundled()),
                       settings: DeliverySettings(fromAddress: "no-reply@gatehouse.test", messageIDDomain: "gatehouse.test",
                                                  retry: RetrySchedule(baseSeconds: 10, maxDelaySeconds: 3600, maxAttempts: 3)),
                       clock: clock, logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }))
    }

    static func withTenant(_ kind: DatabaseKind, _ body: (Database, Tenant) async throws -> Void) async throws {
        try await TestDatabases.withDatabase(kind) { database in
            let tenant = Tenant(slug: try TenantSlug("acme"), displayName: "Acme", region: .northAmerica, createdAt: Date(timeIntervalSince1970: 1_800_000_000))
            try await SQLTenantRepository(database: database).create(tenant, audit: AuditEvent(at: tenant.createdAt, tenant: tenant.id, actor: .system,
                                                                                                action: .tenantCreate, outcome: .success))
            try await body(database, tenant)
        }
    }

    static func invitation(to email: String, tenant: Tenant, at now: Date) -> OutboxEntry {
        MailRequest(template: "invitation", language: "en", to: email, toName: "Ana Diaz",
                    values: ["first_name": "Ana", "tenant_name": "Acme", "email": email, "link": "https://login.test/invitations/inv_x",
                             "valid_for": "24 hours"]).entry(tenant: tenant.id, at: now, box: box)
    }

    @Test(arguments: TestDatabases.kinds)
    func mail_isSentOnce_retriedWithBackoff_andGivenUpOnWhenRefused(_ kind: DatabaseKind) async throws {
        try await Self.withTenant(kind) { database, tenant in
            let clock = FixedClock(), mail = RecordingMail(), outbox = SQLOutboxRepository(database: database)
            let delivery = try await Self.service(database, mail: mail, webhooks: RecordingWebhooks(), clock: clock)
            try await outbox.enqueue([Self.invitation(to: "ana@acme.test", tenant: tenant, at: clock.now())])
            mail.failures.withLock { $0 = [DeliveryFailure(permanent: false, "451 try later")] }

            #expect(try await delivery.deliverDue() == 1)
            #expect(mail.sent.withLock { $0.isEmpty })
            let pending = try #require(try await outbox.list(tenant: tenant.id, kind: .email, limit: 10).first)
            #expect(pending.status == .pending && pending.attempts == 1 && pending.lastError == "451 try later")
            let wait = try #require(pending.nextAttemptAt).timeIntervalSince(clock.now())
            #expect(wait >= 9 && wait <= 11, "first retry after about 10 s, was \(wait)")
            #expect(try await delivery.deliverDue() == 0, "not due yet")

            clock.advance(by: 12)
            #expect(try await delivery.deliverDue() == 1)
            let sent = try #require(mail.sent.withLock { $0.first })
            #expect(sent.toAddress == "ana@acme.test" && sent.subject == "You're invited to Acme on Gatehouse")
            #expect(sent.text.contains("https://login.test/invitations/inv_x") && sent.html.contains("https://login.test/invitations/inv_x"))
            #expect(sent.messageID.hasSuffix("@gatehouse.test>"))
            #expect(try await outbox.list(tenant: tenant.id, kind: .email, limit: 10).first?.status == .delivered)
            clock.advance(by: 3600)
            #expect(try await delivery.deliverDue() == 0, "delivered entries are never sent again")
            #expect(mail.sent.withLock { $0.count } == 1)

            // A permanent refusal ends the attempts at once.
            try await outbox.enqueue([Self.invitation(to: "bad@acme.test", tenant: tenant, at: clock.now())])
            mail.failures.withLock { $0 = [DeliveryFailure(permanent: true, "550 no such mailbox")] }
            #expect(try await delivery.deliverDue() == 1)
            let failed = try #require(try await outbox.list(tenant: tenant.id, kind: .email, limit: 10).first)
            #expect(failed.status == .failed && failed.lastError == "550 no such mailbox")
        }
    }

    @Test(arguments: TestDatabases.kinds)
    func withoutMail_emailsWait_andWebhooksStillGo(_ kind: DatabaseKind) async throws {
        try await Self.withTenant(kind) { database, tenant in
            let clock = FixedClock(), outbox = SQLOutboxRepository(database: database)
            let delivery = try await Self.service(database, mail: nil, webhooks: RecordingWebhooks(), clock: clock)
            try await outbox.enqueue([Self.invitation(to: "ana@acme.test", tenant: tenant, at: clock.now())])
            #expect(try await delivery.deliverDue() == 0)
            #expect(try await outbox.list(tenant: tenant.id, kind: .email, limit: 10).first?.status == .pending)
        }
    }

    @Test(arguments: TestDatabases.kinds)
    func webhookCalls_areSigned_andKeepTheirOrderPerPersonWhileTheReceiverIsDown(_ kind: DatabaseKind) async throws {
        try await Self.withTenant(kind) { database, tenant in
            let clock = FixedClock(), transport = RecordingWebhooks()
            let webhooks = SQLWebhookRepository(database: database), outbox = SQLOutboxRepository(database: database)
            let delivery = try await Self.service(database, mail: nil, webhooks: transport, clock: clock)
            let id = UUID()
            let secret = "receiver-secret-0123456789"
            try await webhooks.create(Webhook(id: id, tenantID: tenant.id, url: "https://linked.test/hook", events: Set(WebhookEventType.allCases),
                                              sealedSecret: Self.secrets.seal(secret, boundTo: Webhook.sealContext(tenant: tenant.id, id: id)),
                                              publicKeyPEM: nil, createdAt: clock.now()),
                                      audit: AuditEvent(at: clock.now(), tenant: tenant.id, actor: .system, action: .webhookCreate, outcome: .success))
            let member = Member.new(try MemberDraft(NewMemberInput(email: "ana@acme.test", firstName: "Ana", lastName: "Diaz", roles: ["agent"])),
                                    in: tenant.id, at: clock.now())
            let publisher = EventPublisher(outboxBox: Self.box, random: SystemRandomSource())
            let subscribed = try await webhooks.list(tenant: tenant.id)
            let first = try publisher.entries(for: [AccountEvent(.userCreated, member: member, tenant: tenant)], webhooks: subscribed, at: clock.now())
            clock.advance(by: 1)
            let second = try publisher.entries(for: [AccountEvent(.userPasswordChanged, member: member, tenant: tenant, newPassword: "Blue-Kettle-42")],
                                               webhooks: subscribed, at: clock.now())
            try await outbox.enqueue(first + second)

            transport.down.withLock { $0 = true }
            #expect(try await delivery.deliverDue() == 1, "only the first call about a person is in line")
            clock.advance(by: 5)
            #expect(try await delivery.deliverDue() == 0, "the second waits behind the first while it is retried")
            transport.down.withLock { $0 = false }
            clock.advance(by: 10)
            #expect(try await delivery.deliverDue() == 1)
            #expect(try await delivery.deliverDue() == 1)
            let calls = transport.calls.withLock { $0 }
            #expect(calls.map { $0.body.contains("user.created") } == [true, false])
            #expect(calls[1].body.contains("user.password_changed") && !calls[1].body.contains("Blue-Kettle-42"),
                    "no public key: the password is not sent")
            for call in calls {
                let signature = try #require(call.headers.first { $0.0 == "Gatehouse-Signature" }?.1)
                #expect(WebhookSignature.isValid(signature, secret: Array(secret.utf8), body: Array(call.body.utf8), now: clock.now()))
                #expect(!WebhookSignature.isValid(signature, secret: Array("wrong-secret-0123456789".utf8), body: Array(call.body.utf8), now: clock.now()))
            }

            // Deleting the webhook drops what is still pending for it.
            let third = try publisher.entries(for: [AccountEvent(.userDisabled, member: member, tenant: tenant)], webhooks: subscribed, at: clock.now())
            try await outbox.enqueue(third)
            #expect(try await webhooks.delete(tenant: tenant.id, id: id, audit: AuditEvent(at: clock.now(), tenant: tenant.id, actor: .system,
                                                                                             action: .webhookDelete, outcome: .success), at: clock.now()))
            #expect(try await delivery.deliverDue() == 0)
        }
    }

    @Test(arguments: TestDatabases.kinds)
    func aLease_keepsTwoServersFromSendingTheSameEntry(_ kind: DatabaseKind) async throws {
        try await Self.withTenant(kind) { database, tenant in
            let clock = FixedClock(), outbox = SQLOutboxRepository(database: database)
            try await outbox.enqueue((0..<10).map { Self.invitation(to: "p\($0)@acme.test", tenant: tenant, at: clock.now()) })
            async let a = outbox.lease(due: clock.now(), kinds: [.email], limit: 10, owner: "a", until: clock.now().addingTimeInterval(60))
            async let b = outbox.lease(due: clock.now(), kinds: [.email], limit: 10, owner: "b", until: clock.now().addingTimeInterval(60))
            let (first, second) = try await (a, b)
            let ids = first.map(\.entry.id) + second.map(\.entry.id)
            #expect(ids.count == 10 && Set(ids).count == 10)
            // A lease that ran out (its server died) is taken over.
            clock.advance(by: 61)
            #expect(try await outbox.lease(due: clock.now(), kinds: [.email], limit: 10, owner: "c", until: clock.now().addingTimeInterval(60)).count == 10)
        }
    }
}
