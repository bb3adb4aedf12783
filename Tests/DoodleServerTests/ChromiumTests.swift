import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// The browser the page tests start, as a process beside the tests.
@Suite("Headless Chromium as the tests start it")
struct ChromiumTests {
    /// A socket the test process has open, not close-on-exec (as NIO's accepted connections are not),
    /// must not be held by the browser: a server closing it would send no FIN while a browser that
    /// outlives the test kept a copy, and a client waiting for the close would wait forever.
    @Test(
        .enabled(
            if: Chromium.executable != nil, "no chromium at /usr/bin/chromium (apt-get install chromium)"))
    func theBrowserInheritsNoDescriptorOfTheTests() async throws {
        let socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        try #require(socket >= 0)
        defer { close(socket) }
        let target = try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/fd/\(socket)")
        let browser = try Chromium(executable: Chromium.executable!, width: 200, height: 200)
        _ = try await browser.call("Browser.getVersion")
        let held = browser.openDescriptors
        #expect(!held.isEmpty, "the browser's descriptors can be read")
        let inherited = held.contains(target)
        #expect(!inherited, "the browser holds the test's \(target)")
    }
}
