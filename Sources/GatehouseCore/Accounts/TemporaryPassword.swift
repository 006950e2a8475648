/// Makes temporary passwords in the tenant's chosen format.
public enum TemporaryPassword {
    /// Random temporary passwords are this long unless the policy asks for more.
    public static let randomLength = 16

    /// A random password that meets `policy`: every character class present (so any
    /// `required_classes` holds), none of the forbidden characters, and no letters that are
    /// easily confused when read out over the phone.
    public static func random(policy: PasswordPolicy, random: any RandomSource) -> String {
        let forbidden = Set(policy.forbiddenCharacters)
        let classes = [
            "ABCDEFGHJKLMNPQRSTUVWXYZ", "abcdefghijkmnopqrstuvwxyz", "23456789",
            String("-_.!?%+=:~^".filter { !forbidden.contains($0) }),
        ].map { Array($0.filter { !forbidden.contains($0) }) }.filter { !$0.isEmpty }
        let all = classes.flatMap { $0 }
        let length = max(randomLength, policy.minLength)
        var characters = classes.map { pick(from: $0, random: random) }
        while characters.count < length { characters.append(pick(from: all, random: random)) }
        // Shuffle so the guaranteed characters do not sit at the front.
        for index in stride(from: characters.count - 1, to: 0, by: -1) {
            characters.swapAt(index, uniform(below: index + 1, random: random))
        }
        return String(characters)
    }

    /// Webex CCE's format: first initial upper case, last initial lower case, the phone
    /// number's digits (at most 15), then `!!`. John Doe, 5125551212 → `Jd5125551212!!`.
    /// - Throws: ``FieldErrors`` when the person has no phone number or no name letters.
    public static func initialsAndPhone(firstName: String, lastName: String, phone: PhoneNumber?) throws(FieldErrors) -> String {
        var errors = FieldErrors()
        let digits = String((phone?.value ?? "").filter(\.isASCII).filter(\.isNumber).prefix(15))
        if digits.isEmpty { errors.add("phone", "is required for temporary passwords in the initials_phone format") }
        guard let first = firstName.first(where: \.isLetter) else {
            errors.add("first_name", "must contain a letter for the initials_phone format")
            throw errors
        }
        guard let last = lastName.first(where: \.isLetter) else {
            errors.add("last_name", "must contain a letter for the initials_phone format")
            throw errors
        }
        try errors.throwIfAny()
        return first.uppercased() + last.lowercased() + digits + "!!"
    }

    private static func pick(from characters: [Character], random: any RandomSource) -> Character {
        characters[uniform(below: characters.count, random: random)]
    }

    /// A uniform number in 0..<bound without modulo bias (rejection sampling).
    private static func uniform(below bound: Int, random: any RandomSource) -> Int {
        let limit = UInt32.max - UInt32.max % UInt32(bound)
        while true {
            let bytes = random.bytes(4)
            let value = bytes.reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
            if value < limit { return Int(value % UInt32(bound)) }
        }
    }
}
