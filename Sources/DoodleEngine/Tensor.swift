/// A dense, row-major array of `Float` with a shape.
///
/// Storage is a Swift `Array`, so a `Tensor` is a copy-on-write value: copies are cheap until one of
/// them is mutated. Memory is reached only through the scoped `withUnsafe(Mutable)BufferPointer`
/// closures, which rethrow; a pointer must never escape them.
///
/// Image tensors inside the engine are NHWC (batch, height, width, channels): convolution then becomes
/// one matrix product whose rows are pixels, and pooling runs along contiguous channels. Model files
/// use PyTorch's layouts; the layers convert when they load and save weights.
public struct Tensor: Sendable, Equatable {
    /// The size of each dimension, outermost first.
    public private(set) var shape: [Int]
    @usableFromInline var storage: [Float]

    /// The number of elements: the product of the shape.
    @inlinable public var count: Int { storage.count }

    /// The elements in row-major order.
    public var scalars: [Float] { storage }

    /// A tensor of the given shape filled with `value`.
    public init(repeating value: Float = 0, shape: [Int]) {
        precondition(shape.allSatisfy { $0 >= 0 }, "Tensor shape \(shape) has a negative dimension")
        self.shape = shape
        self.storage = Array(repeating: value, count: shape.reduce(1, *))
    }

    /// A tensor of the given shape holding `scalars` in row-major order.
    public init(shape: [Int], scalars: [Float]) {
        precondition(
            shape.reduce(1, *) == scalars.count,
            "Tensor shape \(shape) needs \(shape.reduce(1, *)) scalars, got \(scalars.count)")
        self.shape = shape
        self.storage = scalars
    }

    /// A tensor whose elements are written by `initializer` into uninitialised memory.
    ///
    /// - Parameters:
    ///   - shape: the shape of the new tensor.
    ///   - initializer: must write every one of the `shape.reduce(1, *)` elements.
    public init(
        shape: [Int], unsafeUninitialized initializer: (UnsafeMutableBufferPointer<Float>) throws -> Void
    ) rethrows {
        let count = shape.reduce(1, *)
        self.shape = shape
        self.storage = try [Float](unsafeUninitializedCapacity: count) { buffer, initialized in
            try initializer(buffer)
            initialized = count
        }
    }

    /// Reads the elements through a pointer that is valid only inside `body`.
    @inlinable
    public func withUnsafeBufferPointer<R>(_ body: (UnsafeBufferPointer<Float>) throws -> R) rethrows -> R {
        try storage.withUnsafeBufferPointer(body)
    }

    /// Writes the elements through a pointer that is valid only inside `body`.
    @inlinable
    public mutating func withUnsafeMutableBufferPointer<R>(
        _ body: (UnsafeMutableBufferPointer<Float>) throws -> R
    ) rethrows -> R {
        try storage.withUnsafeMutableBufferPointer { try body($0) }
    }

    /// The same elements viewed with another shape of the same element count.
    public func reshaped(_ newShape: [Int]) -> Tensor {
        precondition(
            newShape.reduce(1, *) == count, "cannot reshape \(shape) (\(count) elements) to \(newShape)")
        var result = self
        result.shape = newShape
        return result
    }

    /// Element access by flat row-major index.
    @inlinable
    public subscript(flat index: Int) -> Float {
        get { storage[index] }
        set { storage[index] = newValue }
    }

    /// Sets every element to zero, keeping the shape and the allocation.
    public mutating func zero() {
        withUnsafeMutableBufferPointer { $0.update(repeating: 0) }
    }

    /// Resizes to `newShape`, reusing the allocation when it is already large enough.
    ///
    /// Element values after a resize are unspecified; callers overwrite them. Shrinking keeps the
    /// capacity, so a buffer that serves batches of varying size (a server's) is allocated once for
    /// the largest, not again and zero-filled for every batch.
    public mutating func resize(to newShape: [Int]) {
        if newShape == shape { return }
        let newCount = newShape.reduce(1, *)
        if newCount < storage.count {
            storage.removeLast(storage.count - newCount)
        } else if newCount > storage.count {
            storage.append(contentsOf: repeatElement(0, count: newCount - storage.count))
        }
        shape = newShape
    }
}

extension Tensor: CustomStringConvertible {
    public var description: String {
        let head = storage.prefix(8).map { String($0) }.joined(separator: ", ")
        return "Tensor(\(shape), [\(head)\(count > 8 ? ", ..." : "")])"
    }
}

extension Tensor {
    /// Row `index` of a (N, D) tensor, as an array.
    public func row(_ index: Int) -> [Float] {
        precondition(shape.count == 2 && index >= 0 && index < shape[0], "no row \(index) in \(shape)")
        let width = shape[1]
        return withUnsafeBufferPointer { Array($0[(index * width)..<((index + 1) * width)]) }
    }
}
