import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
@testable import GatehouseCore
import GatehouseTesting
import Testing

// Known answers from two independent encoders on PyPI, run with byte mode and level M:
// python-qrcode 8.2 (codewords, matrices, chosen versions) and segno 1.6.6 (format and version
// information, penalty scores by its `encoder.mask_scores`). Codewords and whole matrices come
// from python-qrcode because segno 1.6.6 writes an extra 0x00 codeword whenever the terminator
// ends on a codeword boundary (always, in byte mode), which the standard does not do.

@Suite struct QRCodeTests {
    @Test(arguments: [
        (1, 1), (14, 1), (15, 2), (26, 2), (27, 3), (42, 3), (43, 4),
        (122, 7), (123, 8), (154, 9), (213, 10), (214, 11), (2331, 40),
    ])
    func version_isTheSmallestThatHoldsTheBytesAtLevelM(byteCount: Int, expected: Int) throws {
        let code = try QRCode(encoding: String(repeating: "a", count: byteCount))
        #expect(code.version == expected)
        #expect(code.size == 17 + 4 * expected)
    }

    @Test func encoding_pastVersion40sCapacity_throwsTooLong() {
        #expect(throws: QRCodeError.tooLong) { try QRCode(encoding: String(repeating: "a", count: 2332)) }
        // The limit is in UTF-8 bytes: 778 × "東" is 2,334 bytes.
        #expect(throws: QRCodeError.tooLong) { try QRCode(encoding: String(repeating: "東", count: 778)) }
    }

    @Test func codewords_ofOneBlock_matchTheReferenceEncoder() {
        // "Gatehouse" in version 1-M: mode, count, bytes, terminator, pads, then 10 EC codewords.
        let codewords = QRCode.codewords(for: Array("Gatehouse".utf8), version: QRVersion(1))
        #expect(hex(codewords) == "40947617465686f7573650ec11ec11ec" + "5a0fc823399221b6b239")
    }

    @Test func codewords_ofTwoGroups_areInterleavedLikeTheReferenceEncoder() {
        // 150 × "x" needs version 8-M: blocks of 38, 38, 39 and 39 data codewords, 22 EC each.
        let codewords = QRCode.codewords(for: Array(repeating: UInt8(ascii: "x"), count: 150), version: QRVersion(8))
        let expected = "4987878767" + String(repeating: "87", count: 142) + "80878787ec8711"
            + "b4a512832f4f707bc2e897146421f8a27306446174769d8f9b831438be68509070091a4d94d8c2"
            + "2e73fb11ba258eb313b54cdec41d6353fedb7ef90e7ef768db16591e9dc4a0386231d3d45efe"
            + "94bbb1cce8040a5fec3c4a"
        #expect(codewords.count == 242)
        #expect(hex(codewords) == expected)
    }

    @Test func formatInformation_forEachMask_matchesTheReference() {
        let expected = [
            0b101010000010010, 0b101000100100101, 0b101111001111100, 0b101101101001011,
            0b100010111111001, 0b100000011001110, 0b100111110010111, 0b100101010100000,
        ]
        #expect((0...7).map { QRFormat.formatInformation(mask: $0) } == expected)
    }

    @Test func versionInformation_matchesTheReference() {
        #expect(QRFormat.versionInformation(7) == 0b000111110010010100)
        #expect(QRFormat.versionInformation(10) == 0b001010010011010011)
        #expect(QRFormat.versionInformation(40) == 0b101000110001101001)
    }

    @Test func everyVersion_hasRoomForExactlyItsCodewordsAndRemainderBits() {
        for number in 1...40 {
            let version = QRVersion(number)
            let modules = QRMatrix(version: version).dataModuleCount
            #expect(modules / 8 == version.totalCodewords, "version \(number)")
            // 7.6: versions need 0, 3, 4 or 7 remainder bits.
            #expect([0, 3, 4, 7].contains(modules % 8), "version \(number)")
        }
    }

