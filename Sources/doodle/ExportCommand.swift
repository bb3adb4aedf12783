import ArgumentParser
import DoodleNN
import DoodleONNX
import Foundation

extension Doodle {
    /// Writes a model for the rest of the field: ONNX, or PyTorch's safetensors with its nn.Sequential.
    struct Export: AsyncParsableCommand {
        enum Format: String, ExpressibleByArgument, CaseIterable {
            case onnx
            case safetensorsTorch = "safetensors-torch"
        }

        static let configuration = CommandConfiguration(
            abstract:
                "Export a model as ONNX, or as PyTorch's safetensors with the nn.Sequential it loads into.",
            discussion: """
                --format onnx writes an ONNX model (opset 17): input 'input' (batch, 1, 28, 28), float 0 to 1 with
                light ink on black; output 'probabilities' (batch, classes); the class labels and the
                preprocessing in its metadata properties. Runs in ONNX Runtime, onnxruntime-web and anything
                else that reads ONNX.

                --format safetensors-torch writes the weights under PyTorch's state_dict names and, beside them
                (OUT with .py), a Python module whose build() makes the nn.Sequential they load into, strictly.
                """)

        @Argument(help: "A model file, or the name of a shipped model (doodles, digits).")
        var model: String

        @Option(help: "onnx or safetensors-torch.")
        var format: Format = .onnx

        @Option(help: "The file to write.")
        var out: String

        func run() async throws {
            let url = try ModelLocator.url(for: model)
            let model = try Model(contentsOf: url)
            let out = URL(fileURLWithPath: out)
            switch format {
            case .onnx:
                do {
                    try AtomicFile.write(try model.onnxModel(), to: out)
                } catch let error as ONNXError {
                    throw ValidationError("\(url.lastPathComponent): \(error.description)")
                }
                print("wrote \(out.path): ONNX opset \(Model.onnxOpset), \(model.labels.count) classes")
            case .safetensorsTorch:
                let module = out.deletingPathExtension().appendingPathExtension("py")
                // Doodle's model files are PyTorch state_dicts already; the module is what a user lacks.
                try model.write(to: out)
                try AtomicFile.write(Array(try model.pyTorchModule().utf8), to: module)
                print("wrote \(out.path) and \(module.path): build() makes the nn.Sequential it loads into")
            }
        }
    }
}
