import Configuration
import Foundation
import GatehouseCore
import GatehouseHTTP
import GatehouseStorage
import Logging
import SystemPackage

/// Builds the server's configuration from, in order of precedence: command-line flags,
/// `GATEHOUSE_*` environment variables, and a JSON configuration file. Every key is checked
/// and all problems are reported together.
///
/// Keys (flag / environment variable / JSON key):
/// - `--host` / `GATEHOUSE_HOST` / `host` — string, default `127.0.0.1`
/// - `--port` / `GATEHOUSE_PORT` / `port` — integer 0–65535, default `8080`
/// - `--data-dir` / `GATEHOUSE_DATA_DIR` / `data_dir` — path, default `./gatehouse-data`
/// - `--database-url` / `GATEHOUSE_DATABASE_URL` / `database_url` — default SQLite in the data directory
/// - `--base-url` / `GATEHOUSE_BASE_URL` / `base_url` — http(s) URL, default `http://host:port`
/// - `--region` / `GATEHOUSE_REGION` / `region` — short code, default `na`
/// - `--regions-file` / `GATEHOUSE_REGIONS_FILE` / `regions_file` — JSON array of regions `[{"code","name","base_url"}]`;
///   default: this server's region alone
/// - `--no-migrate` / `GATEHOUSE_MIGRATE=false` / `migrate` — bool, default true
/// - `--log-level` / `GATEHOUSE_LOG_LEVEL` / `log_level` — default `info`
/// - `GATEHOUSE_ARGON2_MEMORY_KIB` / `argon2_memory_kib` — default 19456; `…_ITERATIONS` (2); `…_PARALLELISM` (1)
/// - `GATEHOUSE_HASH_QUEUE_LIMIT` / `hash_queue_limit` — default 1000
/// - `GATEHOUSE_LOGIN_CLIENT_LIMIT` / `login_client_limit` — attempts per client address, default 1000
/// - `GATEHOUSE_LOGIN_CLIENT_WINDOW_SECONDS` / `login_client_window_seconds` — default 300
/// - `--smtp-url` / `GATEHOUSE_SMTP_URL` / `smtp_url` — `smtp://user:pass@host:port` or `smtps://…`; none keeps mail in the outbox
/// - `--smtp-ca-file` / `GATEHOUSE_SMTP_CA_FILE` / `smtp_ca_file` — PEM CA certificates to trust for the mail server
/// - `--mail-from` / `GATEHOUSE_MAIL_FROM` / `mail_from` — sender, `Name <address>` or `address`
/// - `GATEHOUSE_MASTER_KEY` / `master_key` — 64 hex digits or base64 of 32 bytes; default the `master.key` file in the data directory
/// - `GATEHOUSE_DELIVERY_RETRY_SECONDS` / `delivery_retry_seconds` — first retry delay of a failed delivery, default 5
struct ConfigurationLoader {
    let flags: [String: ConfigValue]
    let configFile: String?

    init(storage: StorageOptions, extra: [String: ConfigContent] = [:]) {
        var flags: [String: ConfigValue] = [:]
        if let value = storage.dataDirectory { flags["data_dir"] = .init(.string(value), isSecret: false) }
        if let value = storage.databaseURL { flags["database_url"] = .init(.string(value), isSecret: true) }
        if let value = storage.logLevel { flags["log_level"] = .init(.string(value), isSecret: false) }
        for (key, value) in extra { flags[key] = .init(value, isSecret: false) }
        self.flags = flags
        self.configFile = storage.configFile ?? ProcessInfo.processInfo.environment["GATEHOUSE_CONFIG"]
    }

    func reader() async throws -> ConfigReader {
        var providers: [any ConfigProvider] = [
            InMemoryProvider(name: "flags", values: Dictionary(uniqueKeysWithValues: flags.map { (AbsoluteConfigKey([$0.key]), $0.value) })),
            EnvironmentVariablesProvider(secretsSpecifier: .specific(["GATEHOUSE_DATABASE_URL", "GATEHOUSE_SMTP_URL", "GATEHOUSE_MASTER_KEY"])).prefixKeys(with: "gatehouse"),
        ]
        if let configFile {
            providers.append(try await FileProvider<JSONSnapshot>(filePath: FilePath(configFile)))
        }
        return ConfigReader(providers: providers)
    }

