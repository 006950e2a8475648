public import Foundation

/// One language's texts and formats: what a page or an email says, in the reader's language.
/// Texts may hold placeholders, `{name}`, filled from the values given.
public struct Localizer: Sendable {
    public let language: Language
    let texts: [String: String]
    /// English, for a key a catalog lacks (the completeness test keeps that from shipping).
    let fallback: [String: String]

    /// The text for `key`, placeholders filled from `values`; the key itself when no catalog has it.
    public func text(_ key: String, _ values: [String: String] = [:]) -> String {
        guard let template = texts[key] ?? fallback[key] else { return key }
        return Self.fill(template, values)
    }

    /// The `KEY.one` or `KEY.other` text for `count`, with `{count}` filled as a localized number.
    public func text(_ key: String, count: Int, _ values: [String: String] = [:]) -> String {
        var values = values
        values["count"] = number(count)
        return text("\(key).\(PluralRule.form(of: count, in: language))", values)
    }

    /// A whole number in the language's digits and grouping (1,234 · 1.234 · 1 234).
    public func number(_ value: Int) -> String {
        value.formatted(.number.locale(locale))
    }

    /// A date and time as people of the language write it, in `timeZone` (UTC unless known).
    public func dateTime(_ date: Date, timeZone: TimeZone = .gmt) -> String {
        date.formatted(Date.FormatStyle(date: .abbreviated, time: .shortened, locale: locale, timeZone: timeZone)) + (timeZone == .gmt ? " UTC" : "")
    }

    /// A day as people of the language write it ("Nov 23, 2026", "23 nov. 2026", "2026/11/23").
    public func date(_ date: Date, timeZone: TimeZone = .gmt) -> String {
        date.formatted(Date.FormatStyle(date: .abbreviated, time: .omitted, locale: locale, timeZone: timeZone))
    }

    /// Whether a catalog has `key`.
    public func has(_ key: String) -> Bool { texts[key] != nil || fallback[key] != nil }

    /// A length of time in whole units: "24 hours", "30 minutes", "3 days".
    public func duration(seconds: Int) -> String {
        // A day is said in hours ("24 hours"): people read a link's lifetime more exactly so.
        if seconds >= 172_800 && seconds % 86_400 == 0 { return text("duration.days", count: seconds / 86_400) }
        if seconds >= 3_600 && seconds % 3_600 == 0 { return text("duration.hours", count: seconds / 3_600) }
        if seconds >= 60 { return text("duration.minutes", count: (seconds + 59) / 60) }
        return text("duration.seconds", count: max(seconds, 1))
    }

    public var locale: Locale { Locale(identifier: language.code) }

    /// Replaces each `{name}` whose name is in `values`; other braces stay as written.
    static func fill(_ template: String, _ values: [String: String]) -> String {
        guard !values.isEmpty, template.contains("{") else { return template }
        var result = ""
        var rest = template[...]
        while let open = rest.firstIndex(of: "{") {
            result += rest[..<open]
            guard let close = rest[open...].firstIndex(of: "}") else { break }
            let name = String(rest[rest.index(after: open)..<close])
            if let value = values[name] { result += value } else { result += rest[open...close] }
            rest = rest[rest.index(after: close)...]
        }
        result += rest
        return result
    }

    /// The placeholder names a text uses, for the catalog tests.
    public static func placeholders(in template: String) -> Set<String> {
        var names: Set<String> = []
        var rest = template[...]
        while let open = rest.firstIndex(of: "{"), let close = rest[open...].firstIndex(of: "}") {
            let name = rest[rest.index(after: open)..<close]
            if !name.isEmpty, name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }) { names.insert(String(name)) }
            rest = rest[rest.index(after: close)...]
        }
        return names
    }
}
