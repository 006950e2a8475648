/// Which plural form a count takes in a language (the CLDR "one"/"other" split, which is all
/// the catalogs' languages need): a catalog holds `KEY.one` and `KEY.other` for such texts.
enum PluralRule {
    static func form(of count: Int, in language: Language) -> String {
        switch language.code.split(separator: "-").first ?? "" {
        case "ja": "other"
        // French and Brazilian Portuguese treat 0 and 1 alike.
        case "fr", "pt": count == 0 || count == 1 ? "one" : "other"
        default: count == 1 ? "one" : "other"
        }
    }
}
