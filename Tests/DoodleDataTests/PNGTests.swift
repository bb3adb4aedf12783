import DoodleData
import Foundation
import Testing

@Suite struct PNGTests {
    struct Case: Decodable, CustomTestStringConvertible {
        var name: String
        var png: String
        var width: Int
        var height: Int
        var expected: [Int]
        var testDescription: String { name }
    }

    /// Pillow-written PNGs of every colour type and bit depth (Scripts/make_png_fixtures.py).
    static let cases: [Case] = {
        guard
            let url = Bundle.module.url(
                forResource: "png_fixtures", withExtension: "json", subdirectory: "Fixtures"),
            let data = try? Data(contentsOf: url)
        else { return [] }
        return (try? JSONDecoder().decode([Case].self, from: data)) ?? []
    }()

    @Test func fixturesArePresent() {
        #expect(Self.cases.count == 11)
    }

    @Test(arguments: cases.filter { $0.name != "interlaced" })
    func decodesWhatPillowWrote(_ c: Case) throws {
        let image = try PNG.decode(Array(Data(base64Encoded: c.png)!), name: c.name)
        #expect(image.width == c.width && image.height == c.height)
        #expect(image.pixels.map(Int.init) == c.expected)
    }

    @Test func interlacedIsANamedError() throws {
        let c = try #require(Self.cases.first { $0.name == "interlaced" })
        #expect(
            throws: DataError("interlaced", "interlaced PNGs are not supported; save it without interlacing")
        ) {
            try PNG.decode(Array(Data(base64Encoded: c.png)!), name: "interlaced")
        }
    }

    @Test func roundTripsThroughTheEncoder() throws {
        let image = GrayImage(width: 5, height: 3, pixels: (0..<15).map { UInt8($0 * 17) })
        #expect(try PNG.decode(PNG.encode(image)) == image)
    }

    @Test func badFilesAreNamedErrors() throws {
        let good = PNG.encode(GrayImage(width: 4, height: 4, pixels: [UInt8](repeating: 9, count: 16)))
        func problem(_ bytes: [UInt8], maxPixels: Int = 1 << 24) -> String {
            do {
                _ = try PNG.decode(bytes, name: "upload", maxPixels: maxPixels)
                return "no error"
            } catch { return "\(error)" }
        }
        #expect(problem(Array("GIF89a".utf8)) == "upload: not a PNG file")
        #expect(problem(Array(good.prefix(40))).contains("truncated"))
        var badCRC = good
        badCRC[30] ^= 0xFF
        #expect(problem(badCRC).contains("bad CRC"))
        #expect(problem(good, maxPixels: 15).contains("larger than 15 pixels"))
    }
}

@Suite struct ImageInputTests {
    /// A white canvas with a black filled rectangle.
    static func canvas(width: Int, height: Int, box: (x: Int, y: Int, w: Int, h: Int)) -> GrayImage {
        var pixels = [UInt8](repeating: 255, count: width * height)
        for y in box.y..<(box.y + box.h) {
            for x in box.x..<(box.x + box.w) { pixels[y * width + x] = 0 }
        }
        return GrayImage(width: width, height: height, pixels: pixels)
    }

    static func inkBox(_ pixels: [UInt8]) -> (minX: Int, minY: Int, maxX: Int, maxY: Int) {
        var box = (minX: 28, minY: 28, maxX: -1, maxY: -1)
        for y in 0..<28 {
            for x in 0..<28 where pixels[y * 28 + x] > 127 {
                box = (min(box.minX, x), min(box.minY, y), max(box.maxX, x), max(box.maxY, y))
            }
        }
        return box
    }

    @Test func blankIsBlack() {
        let blank = GrayImage(width: 300, height: 200, pixels: [UInt8](repeating: 255, count: 60_000))
        #expect(ImageInput.modelInput(from: blank, framing: .quickdraw).allSatisfy { $0 == 0 })
    }

    @Test func quickDrawFramingCentresTheInkAtGoogleScale() {
        // A 300×150 box off-centre on a 1000×800 canvas: its longer side becomes 28·256/304 ≈ 23.6 px.
        let input = ImageInput.modelInput(
            from: Self.canvas(width: 1000, height: 800, box: (600, 100, 300, 150)), framing: .quickdraw)
        let box = Self.inkBox(input)
        #expect(box.maxX - box.minX + 1 >= 23 && box.maxX - box.minX + 1 <= 24)
        #expect(box.maxY - box.minY + 1 >= 11 && box.maxY - box.minY + 1 <= 13)
        #expect(abs((box.minX + box.maxX) - 27) <= 1 && abs((box.minY + box.maxY) - 27) <= 1)
    }

    @Test func mnistFramingFitsTwentyPixels() {
        let input = ImageInput.modelInput(
            from: Self.canvas(width: 280, height: 280, box: (20, 30, 100, 200)), framing: .mnist)
        let box = Self.inkBox(input)
        #expect(box.maxY - box.minY + 1 == 20)
    }

    @Test func alreadyFramedImagesOnlyGetInverted() {
        let light = Self.canvas(width: 28, height: 28, box: (5, 5, 3, 3))
        let input = ImageInput.modelInput(from: light, framing: .mnist)
        #expect(input[6 * 28 + 6] == 255 && input[0] == 0)
        let dark = GrayImage(width: 28, height: 28, pixels: input)
        #expect(ImageInput.modelInput(from: dark, framing: .mnist) == input)
    }
}

@Suite struct StrokeInputTests {
    let cat = [
        Stroke(x: [20, 60, 100, 60, 20], y: [20, 0, 20, 80, 20]),
        Stroke(x: [40, 80], y: [40, 40]),
        Stroke(x: [60], y: [60]),
    ]

    /// Where and how big a drawing was on the canvas does not change what the model sees.
    @Test(arguments: ImageInput.Framing.allCases)
    func inputIgnoresCanvasPositionAndScale(framing: ImageInput.Framing) throws {
        let moved = cat.map { Stroke(x: $0.x.map { $0 * 4 + 1000 }, y: $0.y.map { $0 * 4 + 20 }) }
        let a = try ImageInput.modelInput(strokes: cat, framing: framing)
        let b = try ImageInput.modelInput(strokes: moved, framing: framing)
        #expect(a == b)
        #expect(a.count == 784 && a.contains { $0 > 200 })
    }

    @Test func quickDrawFramingIsGooglesRecipe() throws {
        // Already simplified (0–255, longer side 255): normalising changes nothing the rasterizer sees.
        let simplified = [Stroke(x: [0, 255, 255, 0], y: [0, 0, 100, 100])]
        #expect(
            try ImageInput.modelInput(strokes: simplified, framing: .quickdraw)
                == Rasterizer().render(strokes: simplified))
    }

    @Test func badCoordinatesAreErrors() {
        #expect(throws: DataError.self) {
            try ImageInput.modelInput(strokes: [Stroke(x: [0, .nan], y: [0, 1])], framing: .quickdraw)
        }
    }
}
