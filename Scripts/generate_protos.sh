#!/usr/bin/env bash
# Regenerates the Swift code of Doodle's protocol buffers with protoc and swift-protobuf's
# protoc-gen-swift, of the version Package.swift names. The generated files are committed, so a build
# needs only swift-protobuf's runtime library, not protoc or the plugin (whose first build takes
# minutes).
#
#     Scripts/generate_protos.sh [PROTOC_GEN_SWIFT]
#
# Needs protoc (apt-get install protobuf-compiler). Without an argument it builds protoc-gen-swift from
# the swift-protobuf checkout that `swift package resolve` makes in .build/checkouts.
set -euo pipefail
cd "$(dirname "$0")/.."

command -v protoc >/dev/null || { echo "generate_protos: no protoc (apt-get install protobuf-compiler)" >&2; exit 1; }
plugin=${1:-}
if [ -z "$plugin" ]; then
    swift package resolve
    (cd .build/checkouts/swift-protobuf && swift build -c release --product protoc-gen-swift >&2)
    plugin=.build/checkouts/swift-protobuf/.build/release/protoc-gen-swift
fi

generate() {  # generate DIR FILE.proto: FILE.pb.swift beside it, its types internal to the module
    protoc --plugin=protoc-gen-swift="$plugin" --proto_path="$1" --swift_out="$1" "$1/$2"
    echo "wrote $1/${2%.proto}.pb.swift"
}
generate Sources/DoodleTraining/Proto tensorboard_event.proto
generate Sources/DoodleONNX/Proto onnx.proto
