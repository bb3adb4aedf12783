import DoodleNN
import DoodleServer
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

@Suite("GET /api/models, /healthz and the page")
struct ServerRouteTests {
    @Test func healthz() async throws {
        try await ServerFixtures.application().test(.router) { client in
            try await client.execute(uri: "/healthz", method: .get) { response in
                #expect(response.status == .ok)
                let body =
                    try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any]
                #expect(body?["status"] as? String == "ok")
                #expect(body?["models"] as? [String] == ["digits", "doodles"])
            }
        }
    }

    @Test func modelsListNamesClassesArchitectureAndAccuracy() async throws {
        try await ServerFixtures.application().test(.router) { client in
            try await client.execute(uri: "/api/models", method: .get) { response in
                #expect(response.status == .ok)
                let list = try JSONDecoder().decode(
                    ModelsController<BasicRequestContext>.ModelList.self, from: Data(buffer: response.body))
                #expect(list.defaultModel == "doodles")
                #expect(list.models.map(\.name) == ["digits", "doodles"])
                let doodles = try #require(list.models.last)
                #expect(doodles.classes == ServerFixtures.doodleLabels)
                #expect(doodles.architecture == "small")
                #expect(doodles.preprocessing == "quickdraw")
                #expect(doodles.accuracy == 0.8125)
                #expect(doodles.top5 == 0.95)
                // The game words are those of the model's classes; tree fell short of 80%.
                #expect(doodles.gameWords == ["cat", "dog", "house", "apple", "star", "sun"])
                #expect(doodles.classAccuracy?["tree"] == 0.5 && doodles.classAccuracy?.count == 7)
                #expect(list.models[0].accuracy == nil && list.models[0].gameWords == nil)
                #expect(list.models[0].preprocessing == "mnist")
            }
        }
    }

    @Test(arguments: [
        ("/", "text/html", "<canvas id=\"pad\""), ("/app.js", "text/javascript", "/api/predict"),
        ("/canvas.js", "text/javascript", "pointerdown"), ("/game.js", "text/javascript", "Oh, I know"),
        ("/tools.js", "text/javascript", "export class TransformTool"),
        ("/words.js", "text/javascript", "export class WordList"),
        ("/sketch.js", "text/javascript", "export function modelInput"), ("/app.css", "text/css", "--accent"),
        ("/icon.svg", "image/svg+xml", "<svg"), ("/network.js", "text/javascript", "export class Network"),
        ("/kernels.wasm", "application/wasm", "asm"),
        // sketch.js's modules, each opening with the name of its Swift twin.
        ("/sketch/strokes.js", "text/javascript", "Stroke+Arrays.swift"),
        ("/sketch/normalize.js", "text/javascript", "StrokeNormalizer.swift"),
        ("/sketch/raster.js", "text/javascript", "Rasterizer+Session.swift"),
        ("/sketch/fixed-point.js", "text/javascript", "Rasterizer.swift"),
        ("/sketch/pen.js", "text/javascript", "Rasterizer+Pen.swift"),
        ("/sketch/stroker.js", "text/javascript", "Rasterizer+Stroker.swift"),
        ("/sketch/scan-converter.js", "text/javascript", "Rasterizer+ScanConverter.swift"),
        ("/sketch/active-list.js", "text/javascript", "Rasterizer+ActiveList.swift"),
        ("/sketch/coverage.js", "text/javascript", "Rasterizer+Coverage.swift"),
        ("/sketch/frame.js", "text/javascript", "ImageInput.swift"),
        ("/sketch/work.js", "text/javascript", "export const work"),
    ])
    func thePageIsServedFromItsOwnOrigin(path: String, type: String, contains: String) async throws {
        try await ServerFixtures.application().test(.router) { client in
            try await client.execute(uri: path, method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType]?.hasPrefix(type) == true)
                #expect(response.headers[.contentSecurityPolicy]?.contains("default-src 'self'") == true)
                let text = String(buffer: response.body).replacingOccurrences(
                    of: "http://www.w3.org/", with: "")
                #expect(text.contains(contains))
                // No CDN, no external request: nothing on the page names another host.
                #expect(!text.contains("http://") && !text.contains("https://"))
            }
        }
    }

    /// A script the page imports but the server does not serve breaks the page only in a browser:
    /// every file of `Resources/`, in a folder or not, must be served as it is.
    @Test func everyPageFileIsServed() async throws {
        let resources = SketchHarness.repository.appendingPathComponent("Sources/DoodleServer/Resources")
        let files = try FileManager.default.subpathsOfDirectory(atPath: resources.path).filter { file in
            var isFolder: ObjCBool = false
            let url = resources.appendingPathComponent(file)
            let exists = FileManager.default.fileExists(atPath: url.path, isDirectory: &isFolder)
            return exists && !isFolder.boolValue
        }
        #expect(files.contains("sketch.js") && files.contains("sketch/stroker.js"), "\(files)")
        try await ServerFixtures.application().test(.router) { client in
            for file in files {
                // The two pages are served at their own paths; every other file at its name.
                let path = ["index.html": "/", "docs.html": "/docs"][file] ?? "/\(file)"
                let contents = try Data(contentsOf: resources.appendingPathComponent(file))
                try await client.execute(uri: path, method: .get) { response in
                    #expect(response.status == .ok, "\(path)")
                    #expect(Data(buffer: response.body) == contents, "\(path)")
                }
            }
        }
    }

    @Test func applicationLoadsEveryModelFileInTheFolder() async throws {
        struct Arguments: AppArguments {
            var hostname = "127.0.0.1"
            var port = 0
            var modelsFolder: URL
            var limits = RequestLimits()
        }
        let empty = FileManager.default.temporaryDirectory.appendingPathComponent("doodle-empty-\(UUID())")
        try FileManager.default.createDirectory(at: empty, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: empty) }
        await #expect(throws: ModelRegistryError.self) {
            _ = try await buildApplication(Arguments(modelsFolder: empty))
        }
        let folder = try ServerFixtures.writeModels()
        defer { try? FileManager.default.removeItem(at: folder) }
        let registry = try ModelRegistry(folder: folder)
        #expect(registry.names == ["digits", "doodles"])
        #expect(registry.models["digits"]?.framing == .mnist)
    }

    @Test func weightsAreTheModelFileWithAnEntityTagThatRevalidates() async throws {
        try await ServerFixtures.application().test(.router) { client in
            let tag = try await client.execute(uri: "/api/models/doodles/weights", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType] == "application/octet-stream")
                #expect(response.headers[.cacheControl] == "no-cache")
                let file = try SafeTensors(bytes: Array(buffer: response.body))
                #expect(file.metadata["labels"]?.contains("\"house\"") == true)
                #expect(file.metadata["arch"] == "small")
                let expected = try #require(ServerFixtures.registry.models["doodles"]).file.bytes
                #expect(response.body == expected)
                return try #require(response.headers[.eTag])
            }
            #expect(tag.hasPrefix("\"") && tag.count == 34)
            try await client.execute(
                uri: "/api/models/doodles/weights", method: .get, headers: [.ifNoneMatch: "\"other\", \(tag)"]
            ) { response in
                #expect(response.status == .notModified)
                #expect(response.body.readableBytes == 0)
                #expect(response.headers[.eTag] == tag)
            }
            try await client.execute(
                uri: "/api/models/digits/weights", method: .get, headers: [.ifNoneMatch: tag]
            ) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.eTag] != tag)
            }
            try await client.execute(uri: "/api/models/nope/weights", method: .get) { response in
                #expect(response.status == .notFound)
                let message = String(buffer: response.body)
                #expect(message.contains("no model named 'nope'") && message.contains("digits, doodles"))
            }
        }
    }
}
