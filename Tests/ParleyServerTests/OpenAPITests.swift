import Foundation
import ParleyTestSupport
import Testing
@testable import ParleyServer

/// Routes are written by hand; this suite keeps them and the OpenAPI documents in step.
@Suite("OpenAPI documents match the routes")
struct OpenAPITests {
    /// "/api/v1/admin/users/:user_id" → "/api/v1/admin/users/{user_id}"
    static func documentedForm(_ path: String) -> String {
        // A catch-all is documented as one `{path}` parameter; the root as `/`.
        let form = path.split(separator: "/").map { $0.hasPrefix(":") ? "{\($0.dropFirst())}" : $0 == "**" ? "{path}" : String($0) }
            .reduce("") { $0 + "/" + $1 }
        return form.isEmpty ? "/" : form
    }

    @Test func everyRouteIsDocumentedAndEveryDocumentedOperationExists() async throws {
        try await TestServer.with { server in
            let routes = Set(server.app.routes.all.map { route in
                "\(route.method.rawValue) \(Self.documentedForm(route.path.map(\.description).joined(separator: "/")))"
            })
            var documented = Set<String>()
            for surface in OpenAPICatalog.surfaces {
                let document = try server.app.parley.openAPI.document(surface)
                #expect(document["openapi"] as? String == "3.1.0")
                let paths = try #require(document["paths"] as? [String: [String: Any]])
                for (path, item) in paths {
                    for method in item.keys where ["get", "post", "put", "patch", "delete"].contains(method) {
                        documented.insert("\(method.uppercased()) \(path)")
                    }
                }
            }
            let undocumented = routes.subtracting(documented)
            let unimplemented = documented.subtracting(routes)
            #expect(undocumented.isEmpty, "routes missing from the OpenAPI documents: \(undocumented.sorted())")
            #expect(unimplemented.isEmpty, "documented operations with no route: \(unimplemented.sorted())")
        }
    }

    @Test func documentsAreServedWithAnIndexAndADocsPage() async throws {
        try await TestServer.with { server in
            let index = try await server.request(.GET, "/openapi")
            #expect(index.status == 200)
            let entries = try #require(index.json["documents"] as? [[String: String]])
            #expect(entries.map { $0["surface"] } == OpenAPICatalog.surfaces)
            for entry in entries {
                let url = try #require(entry["url"])
                #expect(url.hasPrefix(server.baseURL))
                let doc = try await server.request(.GET, String(url.dropFirst(server.baseURL.count)))
                #expect(doc.status == 200)
                #expect(doc.json["paths"] != nil)
            }
            #expect(try await server.request(.GET, "/openapi/nope.json").status == 404)
            let docs = try await server.request(.GET, "/docs")
            #expect(docs.status == 200)
            #expect(docs.text.contains("<title>Parley API reference</title>"))
            #expect(!docs.text.contains("https://"), "the docs page must not load external assets")
        }
    }

    /// Every `$ref` in every document resolves.
    @Test func theConsoleIsServedUnderAppAndNothingOutsideItsFolder() async throws {
        try await TestServer.with { server in
            // The client follows the root's redirect, as a browser does.
            let root = try await server.request(.GET, "/")
            #expect(root.status == 200 && root.text.contains("<html"))
            for path in ["/app", "/app/", "/app/sessions/42"] {
                let page = try await server.request(.GET, path)
                #expect(page.status == 200 && page.header("Content-Type")?.hasPrefix("text/html") == true, "\(path)")
                #expect(page.text.contains("<html") && page.header("Cache-Control") == "no-cache", "\(path)")
            }
            for path in ["/app/missing.js", "/app/..%2f..%2fPackage.swift", "/app/.hidden", "/app/%2e%2e/docs.html"] {
                #expect(try await server.request(.GET, path).status == 404, "\(path)")
            }
        }
    }

    @Test func referencesResolve() throws {
        let catalog = try OpenAPICatalog.load()
        for surface in OpenAPICatalog.surfaces {
            let text = String(decoding: try #require(catalog.documents[surface]), as: UTF8.self)
            let document = try catalog.document(surface)
            let schemas = ((document["components"] as? [String: Any])?["schemas"] as? [String: Any]) ?? [:]
            let marker = "#/components/schemas/"
            for piece in text.components(separatedBy: marker).dropFirst() {
                let name = String(piece.prefix { $0.isLetter || $0.isNumber || $0 == "_" })
                #expect(schemas[name] != nil, "\(surface): unresolved $ref \(name)")
            }
        }
    }
}
