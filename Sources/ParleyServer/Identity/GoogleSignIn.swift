import AsyncHTTPClient
import Foundation
import JWT
import NIOCore
import ParleyDomain

/// Google sign-in: an ID token from Google's client libraries is verified here, for real: its
/// RS256 signature against Google's published keys (the JWKS at `GOOGLE_JWKS_URL`, fetched and
/// kept as long as its `Cache-Control: max-age` says), and its `iss`, `aud` (`GOOGLE_CLIENT_ID`),
/// `exp` and `email_verified`.
struct GoogleSignIn: Sendable {
    typealias Settings = GoogleSignInSettings
    static let issuers: Set<String> = ["https://accounts.google.com", "accounts.google.com"]

    /// Who the token says signed in.
    struct Identity: Sendable, Equatable {
        var subject: String
        var email: String
        var name: String?
        var givenName: String?
        var familyName: String?
        var picture: String?
        /// The Google Workspace domain (`hd`), absent for personal accounts.
        var hostedDomain: String?
    }

    let settings: Settings
    let keys: GoogleKeys

    init(settings: Settings) {
        self.settings = settings
        keys = GoogleKeys(url: settings.jwksURL)
    }

    /// The identity in a valid ID token; `DomainError.invalidToken` (401) for anything else: not a
    /// JWT, a key Google does not publish, a bad signature, another issuer or audience, expired,
    /// or an e-mail Google has not verified.
    func verify(_ idToken: String) async throws -> Identity {
        let token = idToken.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !token.isEmpty, token.count < 8_192, token.split(separator: ".").count == 3 else { throw GoogleSignInError.malformed }
        let payload: GoogleIDToken
        do {
            payload = try await keys.collection(refreshingFor: Self.keyID(of: token)).verify(token, as: GoogleIDToken.self)
        } catch let error as GoogleSignInError {
            throw error
        } catch {
            throw GoogleSignInError.rejected("\(error)")
        }
        guard Self.issuers.contains(payload.iss.value) else { throw GoogleSignInError.rejected("the token was not issued by Google") }
        guard payload.aud.value.contains(where: settings.clientIDs.contains) else {
            throw GoogleSignInError.rejected("the token was issued for another application")
        }
        guard payload.email_verified?.value == true, let email = payload.email, !email.isEmpty else {
            throw GoogleSignInError.rejected("Google has not verified this account's e-mail address")
        }
        return Identity(subject: payload.sub.value, email: email.lowercased(), name: payload.name, givenName: payload.given_name,
                        familyName: payload.family_name, picture: payload.picture, hostedDomain: payload.hd?.lowercased())
    }

    /// The `kid` of a token's header, to know whether the cached keys can check it.
    static func keyID(of token: String) -> String? {
        guard let header = token.split(separator: ".").first else { return nil }
        var base64 = header.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while base64.count % 4 != 0 { base64 += "=" }
        guard let data = Data(base64Encoded: base64),
              let object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else { return nil }
        return object["kid"] as? String
    }
}

/// Google sign-in's configuration: the accepted audiences (`GOOGLE_CLIENT_ID`, several separated
/// by commas) and where Google's keys are (`GOOGLE_JWKS_URL`).
public struct GoogleSignInSettings: Sendable {
    public var clientIDs: [String]
    public var jwksURL: String

    public init(clientIDs: [String], jwksURL: String = "https://www.googleapis.com/oauth2/v3/certs") {
        self.clientIDs = clientIDs
        self.jwksURL = jwksURL
    }
}

/// Why a Google ID token was not accepted (always 401, never 500).
enum GoogleSignInError: Error, CustomStringConvertible {
    case malformed
    case rejected(String)
    case keysUnavailable(String)

    var description: String {
        switch self {
        case .malformed: "id_token is not a Google ID token"
        case .rejected(let reason): "The Google ID token was not accepted: \(reason)"
        case .keysUnavailable(let reason): "Google's signing keys could not be fetched: \(reason)"
        }
    }
}

/// The claims of a Google ID token this server reads.
struct GoogleIDToken: JWTPayload {
    var iss: IssuerClaim
    var aud: AudienceClaim
    var sub: SubjectClaim
    var exp: ExpirationClaim
    var iat: IssuedAtClaim?
    var email: String?
    var email_verified: BoolClaim?
    var name: String?
    var given_name: String?
    var family_name: String?
    var picture: String?
    var hd: String?

    func verify(using algorithm: some JWTAlgorithm) async throws {
        try exp.verifyNotExpired()
    }
}

/// Google's published signing keys, fetched when first needed and again when their
/// `Cache-Control: max-age` has passed, or when a token names a key not among them (Google
/// rotates keys; at most one such refetch a minute, so junk tokens cannot hammer Google).
actor GoogleKeys {
    let url: String
    private var keys: JWTKeyCollection?
    private var knownIDs: Set<String> = []
    private var expires = Date.distantPast
    private var lastFetch = Date.distantPast

    init(url: String) {
        self.url = url
    }

    func collection(refreshingFor keyID: String?) async throws -> JWTKeyCollection {
        let now = Date()
        let unknownKey = keyID.map { !knownIDs.contains($0) } ?? false
        if keys == nil || now >= expires || (unknownKey && now.timeIntervalSince(lastFetch) > 60) {
            try await fetch(now: now)
        }
        guard let keys else { throw GoogleSignInError.keysUnavailable("no keys") }
        return keys
    }

    private func fetch(now: Date) async throws {
        lastFetch = now
        let response: HTTPClientResponse
        do {
            response = try await HTTPClient.shared.execute(HTTPClientRequest(url: url), timeout: .seconds(10))
        } catch {
            if keys != nil { return } // keep serving with the keys we have
            throw GoogleSignInError.keysUnavailable("\(error)")
        }
        let body = try await response.body.collect(upTo: 1 << 20)
        guard response.status == .ok else {
            if keys != nil { return }
            throw GoogleSignInError.keysUnavailable("HTTP \(response.status.code)")
        }
        let json = String(buffer: body)
        let collection = JWTKeyCollection()
        do { try await collection.add(jwksJSON: json) } catch { throw GoogleSignInError.keysUnavailable("the JWKS did not parse: \(error)") }
        let ids = ((try? JSONSerialization.jsonObject(with: Data(json.utf8))) as? [String: Any])?["keys"] as? [[String: Any]]
        knownIDs = Set((ids ?? []).compactMap { $0["kid"] as? String })
        keys = collection
        expires = now.addingTimeInterval(Self.maxAge(response.headers.first(name: "Cache-Control")) ?? 300)
    }

    /// `max-age` of a Cache-Control header, in seconds.
    static func maxAge(_ header: String?) -> TimeInterval? {
        guard let header else { return nil }
        for directive in header.split(separator: ",") {
            let parts = directive.trimmingCharacters(in: .whitespaces).split(separator: "=", maxSplits: 1)
            if parts.count == 2, parts[0].lowercased() == "max-age", let seconds = Double(parts[1]), seconds >= 0 { return seconds }
        }
        return nil
    }
}
