import ArgumentParser

/// Where the data is: every subcommand takes the same options as `serve`.
struct StorageOptions: ParsableArguments {
    @Option(name: .customLong("data-dir"), help: "Directory for the SQLite database and key files (default ./gatehouse-data; env GATEHOUSE_DATA_DIR).")
    var dataDirectory: String?

    @Option(name: .customLong("database-url"), help: "sqlite:PATH or postgres://user:pass@host:port/db (default: SQLite in the data directory; env GATEHOUSE_DATABASE_URL).")
    var databaseURL: String?

    @Option(name: .customLong("config"), help: "A JSON configuration file (env GATEHOUSE_CONFIG). Flags override environment variables, which override the file.")
    var configFile: String?

    @Option(name: .customLong("log-level"), help: "trace, debug, info, notice, warning, error or critical (default info; env GATEHOUSE_LOG_LEVEL).")
    var logLevel: String?
}
