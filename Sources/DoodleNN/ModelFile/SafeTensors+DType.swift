extension SafeTensors {
    /// An element type of the safetensors format that Doodle reads (and writes), named as in the header.
    public enum DType: String, Sendable, CaseIterable, CustomStringConvertible {
        /// IEEE single precision, the engine's own type.
        case f32 = "F32"
        /// IEEE half precision.
        case f16 = "F16"
        /// bfloat16: the top half of an `F32`.
        case bf16 = "BF16"
        /// IEEE double precision.
        case f64 = "F64"
        /// 64-bit signed integer (PyTorch's `long`, e.g. BatchNorm's `num_batches_tracked`).
        case i64 = "I64"
        /// 32-bit signed integer.
        case i32 = "I32"
        /// 8-bit unsigned integer.
        case u8 = "U8"

        /// Bytes per element.
        public var byteCount: Int {
            switch self {
            case .u8: 1
            case .f16, .bf16: 2
            case .f32, .i32: 4
            case .f64, .i64: 8
            }
        }

        public var description: String { rawValue }

        /// Converts `count` little-endian elements at `bytes` to `Float`.
        ///
        /// Integers beyond 2^24 and doubles lose precision, as they would in any single-precision engine.
        func decode(_ bytes: UnsafeRawBufferPointer, count: Int) -> [Float] {
            precondition(
                bytes.count == count * byteCount, "\(count) \(self) elements need \(count * byteCount) bytes")
            return [Float](unsafeUninitializedCapacity: count) { out, initialized in
                func each<Raw: FixedWidthInteger>(_: Raw.Type, _ convert: (Raw) -> Float) {
                    for i in 0..<count {
                        let raw = bytes.loadUnaligned(
                            fromByteOffset: i * MemoryLayout<Raw>.size, as: Raw.self)
                        out[i] = convert(Raw(littleEndian: raw))
                    }
                }
                switch self {
                case .f32: each(UInt32.self) { Float(bitPattern: $0) }
                case .f16: each(UInt16.self) { Float(Float16(bitPattern: $0)) }
                case .bf16: each(UInt16.self) { Float(bitPattern: UInt32($0) << 16) }
                case .f64: each(UInt64.self) { Float(Double(bitPattern: $0)) }
                case .i64: each(Int64.self) { Float($0) }
                case .i32: each(Int32.self) { Float($0) }
                case .u8: each(UInt8.self) { Float($0) }
                }
                initialized = count
            }
        }

        /// Appends `values` to `bytes` as little-endian elements of this type.
        ///
        /// - Returns: the index of the first value an integer type cannot hold exactly, or `nil`.
        func encode(_ values: UnsafeBufferPointer<Float>, into bytes: inout [UInt8]) -> Int? {
            bytes.reserveCapacity(bytes.count + values.count * byteCount)
            func each<Raw: FixedWidthInteger>(_: Raw.Type, _ convert: (Float) -> Raw?) -> Int? {
                for (i, value) in values.enumerated() {
                    guard let raw = convert(value) else { return i }
                    withUnsafeBytes(of: raw.littleEndian) { bytes.append(contentsOf: $0) }
                }
                return nil
            }
            switch self {
            case .f32: return each(UInt32.self) { $0.bitPattern }
            case .f16: return each(UInt16.self) { Float16($0).bitPattern }
            case .bf16: return each(UInt16.self) { Self.bfloat16Bits($0) }
            case .f64: return each(UInt64.self) { Double($0).bitPattern }
            case .i64: return each(Int64.self) { Int64(exactly: $0) }
            case .i32: return each(Int32.self) { Int32(exactly: $0) }
            case .u8: return each(UInt8.self) { UInt8(exactly: $0) }
            }
        }

        /// `value` rounded to the nearest bfloat16, ties to even; NaN stays a (quiet) NaN.
        static func bfloat16Bits(_ value: Float) -> UInt16 {
            if value.isNaN { return 0x7FC0 }
            let bits = value.bitPattern
            let rounded = bits &+ 0x7FFF &+ ((bits >> 16) & 1)
            return UInt16(truncatingIfNeeded: rounded >> 16)
        }
    }
}
