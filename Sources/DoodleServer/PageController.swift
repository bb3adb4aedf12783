import Foundation
import Hummingbird

/// The web page: `index.html` at `/`, its scripts and style sheet, all from the bundle's `Resources/`.
///
/// Files are read once, when the router is built, and served from memory. A content security policy
/// keeps the page to its own origin: it makes no request anywhere else.
public struct PageController<Context: RequestContext>: Sendable {
    /// A page file and the media type it is served as.
    struct Asset: Sendable {
        var body: ByteBuffer
        var contentType: String
    }

    /// The page's files: URL path → file in `Resources/`, where a file may be in a folder
    /// (`sketch/pen.js`, one of the modules `sketch.js` imports).
    static var files: [(path: String, file: String, type: String)] {
        let script = "text/javascript; charset=utf-8"
        return [
            ("/", "index.html", "text/html; charset=utf-8"),
            ("/app.css", "app.css", "text/css; charset=utf-8"),
            ("/app.js", "app.js", script),
            ("/canvas.js", "canvas.js", script),
            ("/tools.js", "tools.js", script),
            ("/game.js", "game.js", script),
            ("/words.js", "words.js", script),
            ("/contribute.js", "contribute.js", script),
            ("/teach.js", "teach.js", script),
            ("/sketch.js", "sketch.js", script),
            ("/sketch/strokes.js", "sketch/strokes.js", script),
            ("/sketch/normalize.js", "sketch/normalize.js", script),
            ("/sketch/raster.js", "sketch/raster.js", script),
            ("/sketch/fixed-point.js", "sketch/fixed-point.js", script),
            ("/sketch/pen.js", "sketch/pen.js", script),
            ("/sketch/stroker.js", "sketch/stroker.js", script),
            ("/sketch/scan-converter.js", "sketch/scan-converter.js", script),
            ("/sketch/active-list.js", "sketch/active-list.js", script),
            ("/sketch/coverage.js", "sketch/coverage.js", script),
            ("/sketch/frame.js", "sketch/frame.js", script),
            ("/sketch/work.js", "sketch/work.js", script),
            ("/network.js", "network.js", script),
            ("/kernels.wasm", "kernels.wasm", "application/wasm"),
            ("/icon.svg", "icon.svg", "image/svg+xml"),
            // The API's OpenAPI 3.1 description, and the docs page that shows it with a "try it" form.
            ("/openapi.json", "openapi.json", "application/json"),
            ("/docs", "docs.html", "text/html; charset=utf-8"),
            ("/docs.css", "docs.css", "text/css; charset=utf-8"),
            ("/docs.js", "docs.js", script),
        ]
    }

    /// The policy every page response carries: own origin only; WebAssembly may be compiled (the page's
    /// own kernels.wasm, fetched from this origin), but no script may be evaluated from a string.
    static var contentSecurityPolicy: String {
        "default-src 'self'; img-src 'self' data: blob:; style-src 'self'; script-src 'self' 'wasm-unsafe-eval'; "
            + "connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'"
    }

    let assets: [String: Asset]

    /// Reads the page's files from the module's bundle.
    ///
    /// - Throws: `PageError` naming a file that is missing.
    public init() throws {
        var assets: [String: Asset] = [:]
        for (path, file, type) in Self.files {
            guard let url = Self.bundleURL(of: file), let data = try? Data(contentsOf: url) else {
                throw PageError(description: "the page file Resources/\(file) is missing from the bundle")
            }
            assets[path] = Asset(body: ByteBuffer(bytes: data), contentType: type)
        }
        self.assets = assets
    }

    /// Where `file`, a path inside `Resources/`, is in the module's bundle; nil when it is not there.
    static func bundleURL(of file: String) -> URL? {
        var folders = file.split(separator: "/").map(String.init)
        guard let name = folders.popLast() else { return nil }
        let subdirectory = (["Resources"] + folders).joined(separator: "/")
        return Bundle.module.url(forResource: name, withExtension: nil, subdirectory: subdirectory)
    }

    /// Adds `GET` routes for the page's files.
    public func addRoutes(to router: some RouterMethods<Context>) {
        for (path, asset) in assets {
            let headers: HTTPFields = [
                .contentType: asset.contentType,
                .cacheControl: "no-cache",
                .contentSecurityPolicy: Self.contentSecurityPolicy,
                .xContentTypeOptions: "nosniff",
            ]
            router.get(RouterPath(path)) { _, _ in
                Response(status: .ok, headers: headers, body: .init(byteBuffer: asset.body))
            }
        }
    }
}

/// The page's files cannot be found.
public struct PageError: Error, CustomStringConvertible {
    /// Which file is missing.
    public var description: String
}
