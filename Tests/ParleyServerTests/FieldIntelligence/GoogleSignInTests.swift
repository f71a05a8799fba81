import AsyncHTTPClient
import Foundation
import JWT
import ParleyServer
import ParleyTestSupport
import Testing

/// Google sign-in for real against a local JWKS server with keys the test makes (openssl): the
/// RS256 signature, issuer, audience, expiry and verified e-mail are checked; an account is linked
/// by e-mail or created in the organization that mapped the Workspace domain; everyone else is
/// refused; the keys are fetched once and cached as their Cache-Control says.
@Suite("Field Intelligence: Google sign-in")
struct GoogleSignInTests {
    static let clientID = "parley-test.apps.googleusercontent.com"

    /// The claims Google puts in an ID token.
    struct IDToken: JWTPayload {
        var iss: IssuerClaim
        var aud: AudienceClaim
        var sub: SubjectClaim
        var exp: ExpirationClaim
        var iat: IssuedAtClaim
        var email: String
        var email_verified: Bool
        var name: String?
        var given_name: String?
        var family_name: String?
        var picture: String?
        var hd: String?

        func verify(using algorithm: some JWTAlgorithm) async throws {}
    }

    static func rsaKey(in folder: URL, _ name: String) throws -> Insecure.RSA.PrivateKey {
        let file = folder.appendingPathComponent("\(name).pem")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
        process.arguments = ["genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", file.path]
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        return try Insecure.RSA.PrivateKey(pem: String(contentsOf: file, encoding: .utf8))
    }

    static func base64URL(_ data: Data) -> String {
        data.base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }

    static func token(_ key: Insecure.RSA.PrivateKey, kid: String = "key-1", email: String, hd: String? = nil, verified: Bool = true,
                      audience: String = clientID, issuer: String = "https://accounts.google.com", expires: Date = Date().addingTimeInterval(3600),
                      name: String = "Dana Reyes") async throws -> String {
        let keys = await JWTKeyCollection().add(rsa: key, digestAlgorithm: .sha256, kid: JWKIdentifier(string: kid))
        return try await keys.sign(IDToken(
            iss: .init(value: issuer), aud: .init(value: [audience]), sub: .init(value: "1077\(abs(email.hashValue) % 100_000)"),
            exp: .init(value: expires), iat: .init(value: Date()), email: email, email_verified: verified, name: name,
            given_name: name.split(separator: " ").first.map(String.init), family_name: name.split(separator: " ").last.map(String.init),
            picture: "https://lh3.googleusercontent.com/a/photo", hd: hd), kid: JWKIdentifier(string: kid))
    }

