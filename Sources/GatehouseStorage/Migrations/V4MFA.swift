extension Migration {
    /// Authenticator-app devices, recovery codes, wrong answers at a sign-in step, and when a
    /// session last proved its password (for deleting a device).
    static let v4MFA = Migration(4, "mfa", common: [
        """
        CREATE TABLE mfa_devices (
            id TEXT PRIMARY KEY,
            user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
            tenant_id TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
            name TEXT NOT NULL,
            algorithm TEXT NOT NULL,
            digits INTEGER NOT NULL,
            period INTEGER NOT NULL,
            secret TEXT NOT NULL,
            last_used_step BIGINT,
            created_at BIGINT NOT NULL,
            confirmed_at BIGINT
        )
        """,
        "CREATE INDEX mfa_devices_user ON mfa_devices (user_id, confirmed_at)",
        """
        CREATE TABLE mfa_recovery_codes (
            user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
            digest TEXT NOT NULL,
            created_at BIGINT NOT NULL,
            used_at BIGINT,
            PRIMARY KEY (user_id, digest)
        )
        """,
        "ALTER TABLE login_flows ADD COLUMN failures INTEGER NOT NULL DEFAULT 0",
        """
        CREATE TABLE session_reauthentications (
            session_id TEXT PRIMARY KEY REFERENCES sessions (id) ON DELETE CASCADE,
            at BIGINT NOT NULL
        )
        """,
    ])
}
