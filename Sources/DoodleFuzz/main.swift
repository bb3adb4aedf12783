// doodle-fuzz: one libFuzzer harness per parser of untrusted input (issue 13).
//
//     doodle-fuzz TARGET FILE...          run TARGET's harness on each file (a normal build): replays
//                                         a crash found by the fuzzer under a debugger or in a test
//     doodle-fuzz TARGET [libFuzzer flags] [CORPUS...]
//                                         fuzz TARGET (a build with -sanitize=fuzzer,address and
//                                         -D DOODLE_LIBFUZZER; see Scripts/fuzz.sh)
//     doodle-fuzz --list                  the target names
//
// The program keeps its own `main` and hands libFuzzer the harness through `LLVMFuzzerRunDriver`,
// so one executable serves every target and SwiftPM's entry point needs no tricks.

import Foundation

#if DOODLE_LIBFUZZER
    import CLibFuzzer
#endif

let arguments = CommandLine.arguments
guard arguments.count >= 2 else {
    let names = Harnesses.all.keys.sorted().joined(separator: ", ")
    FileHandle.standardError.write(Data("usage: doodle-fuzz TARGET FILE...\ntargets: \(names)\n".utf8))
    exit(2)
}
if arguments[1] == "--list" {
    print(Harnesses.all.keys.sorted().joined(separator: "\n"))
    exit(0)
}
guard let harness = Harnesses.all[arguments[1]] else {
    let names = Harnesses.all.keys.sorted().joined(separator: ", ")
    FileHandle.standardError.write(
        Data("doodle-fuzz: unknown target '\(arguments[1])'; targets: \(names)\n".utf8))
    exit(2)
}

#if DOODLE_LIBFUZZER
    /// The harness libFuzzer calls; a global because the callback is a C function pointer.
    let selected: Harness = harness
    // libFuzzer parses argv itself: give it the program name and everything after the target.
    let driverArguments = [arguments[0]] + arguments.dropFirst(2)
    var cArguments: [UnsafeMutablePointer<CChar>?] = driverArguments.map { strdup($0) } + [nil]
    var argc = Int32(driverArguments.count)
    let status = cArguments.withUnsafeMutableBufferPointer { buffer in
        var argv = buffer.baseAddress
        return LLVMFuzzerRunDriver(&argc, &argv) { data, size in
            selected(Array(UnsafeBufferPointer(start: data, count: size)))
            return 0
        }
    }
    exit(status)
#else
    for path in arguments.dropFirst(2) {
        guard let data = FileManager.default.contents(atPath: path) else {
            FileHandle.standardError.write(Data("doodle-fuzz: cannot read \(path)\n".utf8))
            exit(1)
        }
        harness(Array(data))
        print("\(path): ok (\(data.count) bytes)")
    }
#endif