    @Test func version1Symbol_withMask2_matchesTheReferenceEncoder() throws {
        let code = try QRCode(bytes: Array("Gatehouse".utf8), forcedMask: 2)
        #expect(rows(of: code) == [
            "#######..#....#######",
            "#.....#..#....#.....#",
            "#.###.#.#.###.#.###.#",
            "#.###.#.#.###.#.###.#",
            "#.###.#.#.#.#.#.###.#",
            "#.....#.##.#..#.....#",
            "#######.#.#.#.#######",
            "........###..........",
            "#.#####..#.#..#####..",
            "#....#.#.#.##...#.#.#",
            ".#.####..##.###..###.",
            "###.#...##.###...####",
            ".....##...#.#.#..#.#.",
            "........##..##..###..",
            "#######...##.#....##.",
            "#.....#.###.....####.",
            "#.###.#.#..#....#...#",
            "#.###.#.###########..",
            "#.###.#.#...#.#..##..",
            "#.....#..#.#####.##..",
            "#######.###.#..##..#.",
        ])
    }

    @Test func version7Symbol_withMask5_matchesTheReferenceEncoder() throws {
        let text = "otpauth://totp/Acme:ana@acme.test?secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP&issuer=Acme&algorithm=SHA1&digits=6&period=30"
        let code = try QRCode(bytes: Array(text.utf8), forcedMask: 5)
        #expect(code.version == 7)
        #expect(rows(of: code) == [
            "#######...#..#..#.#.####..#.#####...#.#######",
            "#.....#.##.###..##..#..##..##......#..#.....#",
            "#.###.#.#.#.###..#......##.#.#####.#..#.###.#",
            "#.###.#.#####....##..##.######.###.##.#.###.#",
            "#.###.#..###.#.###..######...##...###.#.###.#",
            "#.....#....###.#..#.#...####.###......#.....#",
            "#######.#.#.#.#.#.#.#.#.#.#.#.#.#.#.#.#######",
            "........##.#...#.####...#.###.#######........",
            "#.....#.#...#####.#.#####.##.#.#..#####..###.",
            ".........#####...#######.########.#######.##.",
            ".####.##.#....##.#...##.#.#..#..####.##..#.#.",
            "#..##...###..#..#..###..#.#.#.##.#..##...####",
            ".##...#.#..#####..##.#..###.#...###...#.#....",
            ".#..##...##.######.####..#....###..###.##.#.#",
            "##.#####.......#..#.#...##.#.#....###.##.#.#.",
            "...###.###.....#.#.##.###.##.#.#..###...###.#",
            "..#####..####.##.####.####.#.#.#.#........##.",
            "###.##..###..###.###...###..###..#..##.#...##",
            "##.#####..#.#########.#.##.####.#.##..#.#####",
            "#..#......#....##..#.#.#.......###....#.####.",
            "..##########.#..###.#####.#..###.#..#####...#",
            ".##.#...##..####...##...###.#.#######...####.",
            "#.#.#.#.##..#.####..#.#.#.##.#..###.#.#.#.##.",
            "#.#.#...##....###..##...#...#.#.###.#...####.",
            "###.######..###.#..######.#.#...#...#####...#",
            "##...#.#####.###..###.#.##.#.##.##..#..#.##.#",
            "##...##.###..###.#..###.#.#.##.#..#..#..#.##.",
            "######.#####.#..##....###.##.#.###.##.#.#.##.",
            "##.#.##.#..#.#####.#...##....###.....#..##.#.",
            "##.....##.#...#..#...#..##..#.#.##.##..#.####",
            ".....########..#.#.#####.##.#..####.#.#.###.#",
            "....##...##.#..##....#.##..##.###.##..#..###.",
            "####..#.##.##.#.##.....#.##..###.#..#....##.#",
            "######..##.#...##..#...#.#######.#####.###.##",
            "....#.#...###.##.##..#....#....##....#...###.",
            ".####.....#.###.###.#####.##..#.#.#######.###",
            "#..##.#.#.##...####.#####.#.#...#.#######...#",
            "........####.######.#...##...#####..#...#.#.#",
            "#######...#.........#.#.#.#...##.##.#.#.#.##.",
            "#.....#...##.#....###...##...##..##.#...###.#",
            "#.###.#...#.##.###..#####.#..##..#.######..#.",
            "#.###.#.....#.##..#....###.####..#.#.....#.##",
            "#.###.#..##.#.#.#..##....#.###.###.####.#...#",
            "#.....#..##......##.#..#..#.###...####...##..",
            "#######.#.#.##..#..#..#.####...#.##.#..#.#.#.",
        ])
    }

    @Test(arguments: [
        ("Gatehouse", [1102, 1066, 1057, 1026, 1073, 1045, 1072, 1004], 7),
        // segno scores mask 7 at 2188: its search resumes seven modules after a counted
        // pattern, so it misses the second of two that share a module (column 4 of this
        // symbol ends 1011101011101, the last one against the quiet zone). Table 11 counts both.
        ("otpauth://totp/Acme:ana@acme.test?secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP&issuer=Acme&algorithm=SHA1&digits=6&period=30",
         [2393, 2437, 2146, 2173, 2010, 2258, 2338, 2188 + 40], 4),
    ])
    func mask_isTheOneWithTheLowestPenalty(text: String, penalties: [Int], expectedMask: Int) throws {
        let bytes = Array(text.utf8)
        let version = try #require(QRCode.smallestVersion(holding: bytes.count))
        var unmasked = QRMatrix(version: version)
        unmasked.placeCodewords(QRCode.codewords(for: bytes, version: version))
        #expect((0...7).map { unmasked.masked($0).penalty } == penalties)
        #expect(try QRCode(encoding: text).mask == expectedMask)
    }

    @Test func modulesOutsideTheSymbol_areLight() throws {
        let code = try QRCode(encoding: "Gatehouse")
        #expect(code.isDark(x: 0, y: 0))
        #expect(!code.isDark(x: -1, y: 0) && !code.isDark(x: 0, y: code.size) && !code.isDark(x: code.size, y: 3))
    }

    @Test func svg_isWellFormedXML_withQuietZoneSizeAndEscapedTitle() throws {
        let code = try QRCode(encoding: EnrolmentURIs.typical)
        let svg = code.svg(pixelsPerModule: 5, title: "Scan <me> & \"enrol\" – Büro 東京\u{7}")
        let document = try SVGDocument(parsing: svg)
        let side = code.size + 8
        #expect(document.root == "svg")
        #expect(document.attributes["viewBox"] == "0 0 \(side) \(side)")
        #expect(document.attributes["width"] == "\(5 * side)" && document.attributes["height"] == "\(5 * side)")
        #expect(document.attributes["shape-rendering"] == "crispEdges")
        #expect(document.title == "Scan <me> & \"enrol\" – Büro 東京")
        #expect(document.elementCounts["path"] == 1)
        // The path starts at the top-left finder, inside the four-module quiet zone.
        #expect(document.pathData?.hasPrefix("M4 4h7v1h-7z") == true)
    }

    @Test func svg_ofATypicalEnrolmentURI_isSmall() throws {
        let code = try QRCode(encoding: EnrolmentURIs.typical)
        let bytes = code.svg().utf8.count
        #expect(bytes < 10_000, "\(bytes) bytes for version \(code.version)")
    }
}

