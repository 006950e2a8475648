/// A mailbox: an address and an optional display name.
///
/// The address must be plain ASCII (`local@domain`): internationalized addresses would need
/// the SMTPUTF8 extension, which this client does not speak, so ``SMTPClient`` refuses them
/// with a permanent error. The display name may be any text; it is encoded as needed.
public struct MailAddress: Sendable, Equatable {
    public var address: String
    public var name: String?

    public init(_ address: String, name: String? = nil) {
        self.address = address
        self.name = name
    }
}

extension MailAddress {
    /// Characters RFC 5322 allows in an unquoted local part (atext, plus the dots between atoms).
    private static let localPartCharacters = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!#$%&'*+-/=?^_`{|}~.")

    /// Why `address` cannot go into an SMTP envelope or a header, or `nil` when it can.
    ///
    /// Strict on purpose: what passes cannot break out of `MAIL FROM:<…>`, `RCPT TO:<…>` or a
    /// header, so no CR, LF, space, `<`, `>` or quote can ever reach the wire from an address.
    var problem: String? {
        let shown = address.debugDescription
        guard address.unicodeScalars.allSatisfy(\.isASCII) else {
            return "the address \(shown) is not ASCII; internationalized addresses (SMTPUTF8) are not supported"
        }
        guard let at = address.lastIndex(of: "@") else {
            return "the address \(shown) has no '@'"
        }
        let local = address[..<at]
        let domain = address[address.index(after: at)...]
        guard !local.isEmpty, local.count <= 64, local.allSatisfy(Self.localPartCharacters.contains),
              !local.hasPrefix("."), !local.hasSuffix("."), !local.contains("..")
        else {
            return "the address \(shown) has an invalid local part (before the '@')"
        }
        let domainCharacters: (Character) -> Bool = { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "." }
        guard !domain.isEmpty, domain.count <= 253, domain.allSatisfy(domainCharacters),
              !domain.hasPrefix("."), !domain.hasSuffix("."), !domain.contains("..")
        else {
            return "the address \(shown) has an invalid domain (after the '@')"
        }
        return nil
    }
}
