extension Migration {
    /// The outbox, one-time links (invitations, password resets), forgot-password requests,
    /// pending sign-in steps, webhooks, and temporary passwords.
    static let v3Accounts = Migration(3, "accounts", common: [
        // Set while the current password is temporary: when it stops working.
        "ALTER TABLE password_credentials ADD COLUMN temporary_until BIGINT",
        """
        CREATE TABLE outbox (
            id TEXT PRIMARY KEY,
            tenant_id TEXT REFERENCES tenants (id) ON DELETE CASCADE,
            kind TEXT NOT NULL,
            ordering_key TEXT,
            created_at BIGINT NOT NULL,
            position INTEGER NOT NULL,
            summary TEXT NOT NULL,
            payload TEXT NOT NULL,
            status TEXT NOT NULL,
            attempts INTEGER NOT NULL DEFAULT 0,
            next_attempt_at BIGINT,
            lease_owner TEXT,
            lease_until BIGINT,
            delivered_at BIGINT,
            last_error TEXT
        )
        """,
        "CREATE INDEX outbox_due ON outbox (status, next_attempt_at)",
        "CREATE INDEX outbox_ordering ON outbox (ordering_key, status, created_at)",
        "CREATE INDEX outbox_tenant ON outbox (tenant_id, kind, created_at)",
        """
        CREATE TABLE one_time_links (
            id TEXT PRIMARY KEY,
            secret_digest TEXT NOT NULL CONSTRAINT one_time_links_digest_unique UNIQUE,
            purpose TEXT NOT NULL,
            tenant_id TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
            user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
            created_at BIGINT NOT NULL,
            expires_at BIGINT NOT NULL,
            used_at BIGINT,
            revoked_at BIGINT
        )
        """,
        "CREATE INDEX one_time_links_user ON one_time_links (user_id, purpose)",
        """
        CREATE TABLE recovery_requests (
            secret_digest TEXT PRIMARY KEY,
            tenant_id TEXT REFERENCES tenants (id) ON DELETE CASCADE,
            user_id TEXT REFERENCES users (id) ON DELETE CASCADE,
            masked_email TEXT NOT NULL,
            created_at BIGINT NOT NULL,
            expires_at BIGINT NOT NULL,
            confirmed_at BIGINT
        )
        """,
        """
        CREATE TABLE login_flows (
            secret_digest TEXT PRIMARY KEY,
            tenant_id TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
            user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
            step TEXT NOT NULL,
            keep_signed_in INTEGER NOT NULL,
            created_at BIGINT NOT NULL,
            expires_at BIGINT NOT NULL,
            used_at BIGINT
        )
        """,
        """
        CREATE TABLE webhooks (
            id TEXT PRIMARY KEY,
            tenant_id TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
            url TEXT NOT NULL,
            events TEXT NOT NULL,
            secret TEXT NOT NULL,
            public_key TEXT,
            created_at BIGINT NOT NULL
        )
        """,
        "CREATE INDEX webhooks_tenant ON webhooks (tenant_id)",
        // A keyed digest of a constant: a server started with another master key than the one
        // the stored secrets were sealed with refuses to start instead of failing later.
        """
        CREATE TABLE master_key_check (
            id INTEGER PRIMARY KEY,
            check_value TEXT NOT NULL
        )
        """,
    ])
}
