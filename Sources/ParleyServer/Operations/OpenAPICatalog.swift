import Foundation
import Vapor

/// The OpenAPI 3.1 documents, one per surface, shipped as resources of this target.
public struct OpenAPICatalog: Sendable {
    /// Surface slug → document bytes.
    public let documents: [String: Data]

    /// The surfaces with a document of their own, in the order the index lists them.
    public static let surfaces = Surface.all.filter(\.documented).map(\.id)

    public static func load() throws -> OpenAPICatalog {
        var documents: [String: Data] = [:]
        for surface in surfaces {
            guard let url = Bundle.module.url(forResource: surface, withExtension: "json", subdirectory: "Resources/openapi") else {
                throw APIError(.internalServerError, code: "INTERNAL_ERROR", "OpenAPI document \(surface).json is missing from the bundle")
            }
            documents[surface] = try Data(contentsOf: url)
        }
        return OpenAPICatalog(documents: documents)
    }

    /// The parsed document of a surface.
    public func document(_ surface: String) throws -> [String: Any] {
        guard let data = documents[surface],
              let object = try JSONSerialization.jsonObject(with: data) as? [String: Any]
        else { throw APIError.notFound("NOT_FOUND", "No OpenAPI document for '\(surface)'") }
        return object
    }
}

/// `/openapi` (index), `/openapi/{surface}.json` and the human-readable `/docs` page.
struct OpenAPIRoutes: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("openapi", use: index)
        routes.get("openapi", ":document", use: document)
        routes.get("docs", use: docs)
    }

    func index(_ request: Request) async throws -> Response {
        let catalog = request.application.parley.openAPI
        let base = request.application.parley.publicURL
        let entries = try OpenAPICatalog.surfaces.map { surface -> [String: String] in
            let info = try catalog.document(surface)["info"] as? [String: Any]
            return ["surface": surface, "title": info?["title"] as? String ?? surface, "url": "\(base)/openapi/\(surface).json"]
        }
        let body = try JSONSerialization.data(withJSONObject: ["documents": entries], options: [.sortedKeys])
        return Response(status: .ok, headers: ["Content-Type": "application/json"], body: .init(data: body))
    }

    func document(_ request: Request) async throws -> Response {
        let name = request.parameters.get("document") ?? ""
        let surface = String(name.dropLast(5))
        guard name.hasSuffix(".json"), let data = request.application.parley.openAPI.documents[surface] else {
            throw APIError.notFound("NOT_FOUND", "No OpenAPI document '\(name)'; see /openapi")
        }
        guard var document = try JSONSerialization.jsonObject(with: data) as? [String: Any],
              request.application.parley.surfaces.place(&document, of: surface)
        else { return Response(status: .ok, headers: ["Content-Type": "application/json"], body: .init(data: data)) }
        let moved = try JSONSerialization.data(withJSONObject: document, options: [.sortedKeys])
        return Response(status: .ok, headers: ["Content-Type": "application/json"], body: .init(data: moved))
    }

    func docs(_ request: Request) async throws -> Response {
        guard let url = Bundle.module.url(forResource: "docs", withExtension: "html", subdirectory: "Resources") else {
            throw APIError.notFound("NOT_FOUND", "The documentation page is missing from this build")
        }
        return Response(status: .ok, headers: ["Content-Type": "text/html; charset=utf-8"], body: .init(data: try Data(contentsOf: url)))
    }
}