    /// The server configuration, or every problem found.
    func serverConfiguration() async throws -> ServerConfiguration {
        let config = try await reader()
        var problems: [String] = []
        let host = config.string(forKey: "host", default: "127.0.0.1")
        let port = config.int(forKey: "port", default: 8080)
        if !(0...65535).contains(port) { problems.append("port: must be 0 to 65535, not \(port)") }
        let dataDirectory = config.string(forKey: "data_dir", default: "./gatehouse-data")
        var database: DatabaseLocation?
        if let url = config.string(forKey: "database_url", isSecret: true) {
            do { database = try DatabaseLocation(url: url) } catch { problems.append("database-url: \(error.description)") }
        }
        let baseURL = config.string(forKey: "base_url")
        if let baseURL {
            let parsed = URL(string: baseURL)
            if parsed?.host == nil || !["http", "https"].contains(parsed?.scheme?.lowercased() ?? "") {
                problems.append("base-url: must be an http or https URL such as https://login.example.com")
            }
        }
        var region = RegionCode.northAmerica
        do { region = try RegionCode(config.string(forKey: "region", default: "na")) } catch { problems.append("region: \(error.message)") }
        var regions = RegionDirectory(local: region)
        if let path = config.string(forKey: "regions_file") {
            if let data = FileManager.default.contents(atPath: path) {
                do { regions = try RegionDirectory.parse(data, local: region) } catch { problems.append("regions-file: \(error.description)") }
            } else {
                problems.append("regions-file: cannot read \(path)")
            }
        }
        if Self.logLevel(config) == nil { problems.append("log-level: use trace, debug, info, notice, warning, error or critical") }
        func bounded(_ key: String, default value: Int, _ range: ClosedRange<Int>) -> Int {
            let number = config.int(forKey: ConfigKey(key), default: value)
            if !range.contains(number) { problems.append("\(key.replacingOccurrences(of: "_", with: "-")): must be \(range.lowerBound) to \(range.upperBound)") }
            return number
        }
        let argon2 = Argon2idHasher.Parameters(memoryKiB: UInt32(clamping: bounded("argon2_memory_kib", default: 19_456, 8...4_194_304)),
                                               iterations: UInt32(clamping: bounded("argon2_iterations", default: 2, 1...100)),
                                               parallelism: UInt32(clamping: bounded("argon2_parallelism", default: 1, 1...64)))
        let queueLimit = bounded("hash_queue_limit", default: 1000, 1...1_000_000)
        let clientLimit = ClientAttemptLimit(maximum: bounded("login_client_limit", default: 1000, 1...1_000_000),
                                             windowSeconds: bounded("login_client_window_seconds", default: 300, 1...86400))
        let smtpURL = config.string(forKey: "smtp_url", isSecret: true)
        if let smtpURL, !(smtpURL.lowercased().hasPrefix("smtp://") || smtpURL.lowercased().hasPrefix("smtps://")) {
            problems.append("smtp-url: must start with smtp:// or smtps://")
        }
        let smtpCAFile = config.string(forKey: "smtp_ca_file")
        if let smtpCAFile, !FileManager.default.isReadableFile(atPath: smtpCAFile) { problems.append("smtp-ca-file: cannot read \(smtpCAFile)") }
        let mailFrom = config.string(forKey: "mail_from")
        if let mailFrom, MailSender.parse(mailFrom) == nil { problems.append("mail-from: must be an address or Name <address>") }
        let retrySeconds = bounded("delivery_retry_seconds", default: 5, 1...3600)
        guard problems.isEmpty else { throw ConfigurationProblems(problems: problems) }
        var configuration = ServerConfiguration(host: host, port: port, dataDirectory: dataDirectory, database: database,
                                                baseURL: baseURL.map { $0.hasSuffix("/") ? String($0.dropLast()) : $0 }, region: region,
                                                migrate: config.bool(forKey: "migrate", default: true))
        configuration.argon2 = argon2
        configuration.regions = regions
        configuration.hashQueueLimit = queueLimit
        configuration.clientAttemptLimit = clientLimit
        configuration.smtpURL = smtpURL
        configuration.smtpCAFile = smtpCAFile
        configuration.mailFrom = mailFrom
        configuration.masterKey = config.string(forKey: "master_key", isSecret: true)
        configuration.deliveryRetrySeconds = retrySeconds
        return configuration
    }

    static func logLevel(_ config: ConfigReader) -> Logger.Level? {
        Logger.Level(rawValue: config.string(forKey: "log_level", default: "info").lowercased())
    }

    /// The process logger, on standard error so standard output stays for command results.
    func logger(label: String = "gatehouse") async throws -> Logger {
        let level = Self.logLevel(try await reader()) ?? .info
        var logger = Logger(label: label) { StreamLogHandler.standardError(label: $0) }
        logger.logLevel = level
        return logger
    }
}

/// Configuration that cannot be used, with every reason.
struct ConfigurationProblems: Error, CustomStringConvertible {
    let problems: [String]
    var description: String {
        "The configuration is not valid:\n" + problems.map { "  - \($0)" }.joined(separator: "\n")
    }
}
