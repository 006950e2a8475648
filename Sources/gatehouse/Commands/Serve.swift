import ArgumentParser
import Configuration
import Foundation
import GatehouseCore
import GatehouseDelivery
import GatehouseHTTP
import GatehouseStorage
import Hummingbird
import Logging

/// `gatehouse serve`: migrate (unless told not to) and serve until SIGTERM or SIGINT, then
/// finish in-flight requests and exit 0.
struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run the Gatehouse server.")

    @OptionGroup var storage: StorageOptions

    @Option(help: "Address to listen on (default 127.0.0.1; env GATEHOUSE_HOST).")
    var host: String?

    @Option(help: "TCP port (default 8080, 0 picks a free one; env GATEHOUSE_PORT).")
    var port: Int?

    @Option(name: .customLong("base-url"), help: "The public URL, used in links and cookies (default http://HOST:PORT; env GATEHOUSE_BASE_URL).")
    var baseURL: String?

    @Option(help: "The region this server serves, a short code (default na; env GATEHOUSE_REGION).")
    var region: String?

    @Option(name: .customLong("regions-file"), help: "JSON array of the platform's regions, [{\"code\",\"name\",\"base_url\"}] (env GATEHOUSE_REGIONS_FILE).")
    var regionsFile: String?

    @Option(name: .customLong("smtp-url"), help: "Mail server, smtp://user:pass@host:port or smtps://… (env GATEHOUSE_SMTP_URL). Without it, emails wait in the outbox.")
    var smtpURL: String?

    @Option(name: .customLong("smtp-ca-file"), help: "PEM file of CA certificates to trust for the mail server (env GATEHOUSE_SMTP_CA_FILE).")
    var smtpCAFile: String?

    @Option(name: .customLong("mail-from"), help: "Sender of emails, e.g. \"Acme Sign-in <no-reply@acme.example>\" (env GATEHOUSE_MAIL_FROM).")
    var mailFrom: String?

    @Flag(name: .customLong("no-migrate"), help: "Refuse to start when the database needs migrating, instead of migrating it.")
    var noMigrate = false

    func run() async throws {
        var extra: [String: ConfigContent] = [:]
        if let host { extra["host"] = .string(host) }
        if let port { extra["port"] = .int(port) }
        if let baseURL { extra["base_url"] = .string(baseURL) }
        if let region { extra["region"] = .string(region) }
        if let regionsFile { extra["regions_file"] = .string(regionsFile) }
        if noMigrate { extra["migrate"] = .bool(false) }
        if let smtpURL { extra["smtp_url"] = .string(smtpURL) }
        if let smtpCAFile { extra["smtp_ca_file"] = .string(smtpCAFile) }
        if let mailFrom { extra["mail_from"] = .string(mailFrom) }
        let loader = ConfigurationLoader(storage: storage, extra: extra)
        let configuration = try await loader.serverConfiguration()
        let logger = try await loader.logger()

        let database = try await Database(location: configuration.database, logger: logger)
        let app: any ApplicationProtocol
        do {
            let migrator = Migrator(database: database)
            if configuration.migrate {
                let applied = try await migrator.migrate(now: SystemWallClock().now().microsecondsSince1970)
                if !applied.isEmpty { logger.info("applied migrations \(applied.map(String.init).joined(separator: ", "))") }
            } else {
                try await migrator.verifyCurrent()
            }
            let (masterKey, keySource) = try MasterKeyStore.load(text: configuration.masterKey, dataDirectory: configuration.dataDirectory,
                                                                 random: SystemRandomSource())
            try await MasterKeyStore.verify(masterKey, in: database)
            logger.info("master key from \(keySource)")
            var mail: (any MailTransport)?
            if let url = configuration.smtpURL {
                mail = try SMTPMailTransport(url: url, trustedCertificatesFile: configuration.smtpCAFile, logger: logger)
            } else {
                logger.notice("mail not configured: emails (invitations, password resets) wait in the outbox; administrators read them at GET /api/v1/tenants/{slug}/outbox. Set --smtp-url to send them.")
            }
            let sender = MailSender.parse(configuration.mailFrom ?? "") ?? (address: "gatehouse@\(Self.host(of: configuration))", name: "Gatehouse")
            let dependencies = ApplicationDependencies(
                database: database, passwordHasher: Argon2idHasher(parameters: configuration.argon2),
                hashingPool: PasswordHashingPool(queueLimit: configuration.hashQueueLimit),
                clientAttemptLimit: configuration.clientAttemptLimit, masterKey: masterKey, mailTransport: mail,
                delivery: DeliverySettings(fromAddress: sender.address, fromName: sender.name ?? "Gatehouse",
                                           messageIDDomain: Self.host(of: configuration),
                                           retry: RetrySchedule(baseSeconds: Double(configuration.deliveryRetrySeconds))))
            app = try await buildApplication(configuration: configuration, dependencies: dependencies, logger: logger)
        } catch {
            // The pool must be closed before it is released, whatever failed.
            try? await database.shutdown()
            throw StorageOptions.readable(error)
        }
        try await app.runService()
    }

    /// The public host name, for Message-IDs and the default sender.
    static func host(of configuration: ServerConfiguration) -> String {
        configuration.baseURL.flatMap { URL(string: $0)?.host } ?? "localhost"
    }
}
