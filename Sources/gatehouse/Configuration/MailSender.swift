/// The `--mail-from` value: `address` or `Display Name <address>`.
enum MailSender {
    static func parse(_ text: String) -> (address: String, name: String?)? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if trimmed.hasSuffix(">"), let open = trimmed.lastIndex(of: "<") {
            let address = String(trimmed[trimmed.index(after: open)..<trimmed.index(before: trimmed.endIndex)])
            let name = trimmed[..<open].trimmingCharacters(in: .whitespaces).trimmingCharacters(in: CharacterSet(charactersIn: "\""))
            return isAddress(address) ? (address, name.isEmpty ? nil : name) : nil
        }
        return isAddress(trimmed) ? (trimmed, nil) : nil
    }

    private static func isAddress(_ text: String) -> Bool {
        let parts = text.split(separator: "@", omittingEmptySubsequences: false)
        return parts.count == 2 && !parts[0].isEmpty && !parts[1].isEmpty && text.allSatisfy { $0.isASCII && !$0.isWhitespace && $0 != "<" && $0 != ">" }
    }
}

import Foundation
