import Foundation
import ProviderAPI
import Testing

@Suite("Credentials and base URLs from the environment")
struct EnvironmentTests {
    @Test("values, *_FILE fallbacks and URL overrides; the batch host follows the base URL when not set")
    func resolves() throws {
        let file = NSTemporaryDirectory() + "/secret-\(UUID().uuidString)"
        try "client-secret-value\n".write(toFile: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: file) }
        let env = Environment([
            "TRUORA_API_KEY": "a.b.c", "TRULIOO_CLIENT_ID": "id", "TRULIOO_CLIENT_SECRET_FILE": file,
            "TRUORA_BASE_URL": "http://127.0.0.1:8088", "TRULIOO_BASE_URL": "http://127.0.0.1:8088/",
        ])
        let truora = try env.truora()
        #expect(truora.apiKey == "a.b.c")
        #expect(truora.baseURL == "http://127.0.0.1:8088" && truora.batchBaseURL == "http://127.0.0.1:8088")
        let trulioo = try env.trulioo()
        #expect(trulioo.clientSecret == "client-secret-value")
        #expect(trulioo.baseURL == "http://127.0.0.1:8088")
        // systemd's LoadCredential=TRUORA_API_KEY:… puts the value in $CREDENTIALS_DIRECTORY/TRUORA_API_KEY.
        let credentials = NSTemporaryDirectory() + "/credentials-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: credentials, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: credentials) }
        try "from-systemd\n".write(toFile: credentials + "/TRUORA_API_KEY", atomically: true, encoding: .utf8)
        #expect(try Environment(["CREDENTIALS_DIRECTORY": credentials]).truora().apiKey == "from-systemd")
        #expect(try Environment(["CREDENTIALS_DIRECTORY": credentials, "TRUORA_API_KEY": "env"]).truora().apiKey == "env")
        let production = try Environment(["TRUORA_API_KEY": "a.b.c"]).truora()
        #expect(production.baseURL == "https://api.checks.truora.com")
        #expect(production.batchBaseURL == "https://api.account.truora.com")
    }

    @Test("missing, unreadable or malformed values name the variable and never show a value")
    func refuses() {
        let missing = #expect(throws: Environment.Missing.self) { try Environment([:]).truora() }
        #expect(missing?.description
                == "set TRUORA_API_KEY (or TRUORA_API_KEY_FILE naming a file that holds it, or a systemd credential TRUORA_API_KEY)")
        let unreadable = #expect(throws: Environment.Missing.self) {
            try Environment(["TRULIOO_CLIENT_ID": "id", "TRULIOO_CLIENT_SECRET_FILE": "/nonexistent/secret"]).trulioo()
        }
        #expect(unreadable?.names == ["TRULIOO_CLIENT_SECRET_FILE"])
        let badURL = #expect(throws: Environment.Missing.self) {
            try Environment(["TRUORA_API_KEY": "s3cr3t", "TRUORA_BASE_URL": "ftp://s3cr3t"]).truora()
        }
        #expect(badURL?.description.contains("s3cr3t") == false)
    }
}
