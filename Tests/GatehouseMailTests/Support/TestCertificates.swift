import Foundation

/// A throw-away CA and server certificates it signed, valid until 2126: only for the
/// in-process test server. Made with the openssl CLI (EC P-256).
enum TestCertificates {
    /// `caPEM` in a file, as `SMTPSettings.trustedCertificatesFile` wants it.
    static let caFile: String = {
        let url = FileManager.default.temporaryDirectory
            .appendingPathComponent("gatehouse-mail-tests-ca-\(ProcessInfo.processInfo.processIdentifier).pem")
        try! Data(caPEM.utf8).write(to: url)
        return url.path
    }()

    static let caPEM = """
    -----BEGIN CERTIFICATE-----
    MIIBqzCCAVCgAwIBAgIUN+nAJ5JDtM6b5Mqrr5hgmGptIsMwCgYIKoZIzj0EAwIw
    IDEeMBwGA1UEAwwVR2F0ZWhvdXNlTWFpbFRlc3RzIENBMCAXDTI2MTEyMzA1Mjcw
    MFoYDzIxMjYxMDMwMDUyNzAwWjAgMR4wHAYDVQQDDBVHYXRlaG91c2VNYWlsVGVz
    dHMgQ0EwWTATBgcqhkjOPQIBBggqhkjOPQMBBwNCAAQxXnOzaXLjNqcXjDKlFlQx
    +HLW2nEhYm1YxO8jd0M8IaxVRxqmlTmeV4aQIg6etphJbZFXXGk/vna4BBO2neBs
    o2YwZDAdBgNVHQ4EFgQUf5PZK7J22/aPOxB0obJcoNUOPUwwHwYDVR0jBBgwFoAU
    f5PZK7J22/aPOxB0obJcoNUOPUwwEgYDVR0TAQH/BAgwBgEB/wIBADAOBgNVHQ8B
    Af8EBAMCAQYwCgYIKoZIzj0EAwIDSQAwRgIhAM1IqxQ9fO/PLGeNaaMoWka9drqU
    DM0pt4teudkH57DZAiEAsj/17lpIZ5oNlIZz/BqNCWqk+tW9PYxOnlfOz4ecoeU=
    -----END CERTIFICATE-----
    """

    static let serverPEM = """
    -----BEGIN CERTIFICATE-----
    MIIBuzCCAWCgAwIBAgIUWEzkktJjXjsUVXWp1aBXqM3yE5YwCgYIKoZIzj0EAwIw
    IDEeMBwGA1UEAwwVR2F0ZWhvdXNlTWFpbFRlc3RzIENBMCAXDTI2MTEyMzA1Mjcw
    MFoYDzIxMjYxMDMwMDUyNzAwWjAUMRIwEAYDVQQDDAlsb2NhbGhvc3QwWTATBgcq
    hkjOPQIBBggqhkjOPQMBBwNCAARRUs/GgRXqqfJ9TdCAC++jQ98D+m/W3CpgWMtD
    oswH3WYD7OHOYyg4EQSXSvpKHXzWLNKzPMkwcXoeon55jm64o4GBMH8wGgYDVR0R
    BBMwEYIJbG9jYWxob3N0hwR/AAABMAwGA1UdEwEB/wQCMAAwEwYDVR0lBAwwCgYI
    KwYBBQUHAwEwHQYDVR0OBBYEFKAc+kCYnD+8K4CB9vOAxzCQVsxoMB8GA1UdIwQY
    MBaAFH+T2Suydtv2jzsQdKGyXKDVDj1MMAoGCCqGSM49BAMCA0kAMEYCIQDHd5K8
    +d8fNftqV+mzVtdWmX4Q1jIgF1nEy2/VH7gN4gIhAPJ5QXiv+29T2PiUzgZt8lte
    tB2R0Pa4iko56rpQ4Hsw
    -----END CERTIFICATE-----
    """

        /// Not a secret: it protects nothing but these tests.
    static let serverKeyPEM = """
    -----BEGIN PRIVATE KEY-----
    MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgiDrDnEMXh97ja8WD
    syBswKsqoZurAEKh+UVLyI51gmGhRANCAARRUs/GgRXqqfJ9TdCAC++jQ98D+m/W
    3CpgWMtDoswH3WYD7OHOYyg4EQSXSvpKHXzWLNKzPMkwcXoeon55jm64
    -----END PRIVATE KEY-----
    """

    /// A certificate from the same CA for other.test only: right CA, wrong name.
    static let otherNamePEM = """
    -----BEGIN CERTIFICATE-----
    MIIBtTCCAVugAwIBAgIUWEzkktJjXjsUVXWp1aBXqM3yE5cwCgYIKoZIzj0EAwIw
    IDEeMBwGA1UEAwwVR2F0ZWhvdXNlTWFpbFRlc3RzIENBMCAXDTI2MTEyMzA1Mjk1
    N1oYDzIxMjYxMDMwMDUyOTU3WjAVMRMwEQYDVQQDDApvdGhlci50ZXN0MFkwEwYH
    KoZIzj0CAQYIKoZIzj0DAQcDQgAEhFHmdHwY4BZYEYvKgBdlrMGN0xbkrXDgeVUz
    p92xOxkpbEOm01+He6JC7kjQJBbaWdCQedOKtG/wvGQsL7hvm6N8MHowFQYDVR0R
    BA4wDIIKb3RoZXIudGVzdDAMBgNVHRMBAf8EAjAAMBMGA1UdJQQMMAoGCCsGAQUF
    BwMBMB0GA1UdDgQWBBR0N3xTsoNNY3wiVPR9PntPOBVCtjAfBgNVHSMEGDAWgBR/
    k9krsnbb9o87EHShslyg1Q49TDAKBggqhkjOPQQDAgNIADBFAiABY8MUpZ7jsiIn
    WL9qKZd6BJSZxHmxf5mHQ7DFwiDBwgIhAJ0jBR0f4vYK1f/pVRifZd05/vrhs+Ky
    6oe6O4krXxYQ
    -----END CERTIFICATE-----
    """

    static let otherNameKeyPEM = """
    -----BEGIN PRIVATE KEY-----
    MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQglTAU8jlplGRagcXo
    qbJSkFHCSZrDWxUmvMDajJBjAQehRANCAASEUeZ0fBjgFlgRi8qAF2WswY3TFuSt
    cOB5VTOn3bE7GSlsQ6bTX4d7okLuSNAkFtpZ0JB504q0b/C8ZCwvuG+b
    -----END PRIVATE KEY-----
    """
}
