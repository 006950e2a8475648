extension Migration {
    /// Presence Reason lists and their reasons, each member's assigned list and last
    /// presence, the person's microphone check, and the apps a tenant offers after sign-in.
    static let v5Presence = Migration(5, "presence", common: [
        // `name_key` is the name in lower case (as `users.email_key`), unique per tenant.
        """
        CREATE TABLE presence_reason_lists (
            id TEXT PRIMARY KEY,
            tenant_id TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
            name TEXT NOT NULL,
            name_key TEXT NOT NULL,
            is_default INTEGER NOT NULL DEFAULT 0,
            created_at BIGINT NOT NULL,
            updated_at BIGINT NOT NULL,
            CONSTRAINT presence_reason_lists_name_unique UNIQUE (tenant_id, name_key),
            CONSTRAINT presence_reason_lists_tenant_id_unique UNIQUE (tenant_id, id)
        )
        """,
        // The repository moves the default in one transaction; this index makes a second
        // default impossible even for a write that forgot to.
        "CREATE UNIQUE INDEX presence_reason_lists_one_default ON presence_reason_lists (tenant_id) WHERE is_default = 1",
        """
        CREATE TABLE presence_reasons (
            list_id TEXT NOT NULL REFERENCES presence_reason_lists (id) ON DELETE CASCADE,
            position INTEGER NOT NULL,
            id TEXT NOT NULL,
            name TEXT NOT NULL,
            code TEXT,
            PRIMARY KEY (list_id, id),
            CONSTRAINT presence_reasons_position_unique UNIQUE (list_id, position)
        )
        """,
        """
        CREATE TABLE member_presence (
            tenant_id TEXT NOT NULL,
            user_id TEXT NOT NULL,
            state TEXT NOT NULL,
            reason_id TEXT,
            updated_at BIGINT NOT NULL,
            PRIMARY KEY (tenant_id, user_id),
            FOREIGN KEY (tenant_id, user_id) REFERENCES memberships (tenant_id, user_id) ON DELETE CASCADE
        )
        """,
        "ALTER TABLE users ADD COLUMN microphone_checked_at BIGINT",
        "ALTER TABLE users ADD COLUMN microphone_check_result TEXT",
        """
        CREATE TABLE apps (
            id TEXT PRIMARY KEY,
            tenant_id TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
            name TEXT NOT NULL,
            url TEXT NOT NULL,
            icon TEXT,
            roles TEXT NOT NULL,
            position INTEGER NOT NULL,
            created_at BIGINT NOT NULL,
            updated_at BIGINT NOT NULL
        )
        """,
        "CREATE INDEX apps_tenant_order ON apps (tenant_id, position, name)",
    ], sqlite: [
        // SQLite adds no table constraint to an existing table: the column references the
        // list, and triggers refuse a list of another tenant.
        "ALTER TABLE memberships ADD COLUMN presence_reason_list_id TEXT REFERENCES presence_reason_lists (id)",
        """
        CREATE TRIGGER memberships_presence_list_tenant_insert BEFORE INSERT ON memberships
        WHEN NEW.presence_reason_list_id IS NOT NULL AND NOT EXISTS (
            SELECT 1 FROM presence_reason_lists WHERE id = NEW.presence_reason_list_id AND tenant_id = NEW.tenant_id)
        BEGIN SELECT RAISE(ABORT, 'presence reason list of another tenant'); END
        """,
        """
        CREATE TRIGGER memberships_presence_list_tenant_update BEFORE UPDATE OF presence_reason_list_id ON memberships
        WHEN NEW.presence_reason_list_id IS NOT NULL AND NOT EXISTS (
            SELECT 1 FROM presence_reason_lists WHERE id = NEW.presence_reason_list_id AND tenant_id = NEW.tenant_id)
        BEGIN SELECT RAISE(ABORT, 'presence reason list of another tenant'); END
        """,
        // Tenants that existed before Presence Reason lists keep letting their agents in; the
        // gate starts with the tenants created from now on (an administrator can turn it on).
        "UPDATE tenants SET settings = json_set(settings, '$.presence_gate_roles', json('[]'))",
    ], postgres: [
        "ALTER TABLE memberships ADD COLUMN presence_reason_list_id TEXT",
        // The list must be one of the membership's own tenant.
        """
        ALTER TABLE memberships ADD CONSTRAINT memberships_presence_reason_list_fk
        FOREIGN KEY (tenant_id, presence_reason_list_id) REFERENCES presence_reason_lists (tenant_id, id)
        """,
        "UPDATE tenants SET settings = (settings::jsonb || '{\"presence_gate_roles\": []}'::jsonb)::text",
    ])
}
