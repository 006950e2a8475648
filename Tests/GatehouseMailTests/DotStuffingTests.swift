@testable import GatehouseMail
import Testing

@Suite struct DotStuffingTests {
    private func payload(_ text: String) -> String {
        String(decoding: DotStuffing.dataPayload(Array(text.utf8)), as: UTF8.self)
    }

    @Test func lineStartingWithADot_getsASecondDot() {
        #expect(payload("a\r\n.b\r\n..c\r\n.\r\nd\r\n") == "a\r\n..b\r\n...c\r\n..\r\nd\r\n.\r\n")
    }

    @Test func firstLine_startingWithADot_isStuffedToo() {
        #expect(payload(".hidden\r\n") == "..hidden\r\n.\r\n")
    }

    @Test func dotsInsideALine_areLeftAlone() {
        #expect(payload("a.b. c.\r\n") == "a.b. c.\r\n.\r\n")
    }

    @Test func messageNotEndingInCRLF_isEndedBeforeTheTerminator() {
        #expect(payload("no newline") == "no newline\r\n.\r\n")
    }

    @Test func emptyMessage_isJustTheTerminator() {
        #expect(payload("") == ".\r\n")
    }

    @Test func bareLineFeedsAndCarriageReturns_becomeCRLF_soNoDotLineCanHide() {
        // "\n.\n" ends the data on some servers: normalized, it is an ordinary stuffed line.
        #expect(payload("a\n.\nb\r.\rc") == "a\r\n..\r\nb\r\n..\r\nc\r\n.\r\n")
    }
}
