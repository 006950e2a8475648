public import Mustache

/// The `t` value of a template: `{{t.login.title}}` looks up the catalog key `login.title` and
/// fills its placeholders from the template's own values (`{tenantName}` ← `tenantName`).
/// Mustache escapes what it returns like any other value.
public struct CatalogNode: MustacheParent, Sendable {
    let localizer: Localizer
    let prefix: String
    let values: [String: String]

    /// `values` are the template's values; the strings and numbers among them fill placeholders.
    public init(_ localizer: Localizer, values: [String: Any]) {
        self.localizer = localizer
        self.prefix = ""
        self.values = values.compactMapValues { value in
            switch value {
            case let text as String: text
            case let number as Int: localizer.number(number)
            default: nil
            }
        }
    }

    private init(_ localizer: Localizer, prefix: String, values: [String: String]) {
        self.localizer = localizer
        self.prefix = prefix
        self.values = values
    }

    public func child(named name: String) -> Any? {
        let key = prefix + name
        if localizer.texts[key] != nil || localizer.fallback[key] != nil { return localizer.text(key, values) }
        return CatalogNode(localizer, prefix: key + ".", values: values)
    }
}

/// A key no catalog has renders as the key itself, so a gap is visible on the page (and the
/// catalog test fails before it ships).
extension CatalogNode: MustacheCustomRenderable {
    public var renderText: String { String(prefix.dropLast()) }
    public var isNull: Bool { false }
}
