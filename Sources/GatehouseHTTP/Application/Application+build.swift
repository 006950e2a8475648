import Foundation
public import GatehouseCore
public import GatehouseDelivery
import GatehouseLocalization
public import GatehouseStorage
public import Hummingbird
public import Logging
import ServiceLifecycle
import NIOCore
import Synchronization

/// Everything the HTTP application is built from. Tests pass their own clock, randomness and
/// a cheap password hasher; `serve` passes the real ones.
public struct ApplicationDependencies: Sendable {
    public var database: Database
    public var clock: any WallClock
    public var random: any RandomSource
    public var passwordHasher: any PasswordHasher
    /// Where hashing runs: a few threads of its own with a bounded queue.
    public var hashingPool: PasswordHashingPool
    public var clientAttemptLimit: ClientAttemptLimit
    /// Seals secrets at rest (outbox payloads, webhook secrets) and keys decoy values.
    public var masterKey: MasterKey
    /// Sends email; nil leaves emails in the outbox ("mail not configured").
    public var mailTransport: (any MailTransport)?
    public var webhookTransport: (any WebhookTransport)?
    /// The sender, retries and polling of outbox delivery; nil runs no delivery (tests drive it).
    public var delivery: DeliverySettings?
    public var recoveryLimits: PasswordRecovery.Limits
    /// How this server asks other regions where a tenant lives; nil asks them over HTTP.
    public var regionDiscovery: (any RegionDiscoveryClient)?

    public init(database: Database, clock: any WallClock = SystemWallClock(), random: any RandomSource = SystemRandomSource(),
                passwordHasher: any PasswordHasher = Argon2idHasher(), hashingPool: PasswordHashingPool? = nil,
                clientAttemptLimit: ClientAttemptLimit = ClientAttemptLimit(), masterKey: MasterKey,
                mailTransport: (any MailTransport)? = nil, webhookTransport: (any WebhookTransport)? = nil,
                delivery: DeliverySettings? = nil, recoveryLimits: PasswordRecovery.Limits = PasswordRecovery.Limits()) {
        self.database = database
        self.clock = clock
        self.random = random
        self.passwordHasher = passwordHasher
        self.hashingPool = hashingPool ?? PasswordHashingPool()
        self.clientAttemptLimit = clientAttemptLimit
        self.masterKey = masterKey
        self.mailTransport = mailTransport
        self.webhookTransport = webhookTransport
        self.delivery = delivery
        self.recoveryLimits = recoveryLimits
    }

    /// The sealing keys by purpose.
    var outboxBox: SecretBox { masterKey.box(for: "outbox") }
    var webhookSecrets: SecretBox { masterKey.box(for: "webhook-secret") }
}

/// The composition root: repositories, services, controllers and middleware, wired once.
///
/// The database is one of the application's services, listed first so that it is closed
/// last, after the HTTP server has drained its in-flight requests.
public func buildApplication(configuration: ServerConfiguration, dependencies: ApplicationDependencies,
                             logger: Logger) async throws -> some ApplicationProtocol {
    // The catalogs and mail templates are read once, for pages, the outbox API and delivery.
    let mailRenderer = try await MailRenderer.load(catalogs: try Catalogs.bundled())
    let router = try await buildRouter(configuration: configuration, dependencies: dependencies, mailRenderer: mailRenderer)
    // Hummingbird announces itself at info level; Gatehouse's own line below says the same and
    // more, so the framework logs from notice up unless debugging was asked for.
    var serverLogger = logger
    if serverLogger.logLevel == .info { serverLogger.logLevel = .notice }
    let database = dependencies.database
    let firstRun = FirstRunSetup(tenants: SQLTenantRepository(database: database), setup: SQLSetupRepository(database: database),
                                 clock: dependencies.clock, random: dependencies.random)
    // Services stop in reverse order: HTTP first, then delivery, then the database.
    var services: [any Service] = [database]
    if let settings = dependencies.delivery {
        let webhookTransport = dependencies.webhookTransport ?? HTTPWebhookTransport()
        services.append(OutboxDelivery(outbox: SQLOutboxRepository(database: database), webhooks: SQLWebhookRepository(database: database),
                                       outboxBox: dependencies.outboxBox, webhookSecrets: dependencies.webhookSecrets,
                                       mail: dependencies.mailTransport, webhookTransport: webhookTransport,
                                       renderer: mailRenderer, settings: settings, clock: dependencies.clock,
                                       logger: logger))
    }
    return Application(
        router: router,
        configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "Gatehouse"),
        services: services,
        onServerRunning: { channel in
            let port = channel.localAddress?.port ?? configuration.port
            let baseURL = configuration.baseURL ?? "http://\(configuration.host):\(port)"
            BoundAddress.shared.set(baseURL)
            logger.notice("Gatehouse listening on http://\(configuration.host):\(port) (database: \(database.location))")
            do {
                if let secret = try await firstRun.issueLinkIfNeeded() {
                    logger.notice("First-time setup: open \(baseURL)/setup?token=\(secret) to create the first tenant and its administrator. The link works once.")
                }
            } catch {
                logger.error("could not issue the first-time setup link", metadata: ["error": "\(error)"])
            }
        },
        logger: serverLogger
    )
}

