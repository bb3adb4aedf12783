import DoodleServer
import DoodleStore
import Foundation
import Hummingbird
import HummingbirdTesting
import TestSupport
import Testing

/// The API's OpenAPI document at /openapi.json: every operation it lists is a route the server
/// answers, with a request example where it takes a body and an answer example for its success; and
/// the /docs page shows them and tries one, in headless Chromium. (CI also runs schemathesis against a
/// live server with the document: every answer must match it.)
@Suite struct OpenAPITests {
    @Test func everyDocumentedOperationIsARouteWithExamples() async throws {
        let folder = try makeTemporaryDirectory("doodle-openapi")
        defer { try? FileManager.default.removeItem(at: folder) }
        let store = try SQLiteDrawingStore(path: folder.appendingPathComponent("d.sqlite").path)
        // Fresh models: the document's example for POST /api/words teaches "kite", which must not reach
        // the shared fixtures that other suites guess with at the same time (a full CI run saw
        // PredictRouteTests' second guess of one bitmap put "kite" first).
        let app = Application(router: try buildRouter(models: ServerFixtures.freshRegistry(), store: store))
        try await app.test(.router) { client in
            let document = try await client.execute(uri: "/openapi.json", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType] == "application/json")
                return try #require(
                    try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any])
            }
            #expect(document["openapi"] as? String == "3.1.0")
            let paths = try #require(document["paths"] as? [String: [String: Any]])
            var operations = 0
            for (path, item) in paths {
                for (method, value) in item {
                    let operation = try #require(value as? [String: Any])
                    operations += 1
                    let name = "\(method.uppercased()) \(path)"
                    let responses = try #require(operation["responses"] as? [String: Any], "\(name)")
                    let success = try #require(responses.keys.filter { $0.hasPrefix("2") }.min(), "\(name)")
                    let answer = try #require(responses[success] as? [String: Any])
                    if let content = answer["content"] as? [String: [String: Any]],
                        content["application/json"] != nil
                    {
                        #expect(content["application/json"]?["example"] != nil, "\(name): an answer example")
                    }
                    var body: ByteBuffer?
                    if let request = operation["requestBody"] as? [String: Any] {
                        let content = try #require(request["content"] as? [String: [String: Any]], "\(name)")
                        let example = try #require(
                            content["application/json"]?["example"], "\(name): a request example")
                        body = ByteBuffer(bytes: try JSONSerialization.data(withJSONObject: example))
                    }
                    // The route exists: its example is answered with a documented status, not 404 or 405.
                    var uri = path
                    for parameter in operation["parameters"] as? [[String: Any]] ?? []
                    where parameter["in"] as? String == "path" {
                        uri = uri.replacingOccurrences(
                            of: "{\(parameter["name"] as? String ?? "")}",
                            with: "\(parameter["example"] ?? "x")")
                    }
                    try await client.execute(
                        uri: uri, method: HTTPRequest.Method(method.uppercased())!,
                        headers: [.contentType: "application/json"],
                        body: body
                    ) { response in
                        #expect(
                            responses.keys.contains(String(response.status.code)),
                            "\(name) answered \(response.status.code), documented \(responses.keys.sorted())")
                    }
                }
            }
            #expect(operations == 12)
        }
    }

    @Test(.enabled(if: BrowserTests.reason == nil, "\(BrowserTests.reason ?? "")"))
    func theDocsPageListsTheOperationsAndTriesOne() async throws {
        try await LiveServer.with(ServerFixtures.registry) { port in
            let page = try await BrowserPage.open(
                url: "http://127.0.0.1:\(port)/docs", width: 1200, height: 900)
            try await page.wait(
                for: #"document.body.dataset.ready === "true""#, failure: "the docs did not load")
            _ = try await page.evaluate(##"document.querySelector("#health form button").click()"##)
            let result =
                try await page.wait(
                    for: """
                        (() => {
                          const answer = document.querySelector("#health pre.answer");
                          return !answer.hidden && answer.textContent !== "…" && JSON.stringify({
                            operations: document.querySelectorAll(".operation").length,
                            curl: document.querySelector("#predict pre").textContent,
                            answer: answer.textContent });
                        })()
                        """,
                    failure: "no answer") as? String
            let state = try #require(
                try JSONSerialization.jsonObject(with: Data((result ?? "{}").utf8)) as? [String: Any])
            #expect(state["operations"] as? Int == 12)
            #expect(
                (state["curl"] as? String)?.contains("curl -s -X POST 'http://127.0.0.1:\(port)/api/predict'")
                    == true)
            #expect((state["answer"] as? String)?.hasPrefix("200 OK") == true, "\(state["answer"] ?? "")")
            #expect((state["answer"] as? String)?.contains(#""status": "ok""#) == true)
        }
    }
}
