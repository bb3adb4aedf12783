import DoodleTraining
import Testing

@Suite struct PortableCommandLineTests {
    @Test func absolutePathsBecomeRelativeToTheWorkingDirectory() {
        let recorded = PortableCommandLine.record(
            [
                "/home/ci/doodle/.build/release/doodle", "train", "--data",
                "/home/ci/shared/data/quickdraw/bitmap",
                "--data=/home/ci/doodle/data/../extra", "--out", "/home/ci/doodle/models/doodles.safetensors",
                "--epochs", "12", "--categories", "alarm clock,cat", "--log", "runs/a.jsonl",
            ], workingDirectory: "/home/ci/doodle")
        #expect(
            recorded
                == "doodle train --data ../shared/data/quickdraw/bitmap --data=extra --out "
                + "models/doodles.safetensors --epochs 12 --categories 'alarm clock,cat' --log runs/a.jsonl")
        #expect(!recorded.contains("/home"))
    }

    @Test func pathsOutsideTheWorkingDirectoryAndQuoting() {
        #expect(
            PortableCommandLine.relativePath("/tmp/x.npy", workingDirectory: "/work/main")
                == "../../tmp/x.npy")
        #expect(PortableCommandLine.relativePath("/work/main", workingDirectory: "/work/main/") == ".")
        #expect(PortableCommandLine.relativePath("data/cat.npy", workingDirectory: "/work") == "data/cat.npy")
        let recorded = PortableCommandLine.record(
            ["doodle", "eval", "--data", "it's"], workingDirectory: "/")
        #expect(recorded == #"doodle eval --data 'it'\''s'"#)
    }
}
