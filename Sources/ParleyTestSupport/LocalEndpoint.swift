import Foundation
import Vapor

/// A throw-away HTTP server on 127.0.0.1 with the routes a test gives it (a webhook subscriber,
/// an endpoint that redirects): started on a free port, stopped by the test.
public final class LocalEndpoint: Sendable {
    public let app: Application
    /// `http://127.0.0.1:PORT`
    public let baseURL: String

    /// Starts a server whose routes `routes` registers.
    public static func start(_ routes: @Sendable (Application) -> Void) async throws -> LocalEndpoint {
        let app = try await Application.make(Environment(name: "testing", arguments: ["endpoint"]))
        app.http.server.configuration.port = 0
        app.logger.logLevel = .error
        routes(app)
        do {
            try await app.startup()
        } catch {
            try? await app.asyncShutdown()
            throw error
        }
        return LocalEndpoint(app: app, baseURL: "http://127.0.0.1:\(app.http.server.shared.localAddress?.port ?? 0)")
    }

    private init(app: Application, baseURL: String) {
        self.app = app
        self.baseURL = baseURL
    }

    public func stop() async {
        try? await app.asyncShutdown()
    }
}
