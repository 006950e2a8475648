extension Migration {
    /// Tenants, people, memberships, password credentials, API tokens, the audit log and
    /// first-run set-up links.
    ///
    /// Ids are canonical lower-case UUID text and instants are microseconds since 1970 in a
    /// BIGINT, so every query reads the same on SQLite and PostgreSQL.
    static let v1Foundation = Migration(1, "foundation", common: [
        """
        CREATE TABLE tenants (
            id TEXT PRIMARY KEY,
            slug TEXT NOT NULL CONSTRAINT tenants_slug_unique UNIQUE,
            display_name TEXT NOT NULL,
            region TEXT NOT NULL,
            settings TEXT NOT NULL DEFAULT '{}',
            created_at BIGINT NOT NULL
        )
        """,
        """
        CREATE TABLE users (
            id TEXT PRIMARY KEY,
            email TEXT NOT NULL,
            email_key TEXT NOT NULL CONSTRAINT users_email_key_unique UNIQUE,
            first_name TEXT NOT NULL,
            last_name TEXT NOT NULL,
            phone TEXT,
            language TEXT NOT NULL,
            default_tenant_id TEXT NOT NULL REFERENCES tenants (id),
            created_at BIGINT NOT NULL,
            updated_at BIGINT NOT NULL
        )
        """,
        """
        CREATE TABLE memberships (
            tenant_id TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
            user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
            roles TEXT NOT NULL,
            agent_id TEXT,
            status TEXT NOT NULL,
            created_at BIGINT NOT NULL,
            updated_at BIGINT NOT NULL,
            PRIMARY KEY (tenant_id, user_id),
            CONSTRAINT memberships_agent_id_unique UNIQUE (tenant_id, agent_id)
        )
        """,
        "CREATE INDEX memberships_user ON memberships (user_id)",
        """
        CREATE TABLE password_credentials (
            user_id TEXT PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
            hash TEXT NOT NULL,
            changed_at BIGINT NOT NULL
        )
        """,
        """
        CREATE TABLE api_tokens (
            id TEXT PRIMARY KEY,
            tenant_id TEXT NOT NULL,
            user_id TEXT NOT NULL,
            name TEXT NOT NULL,
            prefix TEXT NOT NULL,
            secret_digest TEXT NOT NULL CONSTRAINT api_tokens_digest_unique UNIQUE,
            created_at BIGINT NOT NULL,
            expires_at BIGINT,
            revoked_at BIGINT,
            FOREIGN KEY (tenant_id, user_id) REFERENCES memberships (tenant_id, user_id) ON DELETE CASCADE
        )
        """,
        "CREATE INDEX api_tokens_member ON api_tokens (tenant_id, user_id)",
        """
        CREATE TABLE audit_events (
            id TEXT PRIMARY KEY,
            occurred_at BIGINT NOT NULL,
            tenant_id TEXT,
            actor_kind TEXT NOT NULL,
            actor_id TEXT,
            action TEXT NOT NULL,
            target_kind TEXT,
            target_id TEXT,
            outcome TEXT NOT NULL,
            client_ip TEXT,
            detail TEXT NOT NULL DEFAULT '{}'
        )
        """,
        "CREATE INDEX audit_events_tenant_time ON audit_events (tenant_id, occurred_at)",
        """
        CREATE TABLE setup_links (
            secret_digest TEXT PRIMARY KEY,
            created_at BIGINT NOT NULL,
            used_at BIGINT
        )
        """,
    ], sqlite: [
        // The audit log is append-only: the database itself refuses changes.
        """
        CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events
        BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END
        """,
        """
        CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events
        BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END
        """,
    ], postgres: [
        """
        CREATE FUNCTION gatehouse_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN RAISE EXCEPTION 'audit events are append-only'; END $$
        """,
        """
        CREATE TRIGGER audit_events_append_only BEFORE UPDATE OR DELETE ON audit_events
        FOR EACH ROW EXECUTE FUNCTION gatehouse_audit_append_only()
        """,
    ])
}
