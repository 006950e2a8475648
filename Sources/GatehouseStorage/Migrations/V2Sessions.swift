extension Migration {
    /// Sessions, guess counters (accounts and client addresses) and password history (numbered
    /// per person, since two changes can share an instant).
    static let v2Sessions = Migration(2, "sessions", common: [
        // Sign-in attempts for unknown emails follow the policy of the tenant that holds
        // their domain, so a tenant's lockout settings do not tell who exists.
        "ALTER TABLE users ADD COLUMN email_domain TEXT",
        """
        CREATE TABLE sessions (
            id TEXT PRIMARY KEY,
            secret_digest TEXT NOT NULL CONSTRAINT sessions_digest_unique UNIQUE,
            tenant_id TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
            user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
            persistent INTEGER NOT NULL,
            created_at BIGINT NOT NULL,
            last_seen_at BIGINT NOT NULL,
            idle_expires_at BIGINT NOT NULL,
            absolute_expires_at BIGINT,
            idle_timeout_seconds INTEGER NOT NULL,
            ended_at BIGINT,
            end_reason TEXT,
            client_ip TEXT,
            user_agent TEXT
        )
        """,
        "CREATE INDEX sessions_user_active ON sessions (user_id, ended_at)",
        """
        CREATE TABLE attempt_counters (
            counter_key TEXT PRIMARY KEY,
            window_started_at BIGINT NOT NULL,
            attempts INTEGER NOT NULL,
            locked_until BIGINT
        )
        """,
        """
        CREATE TABLE password_history (
            user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
            seq BIGINT NOT NULL,
            hash TEXT NOT NULL,
            retired_at BIGINT NOT NULL,
            PRIMARY KEY (user_id, seq)
        )
        """,
    ])
}
