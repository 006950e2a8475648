import Foundation
@testable import GatehouseLocalization
import Testing

/// The catalogs are complete and every key a template or the code uses exists: a missing or
/// misspelt key fails here, not in front of a user.
@Suite struct CatalogCompletenessTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    let catalogs = try! Catalogs.bundled()
    var english: [String: String] { catalogs.texts(of: .english) }

    @Test(arguments: Language.all.filter { $0 != .english })
    func everyCatalogHasExactlyTheEnglishKeys(_ language: Language) {
        let texts = catalogs.texts(of: language)
        let missing = Set(english.keys).subtracting(texts.keys).sorted()
        let extra = Set(texts.keys).subtracting(english.keys).sorted()
        #expect(missing.isEmpty, "\(language.code) lacks \(missing)")
        #expect(extra.isEmpty, "\(language.code) has keys English lacks: \(extra)")
    }

    @Test(arguments: Language.all)
    func noTextIsEmptyAndPlaceholdersMatchEnglish(_ language: Language) {
        for (key, text) in catalogs.texts(of: language) {
            #expect(!text.trimmingCharacters(in: .whitespaces).isEmpty, "\(language.code) \(key) is empty")
            guard let original = english[key] else { continue }
            #expect(Localizer.placeholders(in: text) == Localizer.placeholders(in: original),
                    "\(language.code) \(key): placeholders \(Localizer.placeholders(in: text).sorted()) ≠ English \(Localizer.placeholders(in: original).sorted())")
        }
    }

    /// Words that are the same in a language as in English on purpose.
    static let sameAsEnglish: [String: Set<String>] = [
        "es": ["account.roles", "role.supervisor"],
        "fr": ["duration.minutes.one", "duration.minutes.other", "role.agent", "setup.organisation"],
        "de": ["account.name", "role.administrator", "role.agent", "role.manager", "role.supervisor", "setup.administrator",
               "setup.organisation", "setup.region"],
        "pt-BR": ["role.supervisor"],
        "ja": [],
    ]

    @Test(arguments: Language.all.filter { $0 != .english })
    func translationsAreTranslated(_ language: Language) {
        let allowed = Self.sameAsEnglish[language.code] ?? []
        let untranslated = catalogs.texts(of: language).filter { key, text in
            // Texts made only of placeholders, digits and punctuation need no words of their own.
            let words = Localizer.fill(text, Dictionary(uniqueKeysWithValues: Localizer.placeholders(in: text).map { ($0, "") }))
            return text == english[key] && words.contains(where: \.isLetter) && !allowed.contains(key) && key != "page.title_suffix"
        }
        #expect(untranslated.isEmpty, "\(language.code) still has English: \(untranslated.keys.sorted())")
    }

    @Test func pluralTextsHaveBothForms() {
        for key in english.keys where key.hasSuffix(".one") || key.hasSuffix(".other") {
            let stem = key.split(separator: ".").dropLast().joined(separator: ".")
            #expect(english["\(stem).one"] != nil && english["\(stem).other"] != nil, "\(stem) needs .one and .other")
        }
    }

    /// `{{t.login}}` would hide `login.title`: templates reach texts through the key's parts.
    @Test func noKeyIsAlsoAPrefixOfAnother() {
        let keys = Set(english.keys)
        for key in keys {
            var parts = key.split(separator: ".").dropLast()
            while !parts.isEmpty {
                #expect(!keys.contains(parts.joined(separator: ".")), "\(parts.joined(separator: ".")) is a key and a prefix of \(key)")
                parts = parts.dropLast()
            }
        }
    }

    @Test func everyKeyATemplateUsesExists() throws {
        let directories = ["Sources/GatehouseHTTP/Resources/templates", "Sources/GatehouseDelivery/Resources/mail"]
        var used: [String: String] = [:]
        for directory in directories {
            let url = Self.root.appendingPathComponent(directory)
            for file in try FileManager.default.contentsOfDirectory(atPath: url.path) where file.hasSuffix(".mustache") {
                let text = try String(contentsOf: url.appendingPathComponent(file), encoding: .utf8)
                for match in text.matches(of: /\{\{\{?[#^\/]?\s*t\.([a-z0-9_.]+)\s*\}?\}\}/) { used[String(match.1)] = file }
            }
        }
        #expect(used.count > 80, "the scan found too few keys: \(used.count)")
        for (key, file) in used.sorted(by: { $0.key < $1.key }) { #expect(english[key] != nil, "\(file) uses unknown key \(key)") }
    }

    /// Keys written in the code: every string literal shaped like a key in a catalog namespace,
    /// plus the keys the code builds from codes (listed here, so a new code needs its text).
    @Test func everyKeyTheCodeUsesExists() throws {
        let namespaces = Set(english.keys.compactMap { $0.split(separator: ".").first.map(String.init) })
        var used: [String: String] = [:]
        for directory in ["Sources/GatehouseHTTP", "Sources/GatehouseDelivery"] {
            let url = Self.root.appendingPathComponent(directory)
            let files = FileManager.default.enumerator(atPath: url.path)?.compactMap { $0 as? String }.filter { $0.hasSuffix(".swift") } ?? []
            for file in files {
                let text = try String(contentsOf: url.appendingPathComponent(file), encoding: .utf8)
                for match in text.matches(of: /"([a-z][a-z_]*(?:\.[a-z0-9_]+)+)"/) {
                    let key = String(match.1)
                    guard let namespace = key.split(separator: ".").first, namespaces.contains(String(namespace)) else { continue }
                    used[key] = file
                }
            }
        }
        #expect(used.count > 50, "the scan found too few keys: \(used.count)")
        let plural = Set(english.keys.filter { $0.hasSuffix(".other") }.map { String($0.dropLast(".other".count)) })
        for (key, file) in used.sorted(by: { $0.key < $1.key }) {
            #expect(english[key] != nil || plural.contains(key), "\(file) uses unknown key \(key)")
        }
        var built: [String] = []
        for noun in ["invitation", "reset"] {
            for state in ["expired", "used", "replaced", "unknown"] { built += ["link.\(noun)_\(state).title", "link.\(noun)_\(state).text"] }
        }
        built += ["administrator", "manager", "supervisor", "agent"].map { "role.\($0)" }
        built += ["invited", "active", "disabled"].map { "admin.users.status.\($0)" }
        built += ["allowed", "denied", "unavailable"].map { "mic.result.\($0)" }
        built += ["too_short", "too_long", "too_few_character_classes", "reused", "forbidden_characters", "contains_first_name",
                  "contains_last_name", "contains_username"].map { "password.violation.\($0)" }
        built += ["invalid_credentials", "busy", "temporary_password_expired", "flow_expired", "too_many_codes",
                  "presence_reason_list_required", "mfa_disabled", "too_many_attempts", "too_many_requests"].map { "error.\($0)" }
        built += ["session_limit_reached", "invalid_code"].flatMap { ["error.\($0).one", "error.\($0).other"] }
        built += ["seconds", "minutes", "hours", "days"].flatMap { ["duration.\($0).one", "duration.\($0).other"] }
        for key in built { #expect(english[key] != nil, "the code builds \(key), which no catalog has") }
    }
}