/// Gatehouse's SVG, rasterised by librsvg and read back by ZBar: both independent of this
/// code, so a symbol that decodes to the same bytes is right where it matters.
@Suite struct QRCodeDecodingTests {
    @Test(arguments: EnrolmentURIs.all)
    func svg_readByAnIndependentDecoder_givesBackTheExactText(text: String) throws {
        let code = try QRCode(encoding: text)
        let decoded = try ExternalQRDecoder.decode(svg: code.svg())
        #expect(decoded == Array(text.utf8), "version \(code.version), mask \(code.mask)")
    }

    @Test func cases_coverSmallAndLargeVersions() throws {
        let versions = Set(try EnrolmentURIs.all.map { try QRCode(encoding: $0).version })
        #expect(EnrolmentURIs.all.count >= 20)
        #expect(versions.contains { $0 < 7 })
        #expect(versions.contains { (7...9).contains($0) })
        #expect(versions.contains { (10...20).contains($0) })
        #expect(versions.contains { $0 > 30 })
    }
}

// MARK: - Helpers

private func hex(_ bytes: [UInt8]) -> String {
    bytes.map { String(format: "%02x", $0) }.joined()
}

private func rows(of code: QRCode) -> [String] {
    (0..<code.size).map { y in String((0..<code.size).map { x in code.isDark(x: x, y: y) ? "#" : "." }) }
}

/// otpauth:// URIs like the enrolment page shows, with seeded random secrets and people.
enum EnrolmentURIs {
    static let typical = "otpauth://totp/Acme%20Contact%20Center:ana.d%C3%ADaz%40acme.test?secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP&issuer=Acme%20Contact%20Center&algorithm=SHA1&digits=6&period=30"

    static let all: [String] = {
        let random = SeededRandom(seed: 18004)
        func number(below bound: Int) -> Int {
            random.bytes(2).reduce(0) { $0 << 8 | Int($1) } % bound
        }
        func pick(_ items: [String]) -> String { items[number(below: items.count)] }
        func secret(_ length: Int) -> String {
            let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")
            return String((0..<length).map { _ in alphabet[number(below: 32)] })
        }
        func email() -> String {
            let people = ["ana.díaz", "jörg.müller", "li.wei", "o'brien", "zoë", "m.al-farsi", "siobhán", "kenji_s", "agent+7"]
            let domains = ["acme.test", "contact-center.example", "büro.example", "support.acme.test"]
            return "\(pick(people))\(number(below: 100))@\(pick(domains))"
        }
        func escaped(_ text: String) -> String {
            text.utf8.map { byte in
                let scalar = Unicode.Scalar(byte)
                return byte < 0x80 && (scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) || "-._~".unicodeScalars.contains(scalar))
                    ? String(scalar) : String(format: "%%%02X", byte)
            }.joined()
        }
        let issuers = ["Acme Contact Center", "Gatehouse", "Büro – 東京", "Northwind Support", "Ünited Héalth Line"]
        var uris = [typical]
        // Percent-encoded, as the enrolment page builds them: versions 7 to 9.
        for _ in 0..<14 {
            let issuer = pick(issuers)
            uris.append("otpauth://totp/\(escaped(issuer)):\(escaped(email()))?secret=\(secret(32))&issuer=\(escaped(issuer))&algorithm=SHA1&digits=6&period=30")
        }
        // Raw UTF-8 labels, as some generators write them.
        for issuer in ["Büro – 東京", "Ünited Héalth Line", "Служба поддержки", "Büro – 東京"] {
            uris.append("otpauth://totp/\(issuer):\(email())?secret=\(secret(32))&issuer=\(issuer)")
        }
        // Short ones: versions below 7.
        uris.append("otpauth://totp/a@b.test?secret=\(secret(16))")
        uris.append("otpauth://totp/Gatehouse:\(email())?secret=\(secret(32))")
        uris.append("Gatehouse")
        // Long ones: SHA-512 secrets and long labels (versions 10 and up), and a text near
        // what version 40 holds.
        for length in [64, 103] {
            let issuer = "Überseequartier Logistik GmbH & Co. KG – Kundendienst 東京"
            uris.append("otpauth://totp/\(escaped(issuer)):\(escaped(email()))?secret=\(secret(length))&issuer=\(escaped(issuer))&algorithm=SHA512&digits=8&period=60")
        }
        uris.append("otpauth://totp/Archive:\(email())?secret=\(secret(2200))&issuer=Archive")
        return uris
    }()
}

