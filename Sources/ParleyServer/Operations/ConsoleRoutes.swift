import Foundation
import Vapor

/// The browser console: its files under `/app/`, the root sending people there. A path that
/// names no file gets `index.html`, so a page's address can be reloaded or shared.
struct ConsoleRoutes: RouteCollection {
    let directory: String

    /// The console folder: `PARLEY_CONSOLE_DIR` when set, else the copy in the binary's resources.
    static func directory(_ configuration: ParleyConfiguration) -> String? {
        if let folder = configuration.consoleDirectory { return folder }
        return Bundle.module.url(forResource: "console", withExtension: nil, subdirectory: "Resources")?.path
    }

    func boot(routes: any RoutesBuilder) throws {
        routes.get { request in request.redirect(to: "/app/") }
        // `/app` and `/app/` are one route to Vapor: both get the page (its links are absolute).
        routes.get("app", use: file)
        routes.get("app", "**", use: file)
    }

    func file(_ request: Request) async throws -> Response {
        let parts = request.parameters.getCatchall()
        // Only plain names: no dot segments, no hidden files, nothing outside the folder.
        guard parts.allSatisfy({ !$0.isEmpty && !$0.hasPrefix(".") && !$0.contains("\\") }) else {
            throw Abort(.notFound)
        }
        let root = URL(fileURLWithPath: directory, isDirectory: true).standardizedFileURL
        var target = parts.reduce(root) { $0.appendingPathComponent($1) }.standardizedFileURL
        guard target.path.hasPrefix(root.path) else { throw Abort(.notFound) }
        var isDirectory: ObjCBool = false
        if !FileManager.default.fileExists(atPath: target.path, isDirectory: &isDirectory) || isDirectory.boolValue {
            // A file-like name that is missing is a 404; anything else is a page of the app.
            if parts.last?.contains(".") == true { throw Abort(.notFound) }
            target = root.appendingPathComponent("index.html")
        }
        let response = try await request.fileio.asyncStreamFile(at: target.path)
        // The page itself is always checked again; its modules and styles may be kept a while.
        response.headers.replaceOrAdd(name: .cacheControl, value: target.lastPathComponent == "index.html" ? "no-cache" : "max-age=300")
        return response
    }
}
