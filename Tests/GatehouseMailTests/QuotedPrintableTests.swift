@testable import GatehouseMail
import Testing

@Suite struct QuotedPrintableTests {
    static let samples = [
        "",
        "Hello, world",
        "Bienvenue à Gatehouse — 日本語\nSecond line",
        "a=b and =?utf-8?B?x?= look like escapes",
        "trailing space \ntrailing tab\t\nend",
        String(repeating: "x", count: 200),
        String(repeating: "é", count: 100),
        String(repeating: "a", count: 74) + "=" + String(repeating: "b", count: 10),
        "line one\r\nline two\rline three\n",
        "\u{0}\u{7}control\u{7F}",
        ".leading dot\nFrom the start",
        String(repeating: "word ", count: 40),
    ]

    @Test(arguments: samples)
    func encoding_decodesToTheTextWithCRLFLineBreaks(text: String) throws {
        let encoded = QuotedPrintable.encode(text)
        let decoded = try #require(MIMEDecoding.quotedPrintable(encoded))
        let expected = text.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\r", with: "\n")
            .replacingOccurrences(of: "\n", with: "\r\n")
        #expect(decoded == Array(expected.utf8))
    }

    @Test(arguments: samples)
    func encodedLines_areShortPrintableASCIIWithoutTrailingWhitespace(text: String) {
        let encoded = QuotedPrintable.encode(text)
        for line in encoded.components(separatedBy: "\r\n") {
            #expect(line.utf8.count <= 76, "line too long: \(line)")
            #expect(line.utf8.allSatisfy { $0 == UInt8(ascii: "\t") || (32...126).contains($0) })
            #expect(!line.hasSuffix(" ") && !line.hasSuffix("\t"), "trailing whitespace: \(line.debugDescription)")
        }
        let bytes = Array(encoded.utf8)
        for (index, byte) in bytes.enumerated() where byte == .cr || byte == .lf {
            let pairedCR = byte == .cr && index + 1 < bytes.count && bytes[index + 1] == .lf
            let pairedLF = byte == .lf && index > 0 && bytes[index - 1] == .cr
            #expect(pairedCR || pairedLF, "bare CR or LF at \(index)")
        }
    }

    @Test func equalsSign_andNonASCII_areEscaped() {
        #expect(QuotedPrintable.encode("a=b") == "a=3Db")
        #expect(QuotedPrintable.encode("à") == "=C3=A0")
    }

    @Test func whitespace_isEncodedOnlyAtTheEndOfALine() {
        #expect(QuotedPrintable.encode("a b \nc\t") == "a b=20\r\nc=09")
    }

    @Test func longLine_getsSoftBreaksThatNeverSplitAnEscape() {
        let encoded = QuotedPrintable.encode(String(repeating: "é", count: 20))
        let lines = encoded.components(separatedBy: "\r\n")
        #expect(lines.count == 2)
        #expect(lines[0].hasSuffix("="))
        // 25 escapes of 3 characters fill 75 columns, then the soft break's "=".
        #expect(lines[0].utf8.count == 76)
    }

    @Test func lineOfExactly76Characters_needsNoSoftBreak() {
        let text = String(repeating: "y", count: 76)
        #expect(QuotedPrintable.encode(text) == text)
        #expect(QuotedPrintable.encode(text + "y").components(separatedBy: "\r\n").count == 2)
    }
}