    @Test func idTokensAreVerifiedAgainstGooglesKeysAndLandOnTheSharedAccounts() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("parley-google-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let key = try Self.rsaKey(in: folder, "google")
        let rogue = try Self.rsaKey(in: folder, "rogue")
        let (modulus, exponent) = try key.publicKey.getKeyPrimitives()
        let jwks: [String: Any] = ["keys": [["kty": "RSA", "alg": "RS256", "use": "sig", "kid": "key-1",
                                             "n": Self.base64URL(modulus), "e": Self.base64URL(exponent)]]]
        let jwksFile = folder.appendingPathComponent("certs.json")
        try JSONSerialization.data(withJSONObject: jwks).write(to: jwksFile)
        let google = try await BackgroundScript("jwks_server.py", ["--jwks", jwksFile.path, "--max-age", "3600"])
        defer { google.stop() }
        let jwksURL = "http://127.0.0.1:\(google.port)/oauth2/v3/certs"

        try await TestServer.with({ configuration in
            configuration.google = .init(clientIDs: ["someone-else.apps.googleusercontent.com", Self.clientID], jwksURL: jwksURL)
        }) { server in
            let admin = try await server.admin()
            // The admin maps the company's Workspace domain.
            #expect(try await server.request(.POST, "/api/v1/admin/google-domains", json: ["domain": "Northwind.Example"], token: admin.accessToken).status == 201)
            #expect(try await server.request(.POST, "/api/v1/admin/google-domains", json: ["domain": "northwind.example"], token: admin.accessToken).status == 409)
            let badDomain = try await server.request(.POST, "/api/v1/admin/google-domains", json: ["domain": "not a domain"], token: admin.accessToken)
            #expect(badDomain.status == 422 && badDomain.text.contains("domain"))
            let domains = try await server.request(.GET, "/api/v1/admin/google-domains", token: admin.accessToken).jsonArray
            #expect(domains.map { $0["domain"] as? String } == ["northwind.example"])

            // A technician from the mapped domain signs in for the first time: the account is made.
            let first = try await server.request(.POST, "/v1/auth/google/login", json: [
                "id_token": try await Self.token(key, email: "dana@northwind.example", hd: "northwind.example"),
            ])
            #expect(first.status == 200, "\(first.text)")
            let user = try #require(first.json["user"] as? [String: Any])
            #expect(user["email"] as? String == "dana@northwind.example" && user["role"] as? String == "technician")
            #expect(user["full_name"] as? String == "Dana Reyes")
            #expect((user["user_id"] as? String)?.hasPrefix("USER-") == true)
            let access = try #require(first.json["access_token"] as? String)
            let me = try await server.request(.GET, "/v1/auth/me", token: access)
            #expect(me.status == 200 && me.json["user_id"] as? String == user["user_id"] as? String, "\(me.text)")
            // One identity: the same token works on the other surfaces.
            #expect(try await server.request(.GET, "/api/v1/auth/me", token: access).json["email"] as? String == "dana@northwind.example")
            // Signing in again lands on the same account.
            let again = try await server.request(.POST, "/v1/auth/google/login", json: [
                "id_token": try await Self.token(key, email: "dana@northwind.example", hd: "northwind.example"),
            ])
            #expect((again.json["user"] as? [String: Any])?["user_id"] as? String == user["user_id"] as? String)
            // Refresh as the document shows it.
            let refreshed = try await server.request(.POST, "/v1/auth/refresh", json: ["refresh_token": first.json["refresh_token"] as? String ?? ""])
            #expect(refreshed.status == 200 && refreshed.json["access_token"] is String && refreshed.json["expires_in"] is Int, "\(refreshed.text)")

            // An existing account (registered with a password) is linked by its e-mail.
            let rep = try await server.register()
            let linked = try await server.request(.POST, "/v1/auth/google/login", json: ["id_token": try await Self.token(key, email: rep.email)])
            #expect(linked.status == 200 && (linked.json["user"] as? [String: Any])?["user_id"] as? String == "USER-" + String(format: "%05d", rep.id),
                    "\(linked.text)")

            // Anyone else is refused: a personal account, or a Workspace domain nobody mapped.
            for (email, hd) in [("stranger@gmail.com", nil), ("boss@elsewhere.example", "elsewhere.example")] as [(String, String?)] {
                let refused = try await server.request(.POST, "/v1/auth/google/login", json: ["id_token": try await Self.token(key, email: email, hd: hd)])
                #expect(refused.status == 403, "\(email): \(refused.text)")
                #expect((refused.json["error"] as? [String: Any])?["code"] as? String == "FORBIDDEN")
            }

            // Bad tokens are 401, never 500.
            let bad: [(String, String)] = [
                ("garbage", "not.a.jwt"),
                ("expired", try await Self.token(key, email: "dana@northwind.example", hd: "northwind.example", expires: Date().addingTimeInterval(-60))),
                ("wrong audience", try await Self.token(key, email: "dana@northwind.example", audience: "another-app.apps.googleusercontent.com")),
                ("wrong issuer", try await Self.token(key, email: "dana@northwind.example", issuer: "https://evil.example")),
                ("wrongly signed", try await Self.token(rogue, email: "dana@northwind.example")),
                ("unknown key", try await Self.token(rogue, kid: "key-9", email: "dana@northwind.example")),
                ("unverified e-mail", try await Self.token(key, email: "dana@northwind.example", verified: false)),
            ]
            for (what, token) in bad {
                let refused = try await server.request(.POST, "/v1/auth/google/login", json: ["id_token": token])
                #expect(refused.status == 401, "\(what): \(refused.text)")
                #expect((refused.json["error"] as? [String: Any])?["code"] as? String == "UNAUTHORIZED", "\(what)")
            }
            let missing = try await server.request(.POST, "/v1/auth/google/login", json: ["token": "x"])
            #expect(missing.status == 422 && ((missing.json["error"] as? [String: Any])?["details"] as? [String: Any])?["field"] as? String == "id_token",
                    "\(missing.text)")

            // Google's keys were fetched once, then cached (an unknown key id may ask once more).
            let count = try await HTTPClient.shared.execute(HTTPClientRequest(url: "http://127.0.0.1:\(google.port)/__fake/count"), timeout: .seconds(5))
            let fetches = (try JSONSerialization.jsonObject(with: Data(buffer: try await count.body.collect(upTo: 1024))) as? [String: Int])?["fetches"] ?? 0
            #expect((1...2).contains(fetches), "fetched \(fetches) times")

            #expect(try await server.request(.DELETE, "/api/v1/admin/google-domains/northwind.example", token: admin.accessToken).status == 204)
            #expect(try await server.request(.DELETE, "/api/v1/admin/google-domains/northwind.example", token: admin.accessToken).status == 404)
        }
    }

    @Test func withoutAClientIDTheEndpointSaysGoogleIsNotConfigured() async throws {
        try await TestServer.with { server in
            let answer = try await server.request(.POST, "/v1/auth/google/login", json: ["id_token": "x.y.z"])
            #expect(answer.status == 401, "\(answer.text)")
            #expect(answer.text.contains("GOOGLE_CLIENT_ID"))
        }
    }
}
