import Testing
import GatehouseMail

@Test func mailAddressKeepsItsParts() {
    let address = MailAddress("ana@acme.test", name: "Ana")
    #expect(address.address == "ana@acme.test" && address.name == "Ana")
}
