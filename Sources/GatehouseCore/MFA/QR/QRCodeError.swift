/// Why a text could not be made into a QR code.
public struct QRCodeError: Error, Sendable, Equatable, CustomStringConvertible {
    private enum Code: Sendable, Equatable {
        case tooLong
    }

    private let code: Code

    /// More bytes than version 40 holds at level M.
    public static let tooLong = QRCodeError(code: .tooLong)

    /// A sentence for logs; not shown to people as is.
    public var description: String {
        switch code {
        case .tooLong: "the text is longer than a QR code (version 40, level M) can hold"
        }
    }
}