/// The router with every route and middleware; tests drive it directly.
public func buildRouter(configuration: ServerConfiguration, dependencies: ApplicationDependencies,
                        mailRenderer: MailRenderer? = nil) async throws -> Router<AppRequestContext> {
    let catalogs = try Catalogs.bundled()
    let mailRenderer = if let mailRenderer { mailRenderer } else { try await MailRenderer.load(catalogs: catalogs) }
    let database = dependencies.database, clock = dependencies.clock, random = dependencies.random
    let tenants = SQLTenantRepository(database: database)
    let members = SQLMemberRepository(database: database)
    let tokenRepository = SQLAPITokenRepository(database: database)
    let audit = SQLAuditRepository(database: database)
    let sessions = SQLSessionRepository(database: database)
    let attempts = SQLAttemptCounterRepository(database: database)
    let credentials = SQLPasswordCredentialRepository(database: database)
    let tokens = APITokenService(tokens: tokenRepository, clock: clock, random: random)
    let passwords = try PasswordService(hasher: dependencies.passwordHasher, pool: dependencies.hashingPool)

    let authenticator = SessionAuthenticator(sessions: sessions, members: members, origins: OriginCheck(baseURL: configuration.baseURL), clock: clock)
    let access = TenantAccess(tokens: tokens, sessions: authenticator, audit: audit, clock: clock)
    let csrf = CSRFProtection(secureCookies: configuration.usesHTTPS, random: random)
    let cookies = SessionCookies(secure: configuration.usesHTTPS)
    let pages = try await PageRenderer.load(catalogs: catalogs, cookies: cookies)
    let webhooks = SQLWebhookRepository(database: database)
    let accountStore = SQLAccountStore(database: database)
    let baseURL: @Sendable () -> String = {
        configuration.baseURL ?? BoundAddress.shared.get() ?? "http://\(configuration.host):\(configuration.port)"
    }
    let messaging = AccountMessaging(webhooks: webhooks, outboxBox: dependencies.outboxBox, random: random, baseURL: baseURL)
    let passwordChange = PasswordChangeService(credentials: credentials, attempts: attempts, passwords: passwords, clock: clock,
                                               messaging: messaging)
    let mfaDevices = SQLMFARepository(database: database)
    let presenceLists = SQLPresenceReasonListRepository(database: database)
    let mfa = MFAService(devices: mfaDevices, secrets: dependencies.masterKey.box(for: "totp"),
                         codeKey: { [masterKey = dependencies.masterKey] in masterKey.mac(for: "recovery-code", $0) }, clock: clock, random: random)
    let login = LoginService(tenants: tenants, members: members, credentials: credentials, sessions: sessions, attempts: attempts,
                             audit: audit, passwords: passwords, clock: clock, random: random,
                             clientLimit: dependencies.clientAttemptLimit, store: accountStore, passwordRules: passwordChange,
                             messaging: messaging, mfa: mfa, presenceGate: PresenceGate(lists: presenceLists))
    let masterKey = dependencies.masterKey

    let locator = TenantLocator(directory: configuration.regions, tenants: tenants, members: members,
                                client: dependencies.regionDiscovery ?? HTTPRegionDiscoveryClient(), clock: clock)
    let router = Router(context: AppRequestContext.self)
    router.add(middleware: SecurityHeadersMiddleware())
    router.add(middleware: ErrorMiddleware(pages: pages))

    HealthController(database: database).addRoutes(to: router)
    DiscoveryController(locator: locator, limiter: DiscoveryRateLimiter(clock: clock)).addRoutes(to: router)
    try AssetsController.load().addRoutes(to: router)
    SetupController(
        setup: FirstRunSetup(tenants: tenants, setup: SQLSetupRepository(database: database), clock: clock, random: random),
        tokens: tokens, passwords: passwords, csrf: csrf, pages: pages, region: configuration.region, baseURL: baseURL
    ).addRoutes(to: router)
    let apps = SQLAppRepository(database: database)
    let landing = SignInLanding(cookies: cookies, members: members, catalog: AppCatalog(apps: apps), clock: clock)
    let loginController = LoginController(login: login, authenticator: authenticator, tenants: tenants, cookies: cookies, csrf: csrf,
                                          pages: pages, landing: landing, locator: locator, regions: configuration.regions)
    loginController.addRoutes(to: router)
    InvitationController(
        invitations: InvitationAcceptance(store: accountStore, members: members, tenants: tenants, passwordRules: passwordChange,
                                          messaging: messaging, clock: clock),
        login: login, origins: authenticator.origins, cookies: cookies, csrf: csrf, pages: pages, landing: landing,
        stepPage: { request, pending, returnTo in try loginController.renderStep(request, pending: pending, returnTo: returnTo) }
    ).addRoutes(to: router)
    PasswordRecoveryController(
        recovery: PasswordRecovery(store: accountStore, requests: SQLRecoveryRequestRepository(database: database), members: members,
                                   tenants: tenants, attempts: attempts, passwordRules: passwordChange, messaging: messaging,
                                   decoyKey: { masterKey.mac(for: "recovery-decoy", $0) }, clock: clock, random: random,
                                   limits: dependencies.recoveryLimits),
        csrf: csrf, pages: pages
    ).addRoutes(to: router)
    SessionController(authenticator: authenticator, sessions: sessions, passwordChange: passwordChange, cookies: cookies,
                      csrf: csrf, pages: pages, clock: clock, messaging: messaging).addRoutes(to: router)
    SettingsController(tenants: tenants, access: access, clock: clock).addRoutes(to: router)
    UsersController(
        directory: MemberDirectory(members: members, clock: clock), access: access, sessions: sessions, attempts: attempts,
        passwords: passwordChange,
        provisioning: AccountProvisioning(store: accountStore, messaging: messaging, passwords: passwords, clock: clock, random: random),
        messaging: messaging, mfaDevices: mfaDevices, presenceLists: presenceLists, clock: clock
    ).addRoutes(to: router.group(UsersController<SQLMemberRepository, SQLAPITokenRepository>.path))
    PresenceReasonListsController(service: PresenceReasonListService(lists: presenceLists, clock: clock), lists: presenceLists, access: access)
        .addRoutes(to: router.group(PresenceReasonListsController<SQLAPITokenRepository>.path))
    PresenceController(presence: PresenceService(lists: presenceLists, presence: SQLAgentPresenceRepository(database: database), clock: clock),
                       authenticator: authenticator).addRoutes(to: router)
    AppsController(apps: apps, catalog: AppCatalog(apps: apps), access: access, authenticator: authenticator, clock: clock)
        .addRoutes(to: router)
    MicrophoneCheckController(members: members, authenticator: authenticator, clock: clock).addRoutes(to: router)
    MFAController(mfa: mfa, devices: mfaDevices,
                  reauthentication: Reauthentication(repository: SQLReauthenticationRepository(database: database),
                                                     passwordRules: passwordChange, clock: clock),
                  authenticator: authenticator, csrf: csrf, pages: pages, clock: clock).addRoutes(to: router)
    WebhooksController(webhooks: webhooks, access: access, secrets: dependencies.webhookSecrets, clock: clock, random: random)
        .addRoutes(to: router.group(WebhooksController<SQLAPITokenRepository>.path))
    OutboxController(outbox: SQLOutboxRepository(database: database), access: access, box: dependencies.outboxBox,
                     renderer: mailRenderer).addRoutes(to: router)
    ContactCenterPagesController(authenticator: authenticator, catalog: AppCatalog(apps: apps), landing: landing, pages: pages)
        .addRoutes(to: router)
    UserManagementPageController(authenticator: authenticator, members: members, pages: pages).addRoutes(to: router)
    router.get("/") { _, _ in Response.redirect(to: ReturnPath.fallback, type: .found) }
    return router
}

/// The base URL the server turned out to listen on (the port is known only after binding
/// when `--port 0` is used).
final class BoundAddress: Sendable {
    static let shared = BoundAddress()
    private let value = Mutex<String?>(nil)
    func set(_ url: String) { value.withLock { $0 = url } }
    func get() -> String? { value.withLock { $0 } }
}