/// rsvg-convert (Debian: librsvg2-bin) and zbarimg (Debian: zbar-tools).
enum ExternalQRDecoder {
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    static let packages = "install the Debian packages librsvg2-bin (rsvg-convert) and zbar-tools (zbarimg); scripts/test does"

    /// The bytes of the one QR code ZBar finds in `svg`.
    static func decode(svg: String) throws -> [UInt8] {
        let converter = try tool("rsvg-convert"), zbarimg = try tool("zbarimg")
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("gatehouse-qr-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let svgFile = directory.appendingPathComponent("code.svg"), pngFile = directory.appendingPathComponent("code.png")
        try Data(svg.utf8).write(to: svgFile)

        _ = try run(converter, ["--format=png", "--output", pngFile.path, svgFile.path], in: directory)
        // Only QR codes; `binary` gives the symbol's bytes as they are, without a charset guess
        // and without the newline zbarimg otherwise adds.
        return try run(zbarimg, ["--quiet", "--raw", "-Sdisable", "-Sqrcode.enable", "-Sbinary", pngFile.path], in: directory)
    }

    private static func tool(_ name: String) throws -> URL {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        for directory in path.split(separator: ":").map(String.init) + ["/usr/bin"] {
            let candidate = URL(fileURLWithPath: directory).appendingPathComponent(name)
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
        }
        throw Failure(description: "\(name) not found: \(packages)")
    }

    /// Runs `executable` and returns its standard output; its standard error goes to a file
    /// so that neither pipe can fill up.
    private static func run(_ executable: URL, _ arguments: [String], in directory: URL) throws -> [UInt8] {
        let errorFile = directory.appendingPathComponent("\(executable.lastPathComponent).stderr")
        _ = FileManager.default.createFile(atPath: errorFile.path, contents: nil)
        let errorHandle = try FileHandle(forWritingTo: errorFile)
        defer { try? errorHandle.close() }
        let output = Pipe()
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = output
        process.standardError = errorHandle
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            let message = (try? String(contentsOf: errorFile, encoding: .utf8)) ?? ""
            throw Failure(description: "\(executable.lastPathComponent) exited with \(process.terminationStatus): \(message)")
        }
        return Array(data)
    }
}

/// The parts of an SVG document the tests look at, read by Foundation's XMLParser (which
/// fails on anything that is not well-formed XML).
struct SVGDocument {
    var root: String?
    var attributes: [String: String] = [:]
    var elementCounts: [String: Int] = [:]
    var title: String?
    var pathData: String?

    private init() {}

    init(parsing svg: String) throws {
        let delegate = Delegate()
        let parser = XMLParser(data: Data(svg.utf8))
        parser.delegate = delegate
        guard parser.parse() else {
            throw ExternalQRDecoder.Failure(description: "not well-formed XML: \(String(describing: parser.parserError))")
        }
        self = delegate.document
    }

    private final class Delegate: NSObject, XMLParserDelegate {
        var document = SVGDocument()
        private var inTitle = false

        override init() {}

        func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?, attributes: [String: String]) {
            if document.root == nil {
                document.root = name
                document.attributes = attributes
            }
            document.elementCounts[name, default: 0] += 1
            if name == "title" { inTitle = true; document.title = "" }
            if name == "path" { document.pathData = attributes["d"] }
        }

        func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
            if name == "title" { inTitle = false }
        }

        func parser(_ parser: XMLParser, foundCharacters string: String) {
            if inTitle { document.title? += string }
        }
    }
}
