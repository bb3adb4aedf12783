import ArgumentParser
import DoodleNN
import DoodleONNX
import Foundation

extension Doodle {
    /// Brings in a CNN trained elsewhere, from ONNX.
    struct ImportModel: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "import",
            abstract: "Import an ONNX model (a CNN trained elsewhere) as a Doodle model file.",
            discussion: """
                Takes a chain of Conv, Relu, MaxPool, AveragePool, GlobalAveragePool, BatchNormalization, Gemm,
                MatMul+Add, Flatten, Reshape, Dropout and a final Softmax, in NCHW or NHWC (a Keras model through
                tf2onnx); anything else is refused with the operator named. The class names come from --labels,
                else from the model's 'labels' metadata property. The input is Doodle's: 0 to 1, light ink on
                black; a model trained on dark ink on white needs its first layer's sign flipped first.
                """)

        @Argument(help: "The ONNX file.")
        var file: String

        @Option(help: "The model file to write (.safetensors).")
        var out: String

        @Option(help: "A text file of class names, one a line, in output order.")
        var labels: String?

        @Option(
            help:
                "How drawings are framed for it: quickdraw or mnist (default: its metadata, else quickdraw).")
        var preprocessing: String?

        func run() async throws {
            guard let bytes = FileManager.default.contents(atPath: file) else {
                throw ValidationError("cannot read \(file)")
            }
            let names = try labels.map { path -> [String] in
                guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
                    throw ValidationError("cannot read the labels file \(path)")
                }
                return text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }
                    .filter { !$0.isEmpty }
            }
            let model: Model
            do {
                model = try ONNXImport.model(
                    from: [UInt8](bytes), labels: names, preprocessing: preprocessing)
            } catch let error as ONNXError {
                throw ValidationError("\(file): \(error.description)")
            }
            try model.write(to: URL(fileURLWithPath: out))
            print(
                "wrote \(out): \(model.labels.count) classes, \(model.network.layers.count) layers, "
                    + "\(model.network.parameterCount) parameters")
        }
    }
}
