public import GatehouseCore
public import GatehouseStorage

/// Everything `gatehouse serve` needs to know, already checked.
public struct ServerConfiguration: Sendable {
    /// The address to listen on. Default `127.0.0.1`.
    public var host: String
    /// The TCP port. Default `8080`; `0` picks a free one (tests).
    public var port: Int
    /// Where the SQLite file and key files live. Default `./gatehouse-data`.
    public var dataDirectory: String
    /// The database. Default: `sqlite:<dataDirectory>/gatehouse.sqlite`.
    public var database: DatabaseLocation
    /// The public URL people reach Gatehouse at (links in mail and logs, cookie `Secure`).
    /// Default: `http://<host>:<port>` as bound.
    public var baseURL: String?
    /// The region this server serves. Default `na`.
    public var region: RegionCode
    /// The platform's regions, this one among them. Default: this region alone.
    public var regions: RegionDirectory
    /// Whether `serve` applies pending migrations before listening. Default true.
    public var migrate: Bool
    /// Argon2id parameters for new hashes. Default OWASP's: 19456 KiB, 2 iterations, 1 lane.
    public var argon2 = Argon2idHasher.Parameters()
    /// Hashing jobs allowed to wait before sign-ins are answered 503. Default 1000.
    public var hashQueueLimit = 1000
    /// Sign-in attempts allowed per client address. Default 1000 per 300 s.
    public var clientAttemptLimit = ClientAttemptLimit()
    /// The mail server, `smtp://user:pass@host:port` or `smtps://…`; nil keeps emails in the outbox.
    public var smtpURL: String?
    /// A PEM file of CA certificates to trust for the mail server instead of the system's.
    public var smtpCAFile: String?
    /// The sender of emails: `no-reply@example.com` or `Gatehouse <no-reply@example.com>`.
    public var mailFrom: String?
    /// The master key as text (`GATEHOUSE_MASTER_KEY`); nil uses the key file in the data directory.
    public var masterKey: String?
    /// Seconds before the first retry of a failed delivery (doubling, at most an hour). Default 5.
    public var deliveryRetrySeconds = 5

    public init(host: String = "127.0.0.1", port: Int = 8080, dataDirectory: String = "./gatehouse-data",
                database: DatabaseLocation? = nil, baseURL: String? = nil, region: RegionCode = .northAmerica,
                migrate: Bool = true) {
        self.host = host
        self.port = port
        self.dataDirectory = dataDirectory
        self.database = database ?? .defaultSQLite(inDataDirectory: dataDirectory)
        self.baseURL = baseURL
        self.region = region
        self.regions = RegionDirectory(local: region)
        self.migrate = migrate
    }

    /// Whether cookies must be `Secure` (the public URL is https).
    public var usesHTTPS: Bool { baseURL?.lowercased().hasPrefix("https://") ?? false }
}
