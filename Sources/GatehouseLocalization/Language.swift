/// A language Gatehouse speaks: its pages and emails come from the catalog of that language.
public struct Language: Sendable, Hashable, Identifiable {
    /// The BCP 47 tag used in links (`?lang=pt-BR`), cookies and the user's saved language.
    public let code: String
    /// The language's name in that language, as the language menu shows it.
    public let name: String

    public var id: String { code }

    public static let english = Language(code: "en", name: "English")

    /// Every language with a catalog, in menu order.
    public static let all: [Language] = [
        english,
        Language(code: "es", name: "Español"),
        Language(code: "fr", name: "Français"),
        Language(code: "de", name: "Deutsch"),
        Language(code: "pt-BR", name: "Português (Brasil)"),
        Language(code: "ja", name: "日本語"),
    ]

    /// The supported language a tag names: the exact tag (any case), else one with the same
    /// primary language (`fr-CA` → `fr`, `pt-PT` → `pt-BR`, `en-GB` → `en`), else nil.
    public static func matching(_ tag: String) -> Language? {
        let trimmed = tag.trimmingCharacters(in: .whitespaces).replacingOccurrences(of: "_", with: "-")
        guard !trimmed.isEmpty, trimmed.count <= 35 else { return nil }
        if let exact = all.first(where: { $0.code.caseInsensitiveCompare(trimmed) == .orderedSame }) { return exact }
        let primary = trimmed.split(separator: "-").first.map { $0.lowercased() } ?? ""
        return all.first { $0.code.split(separator: "-").first.map { $0.lowercased() } == primary }
    }

    /// The best supported language of an `Accept-Language` header, by its q-values; nil when
    /// it names none we speak.
    public static func negotiate(acceptLanguage header: String) -> Language? {
        var ranked: [(tag: String, quality: Double, position: Int)] = []
        for (position, item) in header.split(separator: ",").prefix(32).enumerated() {
            let parts = item.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
            guard let tag = parts.first, !tag.isEmpty, tag != "*" else { continue }
            var quality = 1.0
            for parameter in parts.dropFirst() where parameter.hasPrefix("q=") {
                quality = Double(parameter.dropFirst(2)) ?? 0
            }
            if quality > 0 { ranked.append((tag, quality, position)) }
        }
        ranked.sort { $0.quality != $1.quality ? $0.quality > $1.quality : $0.position < $1.position }
        return ranked.lazy.compactMap { matching($0.tag) }.first
    }
}

import Foundation
