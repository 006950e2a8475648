import Foundation

/// Every language's message catalog, read once at start-up from `Resources/catalogs/CODE.json`
/// (one flat object of dotted keys to texts; every catalog has the same keys as English).
public struct Catalogs: Sendable {
    let texts: [String: [String: String]]

    public init(texts: [String: [String: String]]) {
        self.texts = texts
    }

    /// The catalogs bundled with Gatehouse.
    public static func bundled() throws -> Catalogs {
        let directory = Bundle.module.bundleURL.appendingPathComponent("Resources/catalogs")
        var texts: [String: [String: String]] = [:]
        for language in Language.all {
            let url = directory.appendingPathComponent("\(language.code).json")
            let data = try Data(contentsOf: url)
            guard let catalog = try JSONSerialization.jsonObject(with: data) as? [String: String] else {
                throw CatalogError(description: "\(url.lastPathComponent) is not an object of strings")
            }
            texts[language.code] = catalog
        }
        return Catalogs(texts: texts)
    }

    /// The texts of one language, keyed by message key.
    public func texts(of language: Language) -> [String: String] {
        texts[language.code] ?? [:]
    }

    public func localizer(for language: Language) -> Localizer {
        Localizer(language: language, texts: texts(of: language), fallback: texts(of: .english))
    }
}

public struct CatalogError: Error, CustomStringConvertible {
    public let description: String
}
